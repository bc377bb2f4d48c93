"""整改台账 figures: items open at the quarter's end (or today) by colour, unit and source.

An item counts as open on ``as_of`` when it was opened by then and not closed
before the day ended; its colour is the one the ledger would have shown that day.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select

from riskctl.accounts.models import Unit
from riskctl.core.clock import day_bounds
from riskctl.core.db import db
from riskctl.rectification.models import SOURCES, RectificationItem
from riskctl.rectification.queries import cutoff
from riskctl.reporting.figures.common import KeyFigure
from riskctl.reporting.periods import Quarter

TITLE = "整改事项"
Item = RectificationItem
COLOURS = ("red", "yellow", "green")
COLOUR_LABELS = {"red": "已超期（红）", "yellow": "即将到期（黄）", "green": "期限内（绿）"}
KEY_FIGURES = [
    KeyFigure("open", "未销号整改事项", "项"),
    KeyFigure("red", "其中已超期", "项"),
]
RED_LIST_LIMIT = 30


def _open_on(as_of: date) -> ColumnElement[bool]:
    _, day_end = day_bounds(as_of, as_of)
    return and_(Item.opened_on <= as_of, or_(Item.status == "open", Item.closed_at >= day_end))


def _colour_sums(as_of: date) -> list:
    bound = cutoff(as_of)
    colour = {
        "red": Item.deadline < as_of,
        "yellow": and_(Item.deadline >= as_of, Item.deadline < bound),
        "green": Item.deadline >= bound,
    }
    return [func.count().filter(colour[name]).label(name) for name in COLOURS]


def _counts(row: Any) -> dict[str, int]:
    counts = {name: int(row._mapping[name] or 0) for name in COLOURS}
    counts["open"] = sum(counts.values())
    return counts


def key_figures(quarter: Quarter, as_of: date) -> dict[str, Any]:
    row = db.session.execute(select(*_colour_sums(as_of)).where(_open_on(as_of))).one()
    counts = _counts(row)
    return {"open": counts["open"], "red": counts["red"]}


def by_unit(as_of: date) -> list[dict[str, Any]]:
    rows = db.session.execute(
        select(Unit.code, Unit.name, *_colour_sums(as_of))
        .select_from(Item)
        .join(Unit, Unit.id == Item.unit_id)
        .where(_open_on(as_of))
        .group_by(Unit.code, Unit.name, Unit.path)
        .order_by(Unit.path)
    )
    return [{"code": row.code, "name": row.name, **_counts(row)} for row in rows]


def by_source(as_of: date) -> list[dict[str, Any]]:
    rows = {
        row.source: _counts(row)
        for row in db.session.execute(
            select(Item.source, *_colour_sums(as_of)).where(_open_on(as_of)).group_by(Item.source)
        )
    }
    return [
        {"source": key, "label": label, **rows[key]}
        for key, label in SOURCES.items()
        if key in rows
    ]


def overdue_items(as_of: date, limit: int = RED_LIST_LIMIT) -> list[dict[str, Any]]:
    """The items longest overdue on ``as_of`` (the report lists the first ``limit``)."""
    rows = db.session.execute(
        select(Item.id, Item.title, Item.source, Item.owner, Item.deadline, Unit.name)
        .join(Unit, Unit.id == Item.unit_id)
        .where(_open_on(as_of), Item.deadline < as_of)
        .order_by(Item.deadline, Item.id)
        .limit(limit)
    )
    return [
        {
            "id": id_,
            "title": title,
            "source": SOURCES[source],
            "owner": owner,
            "deadline": deadline,
            "unit": unit,
            "days_overdue": (as_of - deadline).days,
        }
        for id_, title, source, owner, deadline, unit in rows
    ]


def progress(quarter: Quarter, as_of: date, source: str) -> dict[str, Any]:
    """Items of ``source`` opened in the quarter: closed by ``as_of``, and by their deadline."""
    _, day_end = day_bounds(as_of, as_of)
    closed = and_(Item.status == "closed", Item.closed_at < day_end)
    row = db.session.execute(
        select(
            func.count(),
            func.count().filter(closed),
            func.count().filter(and_(closed, Item.closed_on <= Item.deadline)),
        ).where(Item.source == source, Item.opened_on.between(quarter.start, quarter.end))
    ).one()
    opened, done, on_time = (int(v or 0) for v in row)
    return {"opened": opened, "closed": done, "closed_on_time": on_time, "open": opened - done}


def section(quarter: Quarter, as_of: date) -> dict[str, Any]:
    row = db.session.execute(select(*_colour_sums(as_of)).where(_open_on(as_of))).one()
    counts = _counts(row)
    return {
        "key": {"open": counts["open"], "red": counts["red"]},
        "counts": counts,
        "units": by_unit(as_of),
        "sources": by_source(as_of),
        "overdue": overdue_items(as_of),
        "closed_in_quarter": _closed_in(quarter, as_of),
    }


def _closed_in(quarter: Quarter, as_of: date) -> int:
    low, _ = day_bounds(quarter.start, quarter.start)
    _, high = day_bounds(as_of, as_of)
    return db.session.scalar(
        select(func.count())
        .select_from(Item)
        .where(Item.status == "closed", Item.closed_at >= low, Item.closed_at < high)
    )
