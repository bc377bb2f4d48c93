"""双随机、一公开 figures: plans, draws and digests, coverage, results, publication."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select

from riskctl.core import settings
from riskctl.core.clock import day_bounds
from riskctl.core.db import db
from riskctl.draws.models import Draw, DrawManifest
from riskctl.inspections import stats
from riskctl.inspections.models import PROBLEM_CODES, Plan, Task
from riskctl.inspections.options import PUBLICATION_DAYS
from riskctl.reporting.figures.common import KeyFigure
from riskctl.reporting.periods import Quarter

TITLE = "双随机、一公开抽查"
# Results that found something wrong, corrected on the spot or not.
FOUND_CODES = (*PROBLEM_CODES, "corrected")
KEY_FIGURES = [
    KeyFigure("plans", "抽查计划（已抽取）", "个"),
    KeyFigure("results", "录入抽查结果", "户次"),
    KeyFigure("found", "发现问题", "户次"),
    KeyFigure("on_time_rate", "结果按时公示率", "%"),
]


def _plans_drawn(quarter: Quarter) -> int:
    low, high = day_bounds(quarter.start, quarter.end)
    return db.session.scalar(
        select(func.count()).select_from(Plan).where(Plan.drawn_at >= low, Plan.drawn_at < high)
    )


def _results(quarter: Quarter) -> tuple[int, int]:
    in_period = (
        Task.superseded.is_(False),
        Task.result_code.is_not(None),
        Task.inspected_on >= quarter.start,
        Task.inspected_on <= quarter.end,
    )
    total, found = db.session.execute(
        select(func.count(), func.count().filter(Task.result_code.in_(FOUND_CODES))).where(
            *in_period
        )
    ).one()
    return int(total), int(found or 0)


def key_figures(quarter: Quarter, as_of: date) -> dict[str, Any]:
    results, found = _results(quarter)
    publication = stats.publication_timeliness(quarter.start, quarter.end, today=as_of)
    return {
        "plans": _plans_drawn(quarter),
        "results": results,
        "found": found,
        "on_time_rate": publication["on_time_rate"],
    }


def draws(quarter: Quarter) -> list[dict[str, Any]]:
    """Every draw of an inspection plan in the quarter, re-draws included, with its digest."""
    low, high = day_bounds(quarter.start, quarter.end)
    rows = db.session.execute(
        select(
            DrawManifest.subject,
            Draw.round,
            Draw.drawn_at,
            Draw.selected_count,
            Draw.result_digest,
            Draw.redraw_reason,
        )
        .join(DrawManifest, DrawManifest.id == Draw.manifest_id)
        .where(DrawManifest.kind == "inspection", Draw.drawn_at >= low, Draw.drawn_at < high)
        .order_by(Draw.drawn_at, Draw.id)
    )
    return [
        {
            "plan": plan,
            "round": round_,
            "drawn_at": drawn_at,
            "selected": selected,
            "result_digest": digest,
            "redraw_reason": reason,
        }
        for plan, round_, drawn_at, selected, digest, reason in rows
    ]


def section(quarter: Quarter, as_of: date) -> dict[str, Any]:
    plans = stats.plans_in_period(quarter.start, quarter.end)
    for plan in plans:
        plan.pop("draw_id", None)
    return {
        "key": key_figures(quarter, as_of),
        "plans": plans,
        "draws": draws(quarter),
        "coverage": stats.coverage_by_class(quarter.start, quarter.end),
        "results": stats.results_by_code(quarter.start, quarter.end),
        "publication": stats.publication_timeliness(quarter.start, quarter.end, today=as_of),
        "publication_days": settings.get(PUBLICATION_DAYS.key),
    }
