"""Register rules (廉政风险点台账): reviews and control measures overdue, and a person holding
a high-risk post longer than the rotation tenure (轮岗).

These warnings bear on a known risk point: each is linked to it when raised.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from dateutil.relativedelta import relativedelta

from riskctl.warnings.rules.base import MAX_EVIDENCE, RED, YELLOW, Evidence, Signal


class OverdueReview(Protocol):
    """A risk point past its review date, as ``riskctl.risks.queries.overdue_reviews`` gives it."""

    point_id: int
    unit_code: str
    unit_name: str
    post: str
    title: str
    next_review: date
    days_overdue: int


class OverdueMeasure(Protocol):
    """A control measure past its deadline, as ``riskctl.risks.queries.overdue_measures``
    gives it."""

    point_id: int
    unit_code: str
    unit_name: str
    title: str
    measure: str
    owner: str
    deadline: date
    days_overdue: int


def _colour(days: int, params: Mapping[str, Any]) -> str:
    return RED if days >= max(params["red_days"], params["min_days"]) else YELLOW


def _point(point_id: int, label: str) -> Evidence:
    return Evidence(label, "risk_point", str(point_id))


def review_signals(rows: Sequence[OverdueReview], params: Mapping[str, Any]) -> list[Signal]:
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


def measure_signals(rows: Sequence[OverdueMeasure], params: Mapping[str, Any]) -> list[Signal]:
    """Per risk point, its measures overdue by ``min_days``: yellow, red from ``red_days``."""
    points: dict[int, list[OverdueMeasure]] = {}
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


# Rotation (轮岗) ------------------------------------------------------------------


@dataclass(frozen=True)
class Holding:
    unit: str
    unit_name: str
    post: str
    person: str
    since: date  # the first version from which the person has been responsible without a break
    points: tuple[tuple[int, str], ...]  # (risk point id, title)


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
