"""廉政风险点 figures: levels by unit, the heat map, changes, overdue reviews and measures.

The register as it stood on ``as_of``: points created by then and not retired
before the day ended. Levels come from the matrix in force (the register keeps
likelihood and impact, never a stored level); overdue is judged on ``as_of``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select

from riskctl.accounts.models import Unit
from riskctl.core.clock import day_bounds
from riskctl.core.db import db
from riskctl.reporting.figures.common import KeyFigure
from riskctl.reporting.periods import Quarter
from riskctl.risks.models import ACTIVE, DONE, RiskMeasure, RiskPoint, RiskPointVersion
from riskctl.risks.options import current_matrix, current_style
from riskctl.risks.queries import level_expr
from riskctl.risks.rules import HIGH, LEVELS, level_label

TITLE = "廉政风险点登记"
KEY_FIGURES = [
    KeyFigure("points", "在册风险点", "个"),
    KeyFigure("high", "高等级风险点", "个"),
    KeyFigure("overdue_reviews", "评估逾期", "个"),
    KeyFigure("overdue_measures", "防控措施逾期", "项"),
]
LIST_LIMIT = 30
P = RiskPoint


def in_register(as_of: date) -> ColumnElement[bool]:
    _, day_end = day_bounds(as_of, as_of)
    return and_(P.created_at < day_end, or_(P.status == ACTIVE, P.retired_at >= day_end))


def _overdue_measure(as_of: date) -> ColumnElement[bool]:
    return and_(RiskMeasure.deadline < as_of, RiskMeasure.status != DONE)


def key_figures(quarter: Quarter, as_of: date) -> dict[str, Any]:
    points, high, reviews = db.session.execute(
        select(
            func.count(),
            func.count().filter(level_expr() == HIGH),
            func.count().filter(P.next_review < as_of),
        ).where(in_register(as_of))
    ).one()
    measures = db.session.scalar(
        select(func.count())
        .select_from(RiskMeasure)
        .join(P, P.id == RiskMeasure.point_id)
        .where(in_register(as_of), _overdue_measure(as_of))
    )
    return {
        "points": int(points),
        "high": int(high or 0),
        "overdue_reviews": int(reviews or 0),
        "overdue_measures": int(measures or 0),
    }


def by_unit(as_of: date) -> list[dict[str, Any]]:
    level = level_expr()
    rows = db.session.execute(
        select(
            Unit.code,
            Unit.name,
            *(func.count().filter(level == name) for name in LEVELS),
            func.count(),
        )
        .select_from(P)
        .join(Unit, Unit.id == P.unit_id)
        .where(in_register(as_of))
        .group_by(Unit.code, Unit.name, Unit.path)
        .order_by(Unit.path)
    )
    return [
        {
            "code": code,
            "name": name,
            "levels": dict(zip(LEVELS, map(int, counts), strict=True)),
            "total": total,
        }
        for code, name, *counts, total in rows
    ]


def heat_map(as_of: date) -> dict[str, Any]:
    matrix = current_matrix()
    counts = [[0] * matrix.size for _ in range(matrix.size)]
    for likelihood, impact, n in db.session.execute(
        select(P.likelihood, P.impact, func.count())
        .where(in_register(as_of))
        .group_by(P.likelihood, P.impact)
    ):
        if likelihood <= matrix.size and impact <= matrix.size:
            counts[likelihood - 1][impact - 1] = n
    return {"counts": counts, "levels": [list(row) for row in matrix.cells]}


def changes(quarter: Quarter) -> list[dict[str, Any]]:
    """Per unit: points added, changed (edited or re-assessed) and retired in the quarter."""
    low, high = day_bounds(quarter.start, quarter.end)
    changed = (
        select(RiskPointVersion.point_id)
        .distinct()
        .where(
            RiskPointVersion.at >= low,
            RiskPointVersion.at < high,
            RiskPointVersion.action.in_(("update", "review", "import")),
            RiskPointVersion.number > 1,
        )
        .subquery()
    )
    rows = db.session.execute(
        select(
            Unit.code,
            Unit.name,
            func.count().filter(and_(P.created_at >= low, P.created_at < high)),
            func.count(changed.c.point_id),
            func.count().filter(and_(P.retired_at >= low, P.retired_at < high)),
        )
        .select_from(P)
        .join(Unit, Unit.id == P.unit_id)
        .outerjoin(changed, changed.c.point_id == P.id)
        .group_by(Unit.code, Unit.name, Unit.path)
        .order_by(Unit.path)
    )
    return [
        {"code": code, "name": name, "added": added, "changed": edited, "retired": retired}
        for code, name, added, edited, retired in rows
        if added or edited or retired
    ]


def retired(quarter: Quarter) -> list[dict[str, Any]]:
    low, high = day_bounds(quarter.start, quarter.end)
    rows = db.session.execute(
        select(P.id, Unit.name, P.title, P.retire_reason, P.retired_at)
        .join(Unit, Unit.id == P.unit_id)
        .where(P.retired_at >= low, P.retired_at < high)
        .order_by(P.retired_at, P.id)
        .limit(LIST_LIMIT)
    )
    return [
        {"id": id_, "unit": unit, "title": title, "reason": reason, "retired_at": at}
        for id_, unit, title, reason, at in rows
    ]


def overdue_reviews(as_of: date) -> list[dict[str, Any]]:
    rows = db.session.execute(
        select(P.id, Unit.name, P.title, P.responsible, P.next_review)
        .join(Unit, Unit.id == P.unit_id)
        .where(in_register(as_of), P.next_review < as_of)
        .order_by(P.next_review, P.id)
        .limit(LIST_LIMIT)
    )
    return [
        {
            "id": id_,
            "unit": unit,
            "title": title,
            "responsible": who,
            "due": due,
            "days_overdue": (as_of - due).days,
        }
        for id_, unit, title, who, due in rows
    ]


def overdue_measures(as_of: date) -> list[dict[str, Any]]:
    rows = db.session.execute(
        select(P.id, Unit.name, P.title, RiskMeasure.text, RiskMeasure.owner, RiskMeasure.deadline)
        .join(P, P.id == RiskMeasure.point_id)
        .join(Unit, Unit.id == P.unit_id)
        .where(in_register(as_of), _overdue_measure(as_of))
        .order_by(RiskMeasure.deadline, P.id, RiskMeasure.position)
        .limit(LIST_LIMIT)
    )
    return [
        {
            "id": id_,
            "unit": unit,
            "title": title,
            "measure": text,
            "owner": owner,
            "deadline": due,
            "days_overdue": (as_of - due).days,
        }
        for id_, unit, title, text, owner, due in rows
    ]


def section(quarter: Quarter, as_of: date) -> dict[str, Any]:
    style = current_style()
    return {
        "key": key_figures(quarter, as_of),
        "levels": LEVELS,
        "level_labels": {level: level_label(level, style) for level in LEVELS},
        "units": by_unit(as_of),
        "heat_map": heat_map(as_of),
        "changes": changes(quarter),
        "retired": retired(quarter),
        "overdue_reviews": overdue_reviews(as_of),
        "overdue_measures": overdue_measures(as_of),
    }
