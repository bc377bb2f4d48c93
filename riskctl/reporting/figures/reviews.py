"""案卷评查 figures: files reviewed, grade shares by unit, frequent deductions, rectification."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select

from riskctl.core.db import db
from riskctl.reporting.figures import rectification
from riskctl.reporting.figures.common import KeyFigure, share
from riskctl.reporting.periods import Quarter
from riskctl.reviews import stats
from riskctl.reviews.models import ReviewFile
from riskctl.reviews.options import grade_bands
from riskctl.reviews.scoring import failing_grade

TITLE = "案卷评查"
KEY_FIGURES = [
    KeyFigure("files", "评查案卷", "卷"),
    KeyFigure("failed", "不合格案卷", "卷"),
    KeyFigure("pass_rate", "案卷合格率", "%"),
]
FREQUENT_LIMIT = 10


def _files(quarter: Quarter) -> tuple[int, int, int]:
    """Confirmed files in the quarter: all, in the failing grade, referred for 追责."""
    failing = ReviewFile.grade == failing_grade(grade_bands())
    total, failed, referred = db.session.execute(
        select(
            func.count(),
            func.count().filter(failing),
            func.count().filter(ReviewFile.referred_at.is_not(None)),
        ).where(stats.for_period(quarter.start, quarter.end), ReviewFile.status == "confirmed")
    ).one()
    return int(total), int(failed or 0), int(referred or 0)


def _key(total: int, failed: int) -> dict[str, Any]:
    return {"files": total, "failed": failed, "pass_rate": share(total - failed, total)}


def key_figures(quarter: Quarter, as_of: date) -> dict[str, Any]:
    total, failed, _ = _files(quarter)
    return _key(total, failed)


def _unit_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "code": r["code"],
            "name": r["name"],
            "files": r["files"],
            "average": r["average"],
            "grades": r["grades"],
            "shares": {g: round(100 * s, 1) for g, s in r["shares"].items()},
        }
        for r in rows
    ]


def section(quarter: Quarter, as_of: date) -> dict[str, Any]:
    scope = stats.for_period(quarter.start, quarter.end)
    units = stats.grade_shares(scope)
    totals = stats.totals(units)
    total, failed, referred = _files(quarter)
    return {
        "key": _key(total, failed),
        "grades": [name for name, _ in grade_bands()],
        "totals": {
            "files": totals["files"],
            "average": totals["average"],
            "grades": totals["grades"],
        },
        "units": _unit_rows(units),
        "frequent": stats.frequent_deductions(scope, FREQUENT_LIMIT),
        "referred": referred,
        "rectification": rectification.progress(quarter, as_of, "review_finding"),
    }
