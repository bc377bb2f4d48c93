"""Register rules (廉政风险点台账): reviews and control measures overdue, and a person holding
a high-risk post longer than the rotation tenure (轮岗).

These warnings bear on a known risk point: each is linked to it when raised.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from dateutil.relativedelta import relativedelta
from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import aliased

from riskctl.accounts.models import Unit
from riskctl.core import clock
from riskctl.core.db import db
from riskctl.risks import queries as register
from riskctl.risks.models import ACTIVE, RiskPoint, RiskPointVersion
from riskctl.risks.rules import HIGH
from riskctl.warnings.rules.base import (
    MAX_EVIDENCE,
    RED,
    YELLOW,
    Evidence,
    ScanContext,
    Signal,
    define_rule,
    whole,
)

_OVERDUE_THRESHOLDS = {
    "min_days": ("逾期天数达到多少天即预警", 1, whole(1, 3650, "天")),
    "red_days": ("逾期天数达到多少天为红色", 30, whole(1, 3650, "天")),
}


def _colour(days: int, params: Mapping[str, Any]) -> str:
    return RED if days >= max(params["red_days"], params["min_days"]) else YELLOW


def _point(point_id: int, label: str) -> Evidence:
    return Evidence(label, "risk_point", str(point_id))


def review_signals(
    rows: Sequence[register.OverdueReview], params: Mapping[str, Any]
) -> list[Signal]:
    """A risk point whose review date passed ``min_days`` ago: yellow, red from ``red_days``."""
    return [
        Signal(
            f"risk_point:{r.point_id}:review:{r.next_review.isoformat()}",
            r.unit_code,
            _colour(r.days_overdue, params),
            f"{r.unit_name}风险点“{r.title}”应于 {r.next_review.isoformat()} 评估，已逾期 "
            f"{r.days_overdue} 天",
            (_point(r.point_id, f"风险点 #{r.point_id}：{r.post} · {r.title}"),),
            risk_point_id=r.point_id,
        )
        for r in rows
        if r.days_overdue >= params["min_days"]
    ]


REVIEW_OVERDUE = define_rule(
    "risk_review_overdue",
    "风险点评估逾期",
    "在用风险点超过下次评估日期仍未评估，逾期达到设定天数为黄色，达到红色天数为红色。",
    gather=lambda ctx, params: register.overdue_reviews(ctx.today),
    evaluate=review_signals,
    thresholds=_OVERDUE_THRESHOLDS,
)


def measure_signals(
    rows: Sequence[register.OverdueMeasure], params: Mapping[str, Any]
) -> list[Signal]:
    """Per risk point, its measures overdue by ``min_days``: yellow, red from ``red_days``."""
    points: dict[int, list[register.OverdueMeasure]] = {}
    for row in rows:
        if row.days_overdue >= params["min_days"]:
            points.setdefault(row.point_id, []).append(row)
    signals = []
    for point_id, measures in points.items():
        first = measures[0]
        worst = max(m.days_overdue for m in measures)
        evidence = tuple(
            Evidence(
                f"防控措施“{m.measure}”（责任人 {m.owner or '未填写'}，"
                f"应于 {m.deadline.isoformat()} 完成）",
                "risk_measure",
                f"{point_id}:{m.deadline.isoformat()}:{m.measure[:40]}",
                (("point_id", str(point_id)),),
            )
            for m in measures[:MAX_EVIDENCE]
        )
        signals.append(
            Signal(
                f"risk_point:{point_id}:measures",
                first.unit_code,
                _colour(worst, params),
                f"{first.unit_name}风险点“{first.title}”有 {len(measures)} 项防控措施逾期未落实，"
                f"最长逾期 {worst} 天",
                evidence,
                risk_point_id=point_id,
            )
        )
    return signals


MEASURE_OVERDUE = define_rule(
    "risk_measure_overdue",
    "防控措施逾期",
    "在用风险点的防控措施超过完成时限仍未落实，逾期达到设定天数为黄色，达到红色天数为红色。",
    gather=lambda ctx, params: register.overdue_measures(ctx.today),
    evaluate=measure_signals,
    thresholds=_OVERDUE_THRESHOLDS,
)


# Rotation (轮岗) ------------------------------------------------------------------


@dataclass(frozen=True)
class Holding:
    unit: str
    unit_name: str
    post: str
    person: str
    since: date  # the first version from which the person has been responsible without a break
    points: tuple[tuple[int, str], ...]  # (risk point id, title)


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


@dataclass(frozen=True)
class Holdings:
    today: date
    rows: tuple[Holding, ...]


def tenure_signals(holdings: Holdings, params: Mapping[str, Any]) -> list[Signal]:
    """Holding a high-risk post ``months`` or longer: yellow; a year past that: red."""
    limit = params["months"]
    signals = []
    for h in holdings.rows:
        span = relativedelta(holdings.today, h.since)
        held = span.years * 12 + span.months
        if held < limit:
            continue
        signals.append(
            Signal(
                f"post:{h.unit}:{h.post}:{h.person}",
                h.unit,
                RED if held >= limit + 12 else YELLOW,
                f"{h.person} 自 {h.since.isoformat()} 起"
                f"担任{h.unit_name}高风险岗位“{h.post}”的责任人，"
                f"已 {held // 12} 年 {held % 12} 个月，超过轮岗期限 {limit} 个月",
                tuple(
                    _point(pid, f"高风险点 #{pid}：{title}")
                    for pid, title in h.points[:MAX_EVIDENCE]
                ),
                risk_point_id=h.points[0][0],
            )
        )
    return signals


TENURE = define_rule(
    "post_tenure",
    "高风险岗位任职超期未轮岗",
    "同一人担任高风险点所在岗位的责任人（按风险点版本记录计算，自连续担任起）达到设定月数为黄色，"
    "再超过一年为红色，提示安排轮岗。",
    gather=lambda ctx, params: Holdings(ctx.today, tuple(_gather_holdings(ctx, params))),
    evaluate=tenure_signals,
    thresholds={"months": ("轮岗期限", 60, whole(1, 600, "个月"))},
)
