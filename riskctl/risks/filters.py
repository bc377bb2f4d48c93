"""The list filters of page, API and export (筛选): unit subtree, level, status, overdue, text."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, Select, exists, or_, select
from sqlalchemy.orm import contains_eager, selectinload

from riskctl.accounts.models import Unit
from riskctl.core.db import db
from riskctl.core.errors import BadRequest
from riskctl.risks.models import ACTIVE, DONE, RETIRED, RiskMeasure, RiskPoint
from riskctl.risks.queries import level_expr, scoped
from riskctl.risks.rules import parse_level

OVERDUE_CHOICES = {"review": "评估逾期", "measure": "措施逾期", "any": "评估或措施逾期"}
STATUS_CHOICES = {ACTIVE: "在用", RETIRED: "已停用", "all": "全部"}


@dataclass(frozen=True)
class RiskFilter:
    """The list filters of page, API and export (单位、等级、状态、逾期、关键词)."""

    unit: str = ""
    level: str = ""
    status: str = ACTIVE
    overdue: str = ""
    q: str = ""

    @classmethod
    def from_args(cls, args: dict[str, str]) -> RiskFilter:
        values = {k: (args.get(k) or "").strip() for k in ("unit", "level", "overdue", "q")}
        flt = cls(status=(args.get("status") or ACTIVE).strip(), **values)
        flt.check()
        return flt

    def check(self) -> None:
        if self.level and parse_level(self.level) is None:
            raise BadRequest(
                "风险等级筛选须为 高、中、低（或 一级、二级、三级）",
                {"level": [f"无效的等级“{self.level}”"]},
            )
        if self.status not in STATUS_CHOICES:
            raise BadRequest(
                "状态筛选须为 active、retired 或 all", {"status": [f"无效的状态“{self.status}”"]}
            )
        if self.overdue and self.overdue not in OVERDUE_CHOICES:
            raise BadRequest(
                "逾期筛选须为 review、measure 或 any", {"overdue": [f"无效的取值“{self.overdue}”"]}
            )


def _measure_overdue(today: date) -> ColumnElement[bool]:
    return exists().where(
        RiskMeasure.point_id == RiskPoint.id,
        RiskMeasure.deadline < today,
        RiskMeasure.status != DONE,
    )


_SEARCHED = (
    RiskPoint.title,
    RiskPoint.description,
    RiskPoint.post,
    RiskPoint.power,
    RiskPoint.responsible,
    RiskPoint.indicator,
)


def filtered(query: Select, flt: RiskFilter, unit_ids: list[int] | None, today: date) -> Select:
    """``query`` (over risk_points joined to units) narrowed by ``flt``, in register order."""
    query = scoped(query, unit_ids)
    if flt.unit:
        unit = db.session.scalar(select(Unit).where(Unit.code == flt.unit))
        if unit is None:
            raise BadRequest(f"单位 {flt.unit} 不存在", {"unit": [f"单位 {flt.unit} 不存在"]})
        query = query.where(Unit.path.startswith(unit.path))
    if flt.status != "all":
        query = query.where(RiskPoint.status == flt.status)
    if flt.level:
        query = query.where(level_expr() == parse_level(flt.level))
    if flt.overdue:
        review = RiskPoint.next_review < today
        measure = _measure_overdue(today)
        query = query.where(
            {"review": review, "measure": measure}.get(flt.overdue, or_(review, measure))
        )
    if flt.q:
        query = query.where(or_(*(c.icontains(flt.q, autoescape=True) for c in _SEARCHED)))
    return query.order_by(Unit.path, RiskPoint.post, RiskPoint.id)


def list_query(
    flt: RiskFilter, unit_ids: list[int] | None, today: date, *, load: bool = True
) -> Select:
    """Points matching ``flt``, in register order (unit, post), with unit and measures
    loaded (``load``; a lean page reads its own columns)."""
    query = filtered(select(RiskPoint).join(RiskPoint.unit), flt, unit_ids, today)
    if not load:
        return query
    return query.options(contains_eager(RiskPoint.unit), selectinload(RiskPoint.measures))
