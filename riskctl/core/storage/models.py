"""Tables of the storage layer: blobs (database backend) and staged import previews."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from riskctl.core import clock
from riskctl.core.db import UTCDateTime, db


class Blob(db.Model):
    """A file's content in the database backend, stored once per SHA-256."""

    __tablename__ = "storage_blobs"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    __table_args__ = (CheckConstraint("size >= 0", name="size"),)


class BlobChunk(db.Model):
    """One piece of a blob, in order: downloads stream chunk by chunk, never the whole."""

    __tablename__ = "storage_blob_chunks"

    sha256: Mapped[str] = mapped_column(ForeignKey("storage_blobs.sha256"), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class StagedUpload(db.Model):
    """An uploaded file waiting between an import's preview and its confirmation.

    Bound to what it is for (``purpose``); confirmed once or discarded, within a
    week. The file stays in the store like every other (no deletion).
    """

    __tablename__ = "storage_staged_uploads"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(32), unique=True)
    purpose: Mapped[str] = mapped_column(String(40))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    summary: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    discarded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    user = relationship("User", lazy="joined")
