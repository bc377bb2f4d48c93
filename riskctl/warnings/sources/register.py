"""Register rules (廉政风险点台账): what they read (the risk points, their measures and
versions) and their settings."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import aliased

from riskctl.accounts.models import Unit
from riskctl.core import clock
from riskctl.core.db import db
from riskctl.risks import queries as register
from riskctl.risks.models import ACTIVE, RiskPoint, RiskPointVersion
from riskctl.risks.rules import HIGH
from riskctl.warnings.rules.register import (
    Holding,
    Holdings,
    measure_signals,
    review_signals,
    tenure_signals,
)
from riskctl.warnings.sources.base import ScanContext, define_rule, whole

_OVERDUE_THRESHOLDS = {
    "min_days": ("逾期天数达到多少天即预警", 1, whole(1, 3650, "天")),
    "red_days": ("逾期天数达到多少天为红色", 30, whole(1, 3650, "天")),
}


REVIEW_OVERDUE = define_rule(
    "risk_review_overdue",
    "风险点评估逾期",
    "在用风险点超过下次评估日期仍未评估，逾期达到设定天数为黄色，达到红色天数为红色。",
    gather=lambda ctx, params: register.overdue_reviews(ctx.today),
    evaluate=review_signals,
    thresholds=_OVERDUE_THRESHOLDS,
)


MEASURE_OVERDUE = define_rule(
    "risk_measure_overdue",
    "防控措施逾期",
    "在用风险点的防控措施超过完成时限仍未落实，逾期达到设定天数为黄色，达到红色天数为红色。",
    gather=lambda ctx, params: register.overdue_measures(ctx.today),
    evaluate=measure_signals,
    thresholds=_OVERDUE_THRESHOLDS,
)


def _gather_holdings(ctx: ScanContext, params: Mapping[str, Any]) -> list[Holding]:
    """Who is responsible (责任人) for the active 高 points, and since when, from the versions."""
    held = RiskPointVersion.snapshot["responsible"].as_string()
    later = aliased(RiskPointVersion)
    unbroken = ~exists().where(
        later.point_id == RiskPointVersion.point_id,
        later.number > RiskPointVersion.number,
        later.snapshot["responsible"].as_string() != RiskPoint.responsible,
    )
    since = (
        select(RiskPointVersion.point_id, func.min(RiskPointVersion.at).label("since"))
        .join(RiskPoint, RiskPoint.id == RiskPointVersion.point_id)
        .where(held == RiskPoint.responsible, unbroken)
        .group_by(RiskPointVersion.point_id)
        .subquery()
    )
    rows = db.session.execute(
        select(
            Unit.code,
            Unit.name,
            RiskPoint.post,
            RiskPoint.responsible,
            RiskPoint.id,
            RiskPoint.title,
            since.c.since,
        )
        .join(Unit, Unit.id == RiskPoint.unit_id)
        .join(since, since.c.point_id == RiskPoint.id)
        .where(
            and_(
                RiskPoint.status == ACTIVE,
                RiskPoint.responsible != "",
                register.level_expr() == HIGH,
            )
        )
        .order_by(Unit.code, RiskPoint.post, RiskPoint.responsible, RiskPoint.id)
    )
    found: dict[tuple[str, str, str], Holding] = {}
    for unit, name, post, person, point_id, title, start in rows:
        day = clock.local_date(start)
        known = found.get((unit, post, person))
        if known:
            day, points = min(day, known.since), (*known.points, (point_id, title))
        else:
            points = ((point_id, title),)
        found[(unit, post, person)] = Holding(unit, name, post, person, day, points)
    return list(found.values())


TENURE = define_rule(
    "post_tenure",
    "高风险岗位任职超期未轮岗",
    "同一人担任高风险点所在岗位的责任人（按风险点版本记录计算，自连续担任起）达到设定月数为黄色，"
    "再超过一年为红色，提示安排轮岗。",
    gather=lambda ctx, params: Holdings(ctx.today, tuple(_gather_holdings(ctx, params))),
    evaluate=tenure_signals,
    thresholds={"months": ("轮岗期限", 60, whole(1, 600, "个月"))},
)
