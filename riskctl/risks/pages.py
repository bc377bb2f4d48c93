"""The register's API list read as plain rows (``riskctl.core.lean``), not ORM objects."""

from __future__ import annotations

import functools
from datetime import date
from typing import Any

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
    query = list_query(flt, unit_ids, today, load=False)
    return lean.page(query, args, _shapes()[0], _complete)


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
