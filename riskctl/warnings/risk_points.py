"""The risk point (廉政风险点) a warning bears on, read from the register."""

from __future__ import annotations

from sqlalchemy import select

from riskctl.accounts.models import Unit
from riskctl.core.db import db
from riskctl.risks.models import ACTIVE, RiskPoint


def risk_point_label(risk_point_id: int) -> str | None:
    """ "#12 市容秩序第一中队 · 执法队员 · 风险点" for an active risk point, else None."""
    point = db.session.get(RiskPoint, risk_point_id)
    if point is None or point.status != ACTIVE:
        return None
    return f"#{point.id} {point.unit.name} · {point.post} · {point.title}"


def candidates(unit: Unit | None, limit: int = 300) -> list[tuple[int, str]]:
    """Active risk points to link a warning to: the unit's subtree, or the whole register."""
    query = (
        select(RiskPoint.id, Unit.name, RiskPoint.post, RiskPoint.title)
        .join(Unit, Unit.id == RiskPoint.unit_id)
        .where(RiskPoint.status == ACTIVE)
        .order_by(Unit.path, RiskPoint.post, RiskPoint.id)
        .limit(limit)
    )
    if unit is not None:
        query = query.where(Unit.path.startswith(unit.path))
    return [
        (pid, f"#{pid} {name} · {post} · {title}")
        for pid, name, post, title in db.session.execute(query)
    ]
