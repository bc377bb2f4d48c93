"""免罚清单 items with their versions, 首违不罚 records, and refused repeat attempts."""

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
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from riskctl.accounts.models import Unit
from riskctl.core import clock
from riskctl.core.db import UTCDateTime, db
from riskctl.leniency.rules import (
    FOLLOWUP_LABELS,
    FOLLOWUP_RESULTS,
    GROUND_LABELS,
    GROUNDS,
    STATUS_LABELS,
    STATUSES,
)

ATTACHMENT_KINDS = {"evidence": "证据材料", "commitment": "告知承诺书"}


def _in(values: tuple[str, ...] | dict) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


class LeniencyItem(db.Model):
    """An entry of the published 免罚清单; its wording lives in versions."""

    __tablename__ = "leniency_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    legal_basis: Mapped[str] = mapped_column(Text)
    conditions: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    versions: Mapped[list[LeniencyItemVersion]] = relationship(
        back_populates="item", order_by="LeniencyItemVersion.version"
    )


class LeniencyItemVersion(db.Model):
    """The item as it read from one change to the next; records point at the one they used."""

    __tablename__ = "leniency_item_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("leniency_items.id"))
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    legal_basis: Mapped[str] = mapped_column(Text)
    conditions: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(String(500))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    changed_by: Mapped[str] = mapped_column(String(60))

    item: Mapped[LeniencyItem] = relationship(back_populates="versions")

    __table_args__ = (UniqueConstraint("item_id", "version"),)


class LeniencyRecord(db.Model):
    """One 首违不罚 / 轻微不罚 decision and its lifecycle up to 结案 or 转一般程序."""

    __tablename__ = "leniency_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    party_kind: Mapped[str] = mapped_column(String(20))
    party_key: Mapped[str] = mapped_column(String(64))
    party_cipher: Mapped[str] = mapped_column(Text)
    party_masked: Mapped[str] = mapped_column(String(40))
    party_name: Mapped[str] = mapped_column(String(100))
    item_id: Mapped[int] = mapped_column(ForeignKey("leniency_items.id"))
    item_version_id: Mapped[int] = mapped_column(ForeignKey("leniency_item_versions.id"))
    ground: Mapped[str] = mapped_column(String(20))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    occurred_on: Mapped[date] = mapped_column(Date)
    place: Mapped[str] = mapped_column(String(200))
    facts: Mapped[str] = mapped_column(Text, default="")
    education: Mapped[str] = mapped_column(Text, default="")
    correction_deadline: Mapped[date] = mapped_column(Date)
    followup_due: Mapped[date] = mapped_column(Date)
    followup_due_provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(20), default="recorded")

    commitment_signed_on: Mapped[date | None] = mapped_column(Date)
    commitment_document_no: Mapped[str | None] = mapped_column(String(60))

    followup_on: Mapped[date | None] = mapped_column(Date)
    followup_result: Mapped[str | None] = mapped_column(String(20))
    followup_officer: Mapped[str | None] = mapped_column(String(40))
    followup_note: Mapped[str | None] = mapped_column(Text)
    followup_by: Mapped[str | None] = mapped_column(String(60))

    signed_off_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    signed_off_by: Mapped[str | None] = mapped_column(String(60))
    signoff_opinion: Mapped[str | None] = mapped_column(Text)

    referred_on: Mapped[date | None] = mapped_column(Date)
    referral_case_no: Mapped[str | None] = mapped_column(String(60))
    referral_reason: Mapped[str | None] = mapped_column(Text)

    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by: Mapped[str | None] = mapped_column(String(60))
    closing_note: Mapped[str | None] = mapped_column(Text)

    # 法制审核 of a 轻微不罚 record held because of an earlier record (``review_prior``).
    review_prior_id: Mapped[int | None] = mapped_column(ForeignKey("leniency_records.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reviewed_by: Mapped[str | None] = mapped_column(String(60))
    review_note: Mapped[str | None] = mapped_column(Text)

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    created_by: Mapped[str] = mapped_column(String(60))

    item: Mapped[LeniencyItem] = relationship()
    item_version: Mapped[LeniencyItemVersion] = relationship()
    unit: Mapped[Unit] = relationship()
    officers: Mapped[list[RecordOfficer]] = relationship(
        order_by="RecordOfficer.position", cascade="all, delete-orphan"
    )
    attachments: Mapped[list[LeniencyAttachment]] = relationship(order_by="LeniencyAttachment.id")
    review_prior: Mapped[LeniencyRecord | None] = relationship(remote_side="LeniencyRecord.id")

    __table_args__ = (
        CheckConstraint(f"ground IN {_in(GROUNDS)}", name="ground"),
        CheckConstraint(f"status IN {_in(STATUSES)}", name="status"),
        CheckConstraint(
            "status != 'pending_review' OR review_prior_id IS NOT NULL", name="held_names_prior"
        ),
        CheckConstraint(
            f"followup_result IS NULL OR followup_result IN {_in(FOLLOWUP_RESULTS)}",
            name="followup_result",
        ),
        CheckConstraint("correction_deadline >= occurred_on", name="deadline_after_occurrence"),
        # The repeat check is one index range scan: same party, same item, a date window.
        Index("ix_leniency_records_repeat", "party_key", "item_id", "occurred_on"),
        # Covers every per-record figure of the statistics: a quarter is one index range.
        Index(
            "ix_leniency_records_stats",
            "occurred_on",
            "unit_id",
            "item_id",
            "ground",
            "status",
            "followup_result",
            "followup_due",
        ),
        Index("ix_leniency_records_unit_occurred", "unit_id", "occurred_on"),
        Index("ix_leniency_records_followup", "status", "followup_due"),
        # The list at province scale: a unit's records of one status over a period.
        Index("ix_leniency_records_unit_status_occurred", "unit_id", "status", "occurred_on"),
        # Every unit's records of one status, newest first (the list's own order).
        Index("ix_leniency_records_status_occurred", "status", "occurred_on", "id"),
    )

    @property
    def officer_numbers(self) -> list[str]:
        return [o.number for o in self.officers]

    @property
    def occurred_label(self) -> str:
        """The occurrence in Beijing time, as people read it."""
        return clock.display(self.occurred_at)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def ground_label(self) -> str:
        return GROUND_LABELS[self.ground]

    @property
    def followup_label(self) -> str:
        return FOLLOWUP_LABELS.get(self.followup_result or "", "")


class RecordOfficer(db.Model):
    """One of the (at least two) 执法人员 on a record, by the roster's inspector number."""

    __tablename__ = "leniency_record_officers"

    record_id: Mapped[int] = mapped_column(ForeignKey("leniency_records.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(40))

    __table_args__ = (
        UniqueConstraint("record_id", "number"),
        Index("ix_leniency_record_officers_number", "number"),
    )


class LeniencyAttachment(db.Model):
    """An evidence file or the scanned 告知承诺书; the bytes live under ATTACHMENTS_DIR."""

    __tablename__ = "leniency_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("leniency_records.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    uploaded_by: Mapped[str] = mapped_column(String(60))

    __table_args__ = (CheckConstraint(f"kind IN {_in(ATTACHMENT_KINDS)}", name="kind"),)


class LeniencyRefusal(db.Model):
    """A 首违 request refused because of an earlier record (kept although the request failed)."""

    __tablename__ = "leniency_refusals"

    id: Mapped[int] = mapped_column(primary_key=True)
    party_key: Mapped[str] = mapped_column(String(64), index=True)
    party_masked: Mapped[str] = mapped_column(String(40))
    item_id: Mapped[int] = mapped_column(ForeignKey("leniency_items.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    earlier_record_id: Mapped[int] = mapped_column(ForeignKey("leniency_records.id"))
    occurred_on: Mapped[date] = mapped_column(Date)
    officers: Mapped[str] = mapped_column(String(200))
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    attempted_by: Mapped[str] = mapped_column(String(60))

    item: Mapped[LeniencyItem] = relationship()
    unit: Mapped[Unit] = relationship()

    __table_args__ = (Index("ix_leniency_refusals_occurred_on", "occurred_on", "unit_id"),)
