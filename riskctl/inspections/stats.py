"""Figures of 双随机 inspections for the statistics page, the quarterly report and warnings.

All SQL aggregates over a period ``[start, end]`` (inclusive dates of the bureau):
plans and draws by draw date, cut at the bureau's midnights, results by inspection date.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import and_, case, func, select

from riskctl.core import clock
from riskctl.core.db import db
from riskctl.core.figures import share
from riskctl.inspections.models import CREDIT_CLASSES, RESULT_CODES, Plan, Target, Task


def plans_in_period(start: date, end: date) -> list[dict[str, Any]]:
    """Plans drawn in the period, with their completion (抽中、已录入、已公示)."""
    low, high = clock.day_bounds(start, end)
    rows = db.session.execute(
        select(
            Plan.code,
            Plan.name,
            Plan.drawn_at,
            Plan.draw_id,
            func.count(Task.id),
            func.count(Task.result_code),
            func.count(Task.published_at),
        )
        .join(Task, and_(Task.plan_id == Plan.id, Task.superseded.is_(False)), isouter=True)
        .where(Plan.drawn_at >= low, Plan.drawn_at < high)
        .group_by(Plan.id, Plan.code, Plan.name, Plan.drawn_at, Plan.draw_id)
        .order_by(Plan.drawn_at)
    ).all()
    return [
        {
            "code": code,
            "name": name,
            "drawn_at": drawn_at,
            "draw_id": draw_id,
            "selected": selected,
            "entered": entered,
            "published": published,
            "completion": share(entered, selected),
        }
        for code, name, drawn_at, draw_id, selected, entered, published in rows
    ]


def coverage_by_class(start: date, end: date) -> list[dict[str, Any]]:
    """Per credit class: targets in the roster, drawn in the period, inspected, coverage %."""
    low, high = clock.day_bounds(start, end)
    roster = dict(
        db.session.execute(
            select(Target.credit_class, func.count())
            .where(Target.active.is_(True), Target.closed.is_(False))
            .group_by(Target.credit_class)
        ).all()
    )
    drawn = {
        c: (n, done)
        for c, n, done in db.session.execute(
            select(
                Task.stratum,
                func.count(func.distinct(Task.target_id)),
                func.count(func.distinct(case((Task.result_code.is_not(None), Task.target_id)))),
            )
            .join(Plan, Plan.id == Task.plan_id)
            .where(Task.superseded.is_(False), Plan.drawn_at >= low, Plan.drawn_at < high)
            .group_by(Task.stratum)
        )
    }
    out = []
    for c in CREDIT_CLASSES:
        n_roster = roster.get(c, 0)
        n_drawn, n_done = drawn.get(c, (0, 0))
        out.append(
            {
                "class": c,
                "roster": n_roster,
                "drawn": n_drawn,
                "inspected": n_done,
                "coverage": share(n_done, n_roster),
            }
        )
    return out


def results_by_code(start: date, end: date) -> list[dict[str, Any]]:
    """Results by standard result code, by inspection date."""
    counts = dict(
        db.session.execute(
            select(Task.result_code, func.count())
            .where(Task.superseded.is_(False), Task.inspected_on >= start, Task.inspected_on <= end)
            .group_by(Task.result_code)
        ).all()
    )
    total = sum(counts.values())
    return [
        {
            "code": code,
            "label": label,
            "count": counts.get(code, 0),
            "share": share(counts.get(code, 0), total),
        }
        for code, label in RESULT_CODES.items()
    ]


def publication_timeliness(start: date, end: date, today: date | None = None) -> dict[str, Any]:
    """Results inspected in the period: published on time, late, overdue, still within time."""
    today = today or clock.today()
    published = Task.published_at.is_not(None)
    row = db.session.execute(
        select(
            func.count(),
            func.sum(case((and_(published, Task.published_late.is_(False)), 1), else_=0)),
            func.sum(case((and_(published, Task.published_late.is_(True)), 1), else_=0)),
            func.sum(case((and_(~published, Task.publish_due < today), 1), else_=0)),
        ).where(
            Task.superseded.is_(False),
            Task.result_code.is_not(None),
            Task.inspected_on >= start,
            Task.inspected_on <= end,
        )
    ).one()
    total, on_time, late, overdue = (int(v or 0) for v in row)
    return {
        "total": total,
        "on_time": on_time,
        "late": late,
        "overdue": overdue,
        "pending": total - on_time - late - overdue,
        "on_time_rate": share(on_time, on_time + late + overdue),
    }


def summary(start: date, end: date) -> dict[str, Any]:
    """Everything the statistics page and the quarterly report show, in one dict."""
    plans = plans_in_period(start, end)
    return {
        "start": start,
        "end": end,
        "plans": plans,
        "draws": sum(1 for p in plans if p["draw_id"]),
        "coverage": coverage_by_class(start, end),
        "results": results_by_code(start, end),
        "publication": publication_timeliness(start, end),
    }
