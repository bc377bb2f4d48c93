"""预警 figures: warnings open on ``as_of`` by colour, unit and rule; raised in the quarter."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select

from riskctl.accounts.models import Unit
from riskctl.core.clock import day_bounds
from riskctl.core.db import db
from riskctl.reporting.figures.common import KeyFigure
from riskctl.reporting.periods import Quarter
from riskctl.warnings.models import Warning
from riskctl.warnings.sources import RULES

TITLE = "预警"
KEY_FIGURES = [
    KeyFigure("open", "未关闭预警", "条"),
    KeyFigure("red", "其中红色预警", "条"),
]
W = Warning


def _open_on(as_of: date) -> ColumnElement[bool]:
    _, day_end = day_bounds(as_of, as_of)
    return and_(W.raised_at < day_end, or_(W.closed_at.is_(None), W.closed_at >= day_end))


def _colours() -> list:
    return [func.count().filter(W.colour == "red"), func.count().filter(W.colour == "yellow")]


def _row(red: int | None, yellow: int | None) -> dict[str, int]:
    red, yellow = int(red or 0), int(yellow or 0)
    return {"red": red, "yellow": yellow, "open": red + yellow}


def key_figures(quarter: Quarter, as_of: date) -> dict[str, Any]:
    counts = _row(*db.session.execute(select(*_colours()).where(_open_on(as_of))).one())
    return {"open": counts["open"], "red": counts["red"]}


def section(quarter: Quarter, as_of: date) -> dict[str, Any]:
    counts = _row(*db.session.execute(select(*_colours()).where(_open_on(as_of))).one())
    units = db.session.execute(
        select(Unit.name, *_colours())
        .select_from(W)
        .join(Unit, Unit.id == W.unit_id, isouter=True)
        .where(_open_on(as_of))
        .group_by(Unit.name, Unit.path)
        .order_by(Unit.path)
    )
    rules = {
        rule: _row(red, yellow)
        for rule, red, yellow in db.session.execute(
            select(W.rule, *_colours()).where(_open_on(as_of)).group_by(W.rule)
        )
    }
    low, high = day_bounds(quarter.start, as_of)
    raised = db.session.scalar(
        select(func.count()).select_from(W).where(W.raised_at >= low, W.raised_at < high)
    )
    labels = {rule.key: rule.label for rule in RULES}
    return {
        "key": {"open": counts["open"], "red": counts["red"]},
        "counts": counts,
        "raised": raised,
        "units": [
            {"name": name or "（未关联单位）", **_row(red, yellow)} for name, red, yellow in units
        ],
        "rules": [
            {"rule": key, "label": labels.get(key, key), **row}
            for key, row in sorted(rules.items())
        ],
    }
