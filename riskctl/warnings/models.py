"""Warnings (预警): a signal raised by a rule, and what the discipline committee did with it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from riskctl.accounts.models import Unit
from riskctl.core import clock
from riskctl.core.db import UTCDateTime, db

COLOURS = {"red": "红色", "yellow": "黄色"}
RAISED, ACKNOWLEDGED, HANDLED, CLOSED = "raised", "acknowledged", "handled", "closed"
STATUSES = {RAISED: "待确认", ACKNOWLEDGED: "已确认", HANDLED: "已处置", CLOSED: "已关闭"}
OPEN_STATUSES = (RAISED, ACKNOWLEDGED, HANDLED)
# Red outranks yellow: a subject found in both keeps red; a closed one turning red is raised again.
COLOUR_RANK = {"yellow": 1, "red": 2}


def _in(values: dict[str, str]) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


class Warning(db.Model):
    """One warning (预警): raised by a scan, acknowledged, handled, closed; never deleted.

    ``subject_key`` is the stable identity of the condition (e.g. ``unit:ZD1-1:2026-Q4``):
    while a warning for (rule, subject) is open the database refuses a second one.
    """

    __tablename__ = "warnings"

    id: Mapped[int] = mapped_column(primary_key=True)
    rule: Mapped[str] = mapped_column(String(40))
    subject_key: Mapped[str] = mapped_column(String(200))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    colour: Mapped[str] = mapped_column(String(10))
    title: Mapped[str] = mapped_column(String(300))
    evidence: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    risk_point_id: Mapped[int | None] = mapped_column(ForeignKey("risk_points.id"), index=True)
    proposal: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default=RAISED)
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    cleared_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_by: Mapped[str | None] = mapped_column(String(60))
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    handled_by: Mapped[str | None] = mapped_column(String(60))
    note: Mapped[str | None] = mapped_column(Text)
    rectification_item_id: Mapped[int | None] = mapped_column(ForeignKey("rectification_items.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by: Mapped[str | None] = mapped_column(String(60))
    closing_note: Mapped[str | None] = mapped_column(Text)

    unit: Mapped[Unit | None] = relationship()

    __table_args__ = (
        CheckConstraint(f"colour IN {_in(COLOURS)}", name="colour"),
        CheckConstraint(f"status IN {_in(STATUSES)}", name="status"),
        CheckConstraint("handled_at IS NULL OR note IS NOT NULL", name="handled_note"),
        CheckConstraint("status != 'closed' OR closing_note IS NOT NULL", name="closing_note"),
        # At most one open warning per condition, whatever runs at the same moment.
        Index(
            "uq_warnings_open_subject",
            "rule",
            "subject_key",
            unique=True,
            sqlite_where=text("status != 'closed'"),
            postgresql_where=text("status != 'closed'"),
        ),
        Index("ix_warnings_status_colour", "status", "colour"),
    )

    @property
    def is_open(self) -> bool:
        return self.status != CLOSED

    @property
    def status_label(self) -> str:
        return STATUSES[self.status]

    @property
    def colour_label(self) -> str:
        return COLOURS[self.colour]
