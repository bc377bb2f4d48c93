"""The ledger's API list read as plain rows (``riskctl.core.lean``), not ORM objects."""

from __future__ import annotations

import functools
from datetime import date
from typing import Any

from sqlalchemy import Select
from sqlalchemy.orm import aliased

from riskctl.accounts.models import Unit, User
from riskctl.accounts.queries import visible_unit_ids
from riskctl.core import lean
from riskctl.rectification.models import RectificationItem
from riskctl.rectification.queries import items_in, items_query

_COLUMNS = (
    "id", "source", "source_ref", "title", "detail", "owner", "opened_on", "deadline_days",
    "deadline", "deadline_provisional", "status", "evidence", "closing_note", "closed_at",
    "closed_by", "created_by",
)  # fmt: skip


def items_page(
    user: User | None, today: date, filters: dict[str, Any], args: dict[str, Any]
) -> dict[str, Any]:
    """One page of ``items_query(…, load=False)``: the columns of ``ItemSchema``, the
    unit's code and name joined in (the colour is the schema's, from status and deadline)."""
    return lean.page(_statement(user, today, filters), args, _shape())


def _statement(user: User | None, today: date, filters: dict[str, Any]) -> Select:
    if filters.get("unit") is not None or filters.get("colour"):
        # the unit is an ORM object; a colour's bound reads the calendar and a setting
        return items_query(user, today, load=False, **filters)
    visible = visible_unit_ids(user)
    key = tuple(sorted(filters.items()))
    return _query(None if visible is None else tuple(visible), today, key)


@functools.lru_cache(maxsize=256)
def _query(
    unit_ids: tuple[int, ...] | None, today: date, filters: tuple[tuple[str, Any], ...]
) -> Select:
    """:func:`items_in` of filters that read nothing from the database, built once per
    value of its arguments: a statement is a value of them alone (immutable), and one
    reused keeps its cache key, so a repeated request neither builds nor walks it again."""
    return items_in(
        None if unit_ids is None else list(unit_ids), today, load=False, **dict(filters)
    )


@functools.cache
def _shape() -> lean.Shape:
    unit = aliased(Unit)
    columns = {name: getattr(RectificationItem, name) for name in _COLUMNS}
    return lean.Shape(
        columns | {"unit.code": unit.code, "unit.name": unit.name},
        ((unit, unit.id == RectificationItem.unit_id),),
    )
