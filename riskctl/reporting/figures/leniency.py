"""首违不罚 figures: decisions by item and unit, correction, refused repeats, unit rates."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select

from riskctl.core.db import db
from riskctl.leniency.models import LeniencyRecord, LeniencyRefusal
from riskctl.leniency.options import rate_warning_ratio
from riskctl.leniency.rules import FIRST_OFFENCE
from riskctl.leniency.stats import queries as stats
from riskctl.reporting.figures.common import KeyFigure, share
from riskctl.reporting.periods import Quarter

TITLE = "首违不罚"
KEY_FIGURES = [
    KeyFigure("decisions", "首违不罚决定", "件"),
    KeyFigure("correction_rate", "复查改正率", "%"),
    KeyFigure("refused", "拒绝的重复申请", "次"),
]


def _period(quarter: Quarter) -> stats.Period:
    return stats.Period(quarter.start, quarter.end)


def _decisions(quarter: Quarter) -> tuple[int, int]:
    total, first = db.session.execute(
        select(func.count(), func.count().filter(LeniencyRecord.ground == FIRST_OFFENCE)).where(
            LeniencyRecord.occurred_on.between(quarter.start, quarter.end)
        )
    ).one()
    return int(total), int(first or 0)


def _refused(quarter: Quarter) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(LeniencyRefusal)
        .where(LeniencyRefusal.occurred_on.between(quarter.start, quarter.end))
    )


def _rate(correction: stats.Correction) -> float | None:
    return share(correction.passed, correction.passed + correction.failed)


def key_figures(quarter: Quarter, as_of: date) -> dict[str, Any]:
    total, _ = _decisions(quarter)
    correction = stats.correction(_period(quarter), as_of)
    return {"decisions": total, "correction_rate": _rate(correction), "refused": _refused(quarter)}


def _counts(rows: list[stats.Count]) -> list[dict[str, Any]]:
    return [
        {
            "code": c.key,
            "name": c.label,
            "total": c.total,
            "first_offence": c.first_offence,
            "minor": c.minor,
        }
        for c in rows
    ]


def section(quarter: Quarter, as_of: date) -> dict[str, Any]:
    period = _period(quarter)
    total, first = _decisions(quarter)
    correction = stats.correction(period, as_of)
    rates = stats.unit_rates(period, rate_warning_ratio())
    refused = stats.refusals_by_unit(period)
    return {
        "key": {
            "decisions": total,
            "correction_rate": _rate(correction),
            "refused": sum(n for _, _, n in refused),
        },
        "first_offence": first,
        "minor": total - first,
        "items": _counts(stats.by_item(period)),
        "units": [
            {**row, "share": share(row["total"], total)} for row in _counts(stats.by_unit(period))
        ],
        "correction": {
            "passed": correction.passed,
            "failed": correction.failed,
            "pending": correction.pending,
            "overdue": correction.overdue,
        },
        "refused_by_unit": [{"code": code, "name": name, "count": n} for code, name, n in refused],
        "warn_ratio": rate_warning_ratio(),
        "median": rates.median,
        "unit_rates": [
            {
                "code": r.key,
                "name": r.label,
                "decisions": r.decisions,
                "officers": r.officers,
                "rate": r.rate,
                "ratio": r.ratio,
                "flagged": r.flagged,
            }
            for r in rates.rows
        ],
    }
