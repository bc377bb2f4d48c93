"""廉政风险点: through the register's operations, or as bare rows with a holder history."""

from __future__ import annotations

from datetime import date, timedelta

from riskctl.core import clock
from riskctl.core.db import db
from riskctl.risks import operations as register
from riskctl.risks.models import RiskPoint, RiskPointVersion
from tests.factories.common import at, unit


def risk_point(
    unit_code: str,
    title: str,
    likelihood: int,
    impact: int,
    created: date,
    next_review: date,
    measures: list[dict] | None = None,
) -> RiskPoint:
    """A point registered by the discipline committee, dated ``created`` (Beijing)."""
    point = register.create_point(
        {
            "unit": unit_code,
            "post": "执法岗",
            "power": "行政处罚",
            "stage": "决定",
            "title": title,
            "likelihood": likelihood,
            "impact": impact,
            "next_review": next_review,
            "responsible": "张勇",
            "measures": measures or [],
        },
        actor="discipline",
    )
    point.created_at = point.updated_at = at(created)
    for version in db.session.query(RiskPointVersion).filter_by(point_id=point.id):
        version.at = at(created)
    db.session.commit()
    return point


def retire(point: RiskPoint, on: date, reason: str = "岗位撤并，风险点不再存在") -> None:
    register.retire_point(point, reason, actor="discipline")
    point.retired_at = at(on)
    db.session.commit()


def held_post(
    unit_code: str = "ZD1-1",
    *,
    title: str = "暂扣物品处置不规范",
    responsible: str = "张三",
    next_review: date | None = None,
    likelihood: int = 3,
    impact: int = 3,
    holders: tuple[tuple[str, int], ...] = (),
) -> RiskPoint:
    """A bare point row; ``holders`` are (responsible, days ago) versions, oldest first."""
    point = RiskPoint(
        unit_id=unit(unit_code).id,
        post="暂扣物品保管员",
        power="暂扣物品处置",
        stage="执行",
        title=title,
        likelihood=likelihood,
        impact=impact,
        responsible=responsible,
        next_review=next_review or clock.today() + timedelta(days=30),
    )
    db.session.add(point)
    db.session.flush()
    for number, (person, days_ago) in enumerate(holders, 1):
        db.session.add(
            RiskPointVersion(
                point_id=point.id,
                number=number,
                action="update" if number > 1 else "create",
                actor="discipline",
                reason="调整",
                at=clock.now() - timedelta(days=days_ago),
                snapshot={"responsible": person},
                changes=[],
            )
        )
    db.session.commit()
    return point
