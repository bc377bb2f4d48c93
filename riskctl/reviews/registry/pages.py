"""The case-file register's API list read as plain rows (``riskctl.core.lean``)."""

from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import Select
from sqlalchemy.orm import aliased

from riskctl.accounts.models import Unit
from riskctl.core import lean
from riskctl.reviews.models import CaseFile

_COLUMNS = (
    "id", "case_no", "case_type", "procedure", "handlers", "handler_names", "approver",
    "approver_name", "closed_on", "penalty_fen",
)  # fmt: skip


def case_files_page(query: Select, args: dict[str, Any]) -> dict[str, Any]:
    """One page of ``case_files_query(…, load=False)``: the columns of ``CaseFileSchema``,
    the unit's code and name joined in."""
    return lean.page(query, args, _shape())


@functools.cache
def _shape() -> lean.Shape:
    unit = aliased(Unit)
    return lean.Shape(
        {name: getattr(CaseFile, name) for name in _COLUMNS}
        | {"unit.code": unit.code, "unit.name": unit.name},
        ((unit, unit.id == CaseFile.unit_id),),
    )
