"""The ledger's API list read as plain rows (``riskctl.core.lean``), not ORM objects."""

from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import Select
from sqlalchemy.orm import aliased

from riskctl.accounts.models import Unit
from riskctl.core import lean
from riskctl.rectification.models import RectificationItem

_COLUMNS = (
    "id", "source", "source_ref", "title", "detail", "owner", "opened_on", "deadline_days",
    "deadline", "deadline_provisional", "status", "evidence", "closing_note", "closed_at",
    "closed_by", "created_by",
)  # fmt: skip


def items_page(query: Select, args: dict[str, Any]) -> dict[str, Any]:
    """One page of ``items_query(…, load=False)``: the columns of ``ItemSchema``, the
    unit's code and name joined in (the colour is the schema's, from status and deadline)."""
    return lean.page(query, args, _shape())


@functools.cache
def _shape() -> lean.Shape:
    unit = aliased(Unit)
    columns = {name: getattr(RectificationItem, name) for name in _COLUMNS}
    return lean.Shape(
        columns | {"unit.code": unit.code, "unit.name": unit.name},
        ((unit, unit.id == RectificationItem.unit_id),),
    )
