"""The target roster's API list read as plain rows (``riskctl.core.lean``)."""

from __future__ import annotations

import functools
from typing import Any

from sqlalchemy.orm import aliased

from riskctl.accounts.models import Unit
from riskctl.core import lean
from riskctl.inspections import queries
from riskctl.inspections.models import Target

_COLUMNS = (
    "id", "code", "name", "credit_code", "kind", "address", "credit_class", "closed", "active",
)  # fmt: skip


def targets_page(user: Any, filters: dict[str, Any], args: dict[str, Any]) -> dict[str, Any]:
    """One page of :func:`queries.targets`: the columns of ``InspectionTargetSchema``,
    the unit's code joined in."""
    return lean.page(queries.targets(user, load=False, **filters), args, _shape())


@functools.cache
def _shape() -> lean.Shape:
    unit = aliased(Unit)
    return lean.Shape(
        {name: getattr(Target, name) for name in _COLUMNS} | {"unit.code": unit.code},
        ((unit, unit.id == Target.unit_id),),
    )
