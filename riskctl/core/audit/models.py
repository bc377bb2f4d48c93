from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from riskctl.core.db import UTCDateTime, db


class AuditEntry(db.Model):
    """One link of the chain. Append-only: the application never updates or deletes it."""

    __tablename__ = "audit_entries"

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(80))
    object_type: Mapped[str] = mapped_column(String(60))
    object_id: Mapped[str] = mapped_column(String(120))
    summary: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hash: Mapped[str] = mapped_column(String(64), unique=True)
    # Which audit key signed the entry (see keys.py); NULL only for an entry written
    # before the chain was keyed that migration 0011 could not re-sign.
    key_id: Mapped[str | None] = mapped_column(String(16))

    __table_args__ = (
        Index("ix_audit_entries_object", "object_type", "object_id"),
        # The log filtered by action, newest first. The count of an action prefix is a
        # range of this index: PostgreSQL needs the pattern operator class for LIKE 'x%'
        # when the database's collation is not C.
        Index(
            "ix_audit_entries_action_seq",
            "action",
            "seq",
            postgresql_ops={"action": "varchar_pattern_ops"},
        ),
        # One actor's entries, newest first.
        Index("ix_audit_entries_actor_seq", "actor", "seq"),
    )


class AuditCheckpoint(db.Model):
    """A recorded head of the chain (检查点): ``seq`` and its hash, no content.

    Published on /public/audit and in every quarterly report, so that a chain cut back
    below a checkpoint, or rewritten up to it, no longer matches what was published.
    """

    __tablename__ = "audit_checkpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, index=True)
    hash: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    source: Mapped[str] = mapped_column(String(200))
