"""The target roster's API list read as plain rows (``riskctl.core.lean``)."""

from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import Select
from sqlalchemy.orm import aliased

from riskctl.accounts.models import Unit
from riskctl.accounts.queries import visible_unit_ids
from riskctl.core import lean
from riskctl.inspections import queries
from riskctl.inspections.models import Target

_COLUMNS = (
    "id", "code", "name", "credit_code", "kind", "address", "credit_class", "closed", "active",
)  # fmt: skip


def targets_page(user: Any, filters: dict[str, Any], args: dict[str, Any]) -> dict[str, Any]:
    """One page of :func:`queries.targets`: the columns of ``InspectionTargetSchema``,
    the unit's code joined in."""
    return lean.page(_statement(user, filters), args, _shape())


def _statement(user: Any, filters: dict[str, Any]) -> Select:
    visible = visible_unit_ids(user)
    return _query(None if visible is None else tuple(visible), tuple(sorted(filters.items())))


@functools.lru_cache(maxsize=256)
def _query(scope: tuple[int, ...] | None, filters: tuple[tuple[str, Any], ...]) -> Select:
    """:func:`queries.targets_in` built once per value of its arguments (its filters read
    nothing from the database): a statement is a value of them alone (immutable), and one
    reused keeps its cache key, so a repeated request neither builds nor walks it again."""
    return queries.targets_in(None if scope is None else list(scope), load=False, **dict(filters))


@functools.cache
def _shape() -> lean.Shape:
    unit = aliased(Unit)
    return lean.Shape(
        {name: getattr(Target, name) for name in _COLUMNS} | {"unit.code": unit.code},
        ((unit, unit.id == Target.unit_id),),
    )
