"""双随机、一公开: the item list and the two rosters (一单两库), 回避, plans and results."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from riskctl.accounts.models import Unit
from riskctl.core import clock
from riskctl.core.db import UTCDateTime, db
from riskctl.draws.models import REDRAW_KINDS, RedrawRequestMixin

CREDIT_CLASSES = ("A", "B", "C", "D")
TARGET_KINDS = {
    "enterprise": "企业",
    "individual": "个体工商户",
    "grid": "网格",
    "road": "路段",
    "project": "项目",
    "other": "其他",
}
ITEM_CATEGORIES = {"key": "重点", "general": "一般"}
# The standard result codes of 双随机 inspections (domain.md §2).
RESULT_CODES = {
    "no_problem": "未发现问题",
    "not_publicised": "未按规定公示",
    "corrected": "发现问题经责令已改正",
    "refused_serious": "不配合检查情节严重",
    "falsified": "弄虚作假",
    "unreachable": "无法联系",
    "closed": "已关闭停业",
    "no_activity": "未发现开展本次抽查涉及的经营活动",
}
# Problems still open when the result is entered: each becomes a 整改 item.
PROBLEM_CODES = ("not_publicised", "refused_serious", "falsified")
PLAN_STATUSES = {"draft": "草稿", "locked": "已锁定", "drawn": "已抽取", "cancelled": "已作废"}
DECISIONS = {"pending": "待决定", "granted": "已批准", "refused": "不批准"}
REDRAW_STATUSES = {"pending": "待审批", "approved": "已批准", "refused": "不批准", "used": "已重抽"}


def _one_of(column: str, values) -> str:
    """``column = 'a' OR column = 'b' …`` rather than ``IN (…)``: SQLite rebuilds an
    IN-list for every row of an executemany, which triples a million-row import."""
    return "(" + " OR ".join(f"{column} = '{v}'" for v in values) + ")"


class InspectionItem(db.Model):
    """An entry of the 随机抽查事项清单."""

    __tablename__ = "inspection_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    legal_basis: Mapped[str] = mapped_column(Text)
    ratio: Mapped[Decimal] = mapped_column(Numeric(5, 4))
    frequency: Mapped[str] = mapped_column(String(60))
    category: Mapped[str] = mapped_column(String(10))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    __table_args__ = (
        CheckConstraint(_one_of("category", ITEM_CATEGORIES), name="category"),
        CheckConstraint("ratio >= 0 AND ratio <= 1", name="ratio"),
    )


class Target(db.Model):
    """A row of the 检查对象名录库. ``active`` is roster membership; ``closed`` is 已关闭停业."""

    __tablename__ = "inspection_targets"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    credit_code: Mapped[str | None] = mapped_column(String(18))
    kind: Mapped[str] = mapped_column(String(12))
    address: Mapped[str] = mapped_column(String(300), default="")
    credit_class: Mapped[str] = mapped_column(String(1))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    closed: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    unit: Mapped[Unit] = relationship()

    __table_args__ = (
        CheckConstraint(_one_of("kind", TARGET_KINDS), name="kind"),
        CheckConstraint(_one_of("credit_class", CREDIT_CLASSES), name="credit_class"),
        # The roster list at province scale: a unit's targets of one status in code order
        # (``closed`` in the key: the count of a status reads the index alone).
        Index("ix_inspection_targets_unit_status_code", "unit_id", "active", "closed", "code"),
    )


class Inspector(db.Model):
    """A row of the 执法检查人员名录库."""

    __tablename__ = "inspection_inspectors"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(60))
    license_no: Mapped[str] = mapped_column(String(40), unique=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    fields: Mapped[str] = mapped_column(String(200), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    unit: Mapped[Unit] = relationship()


class RosterImport(db.Model):
    """One accepted roster file: who, when, what it changed, and the file's SHA-256."""

    __tablename__ = "inspection_roster_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    roster: Mapped[str] = mapped_column(String(12))
    filename: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))
    # The archived file's size; None only for imports before revision 0012.
    size: Mapped[int | None] = mapped_column(BigInteger)
    rows: Mapped[int] = mapped_column(Integer)
    created: Mapped[int] = mapped_column(Integer)
    updated: Mapped[int] = mapped_column(Integer)
    reactivated: Mapped[int] = mapped_column(Integer)
    deactivated: Mapped[int] = mapped_column(Integer)
    kept_missing: Mapped[int] = mapped_column(Integer)
    imported_by: Mapped[str] = mapped_column(String(60))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    __table_args__ = (CheckConstraint(_one_of("roster", ("targets", "inspectors")), name="roster"),)


class ConflictDeclaration(db.Model):
    """A declared relationship (回避情形) between an inspector and a target."""

    __tablename__ = "inspection_conflicts"

    id: Mapped[int] = mapped_column(primary_key=True)
    inspector_id: Mapped[int] = mapped_column(ForeignKey("inspection_inspectors.id"), index=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("inspection_targets.id"), index=True)
    relation: Mapped[str] = mapped_column(String(60))
    reason: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(60))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_by: Mapped[str | None] = mapped_column(String(60))
    end_reason: Mapped[str | None] = mapped_column(Text)

    inspector: Mapped[Inspector] = relationship()
    target: Mapped[Target] = relationship()


class RecusalRequest(db.Model):
    """A party's request (当事人申请回避) that an inspector stay away; a leader decides."""

    __tablename__ = "inspection_recusals"

    id: Mapped[int] = mapped_column(primary_key=True)
    inspector_id: Mapped[int] = mapped_column(ForeignKey("inspection_inspectors.id"), index=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("inspection_targets.id"), index=True)
    applicant: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(Text)
    filed_on: Mapped[date] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(60))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    decided_by: Mapped[str | None] = mapped_column(String(60))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_note: Mapped[str | None] = mapped_column(Text)

    inspector: Mapped[Inspector] = relationship()
    target: Mapped[Target] = relationship()

    __table_args__ = (CheckConstraint(_one_of("status", DECISIONS), name="status"),)


plan_items = Table(
    "inspection_plan_items",
    db.Model.metadata,
    Column("plan_id", ForeignKey("inspection_plans.id"), primary_key=True),
    Column("item_id", ForeignKey("inspection_items.id"), primary_key=True),
)


class Plan(db.Model):
    """An 抽查计划: what is inspected, how targets are sampled and who may be sent."""

    __tablename__ = "inspection_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    ratios: Mapped[dict] = mapped_column(JSON)
    quotas: Mapped[dict | None] = mapped_column(JSON)
    team_size: Mapped[int] = mapped_column(Integer, default=2)
    cap: Mapped[int | None] = mapped_column(Integer)
    exclude_recent_months: Mapped[int] = mapped_column(Integer, default=0)
    lookback_months: Mapped[int] = mapped_column(Integer, default=12)
    cross_unit: Mapped[bool] = mapped_column(Boolean, default=False)
    units: Mapped[list | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(10), default="draft")
    created_by: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    locked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    frame: Mapped[dict | None] = mapped_column(JSON)
    manifest_id: Mapped[int | None] = mapped_column(ForeignKey("draw_manifests.id"))
    draw_id: Mapped[int | None] = mapped_column(ForeignKey("draws.id"))
    drawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_reason: Mapped[str | None] = mapped_column(Text)

    items: Mapped[list[InspectionItem]] = relationship(
        secondary=plan_items, order_by=InspectionItem.code
    )

    __table_args__ = (
        CheckConstraint(_one_of("status", PLAN_STATUSES), name="status"),
        CheckConstraint("team_size >= 2", name="team_size"),
        CheckConstraint("cap IS NULL OR cap >= 1", name="cap"),
    )


class RedrawRequest(RedrawRequestMixin, db.Model):
    """A request to draw a plan again: its kind and reason, a leader's approval, for a wrong
    manifest the re-locked one, then the new draw."""

    __tablename__ = "inspection_redraws"

    plan_id: Mapped[int] = mapped_column(ForeignKey("inspection_plans.id"), index=True)

    plan: Mapped[Plan] = relationship()

    __table_args__ = (
        CheckConstraint(_one_of("status", REDRAW_STATUSES), name="status"),
        CheckConstraint(_one_of("kind", REDRAW_KINDS), name="kind"),
    )


class Task(db.Model):
    """A selected target of a draw (抽查任务) and, once inspected, its result."""

    __tablename__ = "inspection_tasks"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("inspection_plans.id"), index=True)
    draw_id: Mapped[int] = mapped_column(ForeignKey("draws.id"))
    position: Mapped[int] = mapped_column(Integer)
    target_id: Mapped[int] = mapped_column(ForeignKey("inspection_targets.id"), index=True)
    stratum: Mapped[str] = mapped_column(String(1))
    superseded: Mapped[bool] = mapped_column(Boolean, default=False)
    result_code: Mapped[str | None] = mapped_column(String(20))
    inspected_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    entered_by: Mapped[str | None] = mapped_column(String(60))
    entered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    publish_due: Mapped[date | None] = mapped_column(Date)
    due_provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_by: Mapped[str | None] = mapped_column(String(60))
    published_late: Mapped[bool | None] = mapped_column(Boolean)

    plan: Mapped[Plan] = relationship()
    target: Mapped[Target] = relationship()
    inspectors: Mapped[list[Inspector]] = relationship(
        secondary="inspection_task_inspectors", order_by="TaskInspector.position", viewonly=True
    )
    attachments: Mapped[list[Attachment]] = relationship(order_by="Attachment.id", viewonly=True)

    __table_args__ = (
        UniqueConstraint("draw_id", "target_id"),
        CheckConstraint(
            "result_code IS NULL OR " + _one_of("result_code", RESULT_CODES), name="result"
        ),
        CheckConstraint("published_at IS NULL OR result_code IS NOT NULL", name="published_result"),
        Index("ix_inspection_tasks_result", "result_code", "inspected_on"),
        # A plan's task list in draw order.
        Index("ix_inspection_tasks_plan_position", "plan_id", "superseded", "position"),
    )

    @property
    def result_label(self) -> str:
        return RESULT_CODES.get(self.result_code or "", "")


class TaskInspector(db.Model):
    """An inspector of a task's team, in pick order."""

    __tablename__ = "inspection_task_inspectors"

    task_id: Mapped[int] = mapped_column(ForeignKey("inspection_tasks.id"), primary_key=True)
    inspector_id: Mapped[int] = mapped_column(
        ForeignKey("inspection_inspectors.id"), primary_key=True, index=True
    )
    position: Mapped[int] = mapped_column(Integer)


class Attachment(db.Model):
    """Evidence attached to a task's result; the file lives under ATTACHMENTS_DIR."""

    __tablename__ = "inspection_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("inspection_tasks.id"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by: Mapped[str] = mapped_column(String(60))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
