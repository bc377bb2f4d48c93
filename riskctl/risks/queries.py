"""Reading the register: points, overdue reviews and measures, quality problems, aggregates.

Every function takes ``unit_ids`` (from ``visible_unit_ids``): None for the whole
bureau, else the officer's subtree. Filtering and counting happen in SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    Select,
    String,
    Text,
    case,
    cast,
    exists,
    func,
    literal,
    null,
    select,
)

from riskctl.accounts.models import Unit
from riskctl.core.db import db
from riskctl.core.errors import BadRequest, NotFound
from riskctl.risks.models import ACTIVE, DONE, RiskMeasure, RiskPoint, RiskPointVersion
from riskctl.risks.options import current_matrix
from riskctl.risks.rules import HIGH, LEVELS, Matrix

QUALITY_RULES = {
    "high_without_measure": "高风险点缺少有责任人和时限的措施",
    "review_overdue": "评估逾期",
    "measure_overdue": "措施逾期",
    "no_responsible": "未填写责任人",
}


def level_expr(matrix: Matrix | None = None) -> ColumnElement[str]:
    """The level as SQL, from the matrix in force: never stale after the matrix changes."""
    matrix = matrix or current_matrix()
    return case(matrix.by_code(), value=RiskPoint.likelihood * 10 + RiskPoint.impact, else_=None)


def level_rank(matrix: Matrix | None = None) -> ColumnElement[int]:
    """Sort key of the level: descending lists the highest level first."""
    return case({lv: -i for i, lv in enumerate(LEVELS)}, value=level_expr(matrix))


def scoped(query: Select, unit_ids: list[int] | None) -> Select:
    """``query`` limited to points of ``unit_ids`` (None: the whole bureau)."""
    return query if unit_ids is None else query.where(RiskPoint.unit_id.in_(unit_ids))


def point_or_404(point_id: int, unit_ids: list[int] | None) -> RiskPoint:
    """A point the reader may see; 404 alike for a missing point and one outside their units."""
    point = db.session.get(RiskPoint, point_id)
    if point is None or (unit_ids is not None and point.unit_id not in unit_ids):
        raise NotFound(f"风险点 {point_id} 不存在或不在您的单位范围内")
    return point


def point_for_update(point_id: int) -> RiskPoint:
    """The point, locked for this transaction (PostgreSQL), so that edits queue up."""
    point = db.session.scalar(
        select(RiskPoint)
        .where(RiskPoint.id == point_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if point is None:
        raise NotFound(f"风险点 {point_id} 不存在")
    return point


def history_query(point: RiskPoint) -> Select:
    """The point's versions, newest first."""
    return (
        select(RiskPointVersion)
        .where(RiskPointVersion.point_id == point.id)
        .order_by(RiskPointVersion.number.desc())
    )


# Overdue (逾期) ----------------------------------------------------------------


@dataclass(frozen=True)
class OverdueReview:
    point_id: int
    unit_code: str
    unit_name: str
    post: str
    title: str
    responsible: str
    next_review: date
    days_overdue: int


@dataclass(frozen=True)
class OverdueMeasure:
    point_id: int
    unit_code: str
    unit_name: str
    title: str
    measure: str
    owner: str
    deadline: date
    days_overdue: int


def overdue_reviews(today: date, unit_ids: list[int] | None = None) -> list[OverdueReview]:
    """Active points whose next review date has passed, the longest overdue first."""
    query = scoped(
        select(
            RiskPoint.id,
            Unit.code,
            Unit.name,
            RiskPoint.post,
            RiskPoint.title,
            RiskPoint.responsible,
            RiskPoint.next_review,
        )
        .join(RiskPoint.unit)
        .where(RiskPoint.status == ACTIVE, RiskPoint.next_review < today)
        .order_by(RiskPoint.next_review, RiskPoint.id),
        unit_ids,
    )
    return [
        OverdueReview(*row, (today - row.next_review).days) for row in db.session.execute(query)
    ]


def overdue_measures(today: date, unit_ids: list[int] | None = None) -> list[OverdueMeasure]:
    """Unfinished measures of active points past their deadline, the longest overdue first."""
    query = scoped(
        select(
            RiskPoint.id,
            Unit.code,
            Unit.name,
            RiskPoint.title,
            RiskMeasure.text,
            RiskMeasure.owner,
            RiskMeasure.deadline,
        )
        .join(RiskMeasure.point)
        .join(RiskPoint.unit)
        .where(RiskPoint.status == ACTIVE, RiskMeasure.deadline < today, RiskMeasure.status != DONE)
        .order_by(RiskMeasure.deadline, RiskPoint.id, RiskMeasure.position),
        unit_ids,
    )
    return [OverdueMeasure(*row, (today - row.deadline).days) for row in db.session.execute(query)]


def overdue_counts(today: date, unit_ids: list[int] | None = None) -> tuple[int, int]:
    """(overdue reviews, overdue measures) as two SQL counts, for the home card and warnings."""
    reviews = scoped(
        select(func.count(RiskPoint.id)).where(
            RiskPoint.status == ACTIVE, RiskPoint.next_review < today
        ),
        unit_ids,
    )
    measures = scoped(
        select(func.count(RiskMeasure.id))
        .join(RiskMeasure.point)
        .where(
            RiskPoint.status == ACTIVE, RiskMeasure.deadline < today, RiskMeasure.status != DONE
        ),
        unit_ids,
    )
    return db.session.scalar(reviews), db.session.scalar(measures)


# Quality check (质量检查) ---------------------------------------------------------


@dataclass(frozen=True)
class QualityProblem:
    point_id: int
    unit_code: str
    unit_name: str
    title: str
    level: str | None
    rule: str
    reason: str


def _rule_parts(today: date, matrix: Matrix) -> dict[str, Select]:
    owned_measure = exists().where(
        RiskMeasure.point_id == RiskPoint.id,
        RiskMeasure.owner != "",
        RiskMeasure.deadline.is_not(None),
    )

    def part(rule: str, measure: Any = None, due: Any = None) -> Select:
        return select(
            RiskPoint.id.label("point_id"),
            cast(literal(rule), String(30)).label("rule"),
            (cast(null(), Text) if measure is None else measure).label("measure"),
            (cast(null(), Date) if due is None else due).label("due"),
        )

    return {
        "high_without_measure": part("high_without_measure").where(
            level_expr(matrix) == HIGH, ~owned_measure
        ),
        "review_overdue": part("review_overdue", due=RiskPoint.next_review).where(
            RiskPoint.next_review < today
        ),
        "measure_overdue": part("measure_overdue", RiskMeasure.text, RiskMeasure.deadline)
        .join(RiskMeasure, RiskMeasure.point_id == RiskPoint.id)
        .where(RiskMeasure.deadline < today, RiskMeasure.status != DONE),
        "no_responsible": part("no_responsible").where(RiskPoint.responsible == ""),
    }


def quality_query(today: date, unit_ids: list[int] | None = None, rule: str = "") -> Select:
    """One row per broken rule: (point, rule, measure text, due date), register order."""
    matrix = current_matrix()
    parts = [
        scoped(part.where(RiskPoint.status == ACTIVE), unit_ids)
        for name, part in _rule_parts(today, matrix).items()
        if not rule or name == rule
    ]
    found = parts[0].union_all(*parts[1:]).subquery() if len(parts) > 1 else parts[0].subquery()
    point_id, rule_col, measure, due = found.c.point_id, found.c.rule, found.c.measure, found.c.due
    return (
        select(
            point_id,
            Unit.code,
            Unit.name,
            RiskPoint.title,
            RiskPoint.likelihood,
            RiskPoint.impact,
            rule_col,
            measure,
            due,
        )
        .join(RiskPoint, RiskPoint.id == point_id)
        .join(RiskPoint.unit)
        .order_by(Unit.path, point_id, rule_col, due)
    )


def quality_counts(today: date, unit_ids: list[int] | None = None) -> dict[str, int]:
    found = quality_query(today, unit_ids).subquery()
    rows = db.session.execute(select(found.c.rule, func.count()).group_by(found.c.rule))
    counts = dict.fromkeys(QUALITY_RULES, 0)
    counts.update({rule: n for rule, n in rows})
    return counts


def quality_sorting(query: Select) -> tuple[dict[str, Any], tuple[Any, ...]]:
    """The sortable columns of the 质量检查 list over ``quality_query`` (for ``listing``)
    and its own order, which breaks ties: 问题 sorts by the rule's Chinese name."""
    c = query.selected_columns
    sorts = {
        "unit": Unit.path,
        "point": c.point_id,
        "level": level_rank(),
        "rule": case(QUALITY_RULES, value=c.rule),
    }
    return sorts, (Unit.path, c.point_id, c.rule, c.due)


def quality_problems(
    today: date,
    unit_ids: list[int] | None = None,
    rule: str = "",
    limit: int | None = None,
    offset: int = 0,
) -> list[QualityProblem]:
    """The points that break the register's rules, each with the reason in Chinese."""
    query = quality_query(today, unit_ids, rule).limit(limit).offset(offset)
    return quality_rows(db.session.execute(query), today)


def quality_rows(rows: Any, today: date) -> list[QualityProblem]:
    """``quality_query`` rows as problems, each with its level and the reason in Chinese."""
    matrix = current_matrix()
    return [
        QualityProblem(
            pid,
            code,
            name,
            title,
            matrix.level(lk, im),
            rule_name,
            _reason(rule_name, text, due, today),
        )
        for pid, code, name, title, lk, im, rule_name, text, due in rows
    ]


def _reason(rule: str, measure: str | None, due: date | None, today: date) -> str:
    if rule == "review_overdue":
        return f"应于 {due.isoformat()} 评估，已逾期 {(today - due).days} 天"
    if rule == "measure_overdue":
        return f"防控措施“{measure}”应于 {due.isoformat()} 完成，已逾期 {(today - due).days} 天"
    if rule == "high_without_measure":
        return "高风险点没有一条同时写明责任人和完成时限的防控措施"
    return "未填写责任人"


# Aggregates (统计) ----------------------------------------------------------------


@dataclass(frozen=True)
class LevelCount:
    unit_code: str
    unit_name: str
    level: str | None
    count: int


def counts_by_level_and_unit(unit_ids: list[int] | None = None) -> list[LevelCount]:
    """Active points per unit and level, in unit-tree order (one GROUP BY)."""
    level = level_expr()
    query = scoped(
        select(Unit.code, Unit.name, level.label("level"), func.count(RiskPoint.id))
        .join(RiskPoint.unit)
        .where(RiskPoint.status == ACTIVE)
        .group_by(Unit.code, Unit.name, Unit.path, level)
        .order_by(Unit.path, level),
        unit_ids,
    )
    return [LevelCount(*row) for row in db.session.execute(query)]


@dataclass(frozen=True)
class HeatMap:
    """Active points per (likelihood, impact): ``counts[l - 1][i - 1]``, levels alike."""

    counts: list[list[int]]
    levels: list[list[str]]

    @property
    def total(self) -> int:
        return sum(map(sum, self.counts))


def heat_map(unit: str | None = None, unit_ids: list[int] | None = None) -> HeatMap:
    """Likelihood × impact counts for the bureau or one unit's subtree (热力图)."""
    matrix = current_matrix()
    query = scoped(
        select(RiskPoint.likelihood, RiskPoint.impact, func.count(RiskPoint.id))
        .join(RiskPoint.unit)
        .where(RiskPoint.status == ACTIVE)
        .group_by(RiskPoint.likelihood, RiskPoint.impact),
        unit_ids,
    )
    if unit:
        path = db.session.scalar(select(Unit.path).where(Unit.code == unit))
        if path is None:
            raise BadRequest(f"单位 {unit} 不存在", {"unit": [f"单位 {unit} 不存在"]})
        query = query.where(Unit.path.startswith(path))
    counts = [[0] * matrix.size for _ in range(matrix.size)]
    for likelihood, impact, n in db.session.execute(query):
        if likelihood <= matrix.size and impact <= matrix.size:
            counts[likelihood - 1][impact - 1] = n
    return HeatMap(counts, [list(row) for row in matrix.cells])


def largest_scale_in_use() -> int:
    """The largest likelihood or impact any point uses (a smaller matrix would orphan it)."""
    row = db.session.execute(
        select(func.max(RiskPoint.likelihood), func.max(RiskPoint.impact))
    ).one()
    return max(row[0] or 0, row[1] or 0)
