"""The warnings' API list read as plain rows (``riskctl.core.lean``), not ORM objects."""

from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import Select
from sqlalchemy.orm import aliased

from riskctl.accounts.models import Unit, User
from riskctl.accounts.queries import visible_unit_ids
from riskctl.core import lean
from riskctl.warnings.models import Warning
from riskctl.warnings.queries import WarningFilter, warnings_in, warnings_query

_COLUMNS = (
    "id", "rule", "colour", "title", "status", "raised_at", "last_seen_at", "cleared_at",
    "risk_point_id", "proposal", "rectification_item_id",
)  # fmt: skip


def warnings_page(user: User | None, flt: WarningFilter, args: dict[str, Any]) -> dict[str, Any]:
    """One page of :func:`warnings_query`: the columns of ``WarningSchema``, the unit's
    code and name joined in, the labels by the model's own properties."""
    if flt.unit is not None:  # an ORM object: no value to key a statement by
        query = warnings_query(user, flt, load=False)
    else:
        visible = visible_unit_ids(user)
        query = _query(None if visible is None else tuple(visible), flt)
    return lean.page(query, args, _shape(), _labels)


@functools.lru_cache(maxsize=256)
def _query(unit_ids: tuple[int, ...] | None, flt: WarningFilter) -> Select:
    """:func:`warnings_in` built once per value of its arguments: a statement is a value
    of them alone (immutable), and one reused keeps its cache key, so a repeated request
    neither builds nor walks it again."""
    return warnings_in(None if unit_ids is None else list(unit_ids), flt, load=False)


def _labels(records: list[lean.Record]) -> None:
    for record in records:
        record.status_label = Warning.status_label.fget(record)
        record.colour_label = Warning.colour_label.fget(record)


@functools.cache
def _shape() -> lean.Shape:
    unit = aliased(Unit)
    columns = {name: getattr(Warning, name) for name in _COLUMNS}
    return lean.Shape(
        columns | {"unit.code": unit.code, "unit.name": unit.name},
        ((unit, unit.id == Warning.unit_id),),
    )
