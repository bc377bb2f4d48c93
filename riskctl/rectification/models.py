"""Rectification ledger (整改台账): items and the history of each."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from riskctl.accounts.models import Unit
from riskctl.core import clock
from riskctl.core.db import UTCDateTime, db

SOURCES = {
    "review_finding": "案卷评查问题",
    "inspection_result": "双随机抽查结果",
    "warning": "预警信号",
    "risk_measure": "风险防控措施",
}
STATUSES = {"open": "整改中", "closed": "已销号"}
COLOURS = {"red": "已超期", "yellow": "即将到期", "green": "正常", "closed": "已销号"}
EVENT_KINDS = {"open": "立项", "evidence": "提交佐证", "close": "销号", "reopen": "重新打开"}


class RectificationItem(db.Model):
    """One item of the ledger (整改事项); closed (销号) with a note, never deleted."""

    __tablename__ = "rectification_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(30))
    source_ref: Mapped[str] = mapped_column(String(120))
    title: Mapped[str] = mapped_column(String(200))
    detail: Mapped[str] = mapped_column(Text, default="")
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    owner: Mapped[str | None] = mapped_column(String(60))
    opened_on: Mapped[date] = mapped_column(Date)
    deadline_days: Mapped[int] = mapped_column(Integer)
    deadline: Mapped[date] = mapped_column(Date, index=True)
    deadline_provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(10), default="open", index=True)
    evidence: Mapped[str] = mapped_column(Text, default="")
    closing_note: Mapped[str | None] = mapped_column(Text)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The bureau's date of 销号: "closed by the deadline" compares two of the bureau's dates.
    closed_on: Mapped[date | None] = mapped_column(Date)
    closed_by: Mapped[str | None] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    created_by: Mapped[str] = mapped_column(String(60))

    unit: Mapped[Unit] = relationship()
    events: Mapped[list[RectificationEvent]] = relationship(
        back_populates="item", order_by="RectificationEvent.id"
    )
    attachments: Mapped[list[RectificationAttachment]] = relationship(
        order_by="RectificationAttachment.id"
    )

    __table_args__ = (
        CheckConstraint(f"source IN {tuple(SOURCES)}", name="source"),
        CheckConstraint(f"status IN {tuple(STATUSES)}", name="status"),
        CheckConstraint("deadline_days >= 1", name="deadline_days"),
        CheckConstraint("status = 'open' OR closing_note IS NOT NULL", name="closed_has_note"),
        # One open item per source record: open_item() is idempotent even under concurrency.
        Index(
            "uq_rectification_items_open_source",
            "source",
            "source_ref",
            unique=True,
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
    )

    @property
    def source_label(self) -> str:
        return SOURCES[self.source]

    @property
    def status_label(self) -> str:
        return STATUSES[self.status]


class RectificationEvent(db.Model):
    """What happened to an item: opened, evidence added, closed, reopened (with the note)."""

    __tablename__ = "rectification_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("rectification_items.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    actor: Mapped[str] = mapped_column(String(60))

    item: Mapped[RectificationItem] = relationship(back_populates="events")

    __table_args__ = (CheckConstraint(f"kind IN {tuple(EVENT_KINDS)}", name="kind"),)

    @property
    def kind_label(self) -> str:
        return EVENT_KINDS[self.kind]


class RectificationAttachment(db.Model):
    """A file of evidence (整改佐证材料: a report, a photo); the bytes are in the storage layer."""

    __tablename__ = "rectification_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("rectification_items.id"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    uploaded_by: Mapped[str] = mapped_column(String(60))

    __table_args__ = (CheckConstraint("size > 0", name="size"),)
