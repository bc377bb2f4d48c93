"""The register's API list read as plain rows (``riskctl.core.lean``), not ORM objects."""

from __future__ import annotations

import functools
from datetime import date
from typing import Any

from sqlalchemy import Select

from riskctl.accounts.models import Unit
from riskctl.core import lean
from riskctl.risks import options
from riskctl.risks.filters import RiskFilter, list_query
from riskctl.risks.models import RiskMeasure, RiskPoint

_POINT_COLUMNS = (
    "id", "post", "power", "stage", "title", "description", "category", "likelihood",
    "impact", "responsible", "supervisor", "indicator", "next_review", "last_reviewed",
    "status", "version", "retire_reason", "retired_at", "created_at", "updated_at",
)  # fmt: skip


def points_page(
    flt: RiskFilter, unit_ids: list[int] | None, today: date, args: dict[str, Any]
) -> dict[str, Any]:
    """One page of :func:`list_query`: the columns of ``RiskPointOut`` (the query joins
    the unit), the measures in one statement for the page."""
    if flt.unit or flt.level:  # read from the database (the unit, the matrix in force)
        query = list_query(flt, unit_ids, today, load=False)
    else:
        query = _query(flt, None if unit_ids is None else tuple(unit_ids), today)
    return lean.page(query, args, _shapes()[0], _complete)


@functools.lru_cache(maxsize=256)
def _query(flt: RiskFilter, unit_ids: tuple[int, ...] | None, today: date) -> Select:
    """:func:`list_query` of filters that read nothing from the database, built once:
    a statement is a value of its arguments alone (immutable), and one reused keeps its
    cache key, so a repeated request neither builds nor walks it again."""
    return list_query(flt, None if unit_ids is None else list(unit_ids), today, load=False)


def _complete(records: list[lean.Record]) -> None:
    """The page's measures; the level settings its rows need, read together."""
    options.prefetch_levels()
    shape = _shapes()[1]
    lean.attach(records, "measures", RiskMeasure.point_id, shape, RiskMeasure.position)


@functools.cache
def _shapes() -> tuple[lean.Shape, lean.Shape]:
    point = lean.Shape(
        {name: getattr(RiskPoint, name) for name in _POINT_COLUMNS}
        | {"unit.code": Unit.code, "unit.name": Unit.name}
    )
    measure = lean.Shape(
        {name: getattr(RiskMeasure, name) for name in ("text", "owner", "deadline", "status")}
    )
    return point, measure
