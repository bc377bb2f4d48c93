"""Integrity risk points (廉政风险点), their control measures and their versions."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from riskctl.accounts.models import Unit
from riskctl.core import clock
from riskctl.core.db import UTCDateTime, db
from riskctl.risks.rules import MAX_SCALE

ACTIVE, RETIRED = "active", "retired"
STATUS_LABELS = {ACTIVE: "在用", RETIRED: "已停用"}
MEASURE_STATUSES = {"planned": "未开始", "in_progress": "落实中", "done": "已落实"}
DONE = "done"
STAGES = ("受理", "承办", "审查", "决定", "执行")
POWERS = (
    "行政处罚",
    "行政许可",
    "行政强制",
    "暂扣物品处置",
    "罚没款管理",
    "政府采购",
    "人事",
    "财务",
)
CATEGORIES = ("岗位职责风险", "制度机制风险", "思想道德风险", "外部环境风险")

# Field → Chinese name, in the order of the bureau's spreadsheet (api.md).
FIELD_LABELS = {
    "unit": "单位",
    "post": "岗位",
    "power": "职权",
    "stage": "环节",
    "title": "风险点",
    "description": "表现形式",
    "category": "风险类别",
    "likelihood": "可能性",
    "impact": "影响程度",
    "level": "风险等级",
    "measures": "防控措施",
    "responsible": "责任人",
    "supervisor": "责任领导",
    "indicator": "监测指标",
    "next_review": "下次评估日期",
    "last_reviewed": "上次评估日期",
    "status": "状态",
}


class RiskPoint(db.Model):
    """One risk point of a unit's post and power; never deleted, retired with a reason."""

    __tablename__ = "risk_points"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    post: Mapped[str] = mapped_column(String(100))
    power: Mapped[str] = mapped_column(String(100))
    stage: Mapped[str] = mapped_column(String(50))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str] = mapped_column(String(50), default="")
    likelihood: Mapped[int] = mapped_column(Integer)
    impact: Mapped[int] = mapped_column(Integer)
    responsible: Mapped[str] = mapped_column(String(60), default="")
    supervisor: Mapped[str] = mapped_column(String(60), default="")
    indicator: Mapped[str] = mapped_column(Text, default="")
    next_review: Mapped[date] = mapped_column(Date, index=True)
    last_reviewed: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default=ACTIVE, index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    retire_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    unit: Mapped[Unit] = relationship()
    measures: Mapped[list[RiskMeasure]] = relationship(
        back_populates="point", order_by="RiskMeasure.position", cascade="all, delete-orphan"
    )

    __table_args__ = (
        CheckConstraint(f"status IN ('{ACTIVE}', '{RETIRED}')", name="status"),
        CheckConstraint(f"likelihood BETWEEN 1 AND {MAX_SCALE}", name="likelihood"),
        CheckConstraint(f"impact BETWEEN 1 AND {MAX_SCALE}", name="impact"),
        CheckConstraint("version >= 1", name="version"),
        CheckConstraint("status = 'active' OR retire_reason IS NOT NULL", name="retired_reason"),
        # Import matches by unit + post + title: two active points must not share them.
        Index(
            "uq_risk_points_active_key",
            "unit_id",
            "post",
            "title",
            unique=True,
            postgresql_where=text("status = 'active'"),
            sqlite_where=text("status = 'active'"),
        ),
    )


class RiskMeasure(db.Model):
    """A control measure (防控措施) with its owner, deadline and status."""

    __tablename__ = "risk_measures"

    id: Mapped[int] = mapped_column(primary_key=True)
    point_id: Mapped[int] = mapped_column(ForeignKey("risk_points.id"))
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(60), default="")
    deadline: Mapped[date | None] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(20), default="planned")

    point: Mapped[RiskPoint] = relationship(back_populates="measures")

    __table_args__ = (
        CheckConstraint(f"status IN {tuple(MEASURE_STATUSES)}", name="status"),
        # Also the index by point (its leading column).
        UniqueConstraint("point_id", "position"),
    )

    def as_dict(self) -> dict[str, Any]:
        deadline = self.deadline.isoformat() if self.deadline else None
        return {"text": self.text, "owner": self.owner, "deadline": deadline, "status": self.status}


class RiskPointVersion(db.Model):
    """A version (版本) of a point: who, when, why, the whole point and what changed."""

    __tablename__ = "risk_point_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    point_id: Mapped[int] = mapped_column(ForeignKey("risk_points.id"))
    number: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(20))
    actor: Mapped[str] = mapped_column(String(60))
    reason: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, index=True)
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    changes: Mapped[list[dict[str, Any]]] = mapped_column(JSON)

    __table_args__ = (
        # Two concurrent edits of the same version cannot both be saved; also the index
        # by point (its leading column).
        UniqueConstraint("point_id", "number"),
        CheckConstraint(
            "action IN ('create', 'update', 'review', 'retire', 'import')", name="action"
        ),
    )


ACTION_LABELS = {
    "create": "新建",
    "update": "修改",
    "review": "评估",
    "retire": "停用",
    "import": "导入",
}
