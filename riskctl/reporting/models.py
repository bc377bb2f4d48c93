"""Issued quarterly reports (季度报告): one row per version, never changed once written."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from riskctl.core import clock
from riskctl.core.db import UTCDateTime, db
from riskctl.reporting.periods import Quarter


class QuarterlyReport(db.Model):
    """An issued version of a quarter's report: its files' names and SHA-256, its figures.

    ``snapshot`` is the plain data the PDF was built from (also archived next to the
    PDF as JSON), so every number in the report traces back to a recorded figure.
    """

    __tablename__ = "quarterly_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    quarter: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer)
    as_of: Mapped[date] = mapped_column(Date)
    filename: Mapped[str] = mapped_column(String(120))
    data_filename: Mapped[str] = mapped_column(String(120))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    # The JSON's hash; None only for reports issued before revision 0012
    # (`flask storage migrate` records it).
    data_sha256: Mapped[str | None] = mapped_column(String(64))
    data_size: Mapped[int | None] = mapped_column(BigInteger)
    font_embedded: Mapped[bool] = mapped_column(Boolean)
    # Deferred: lists of reports never load the figures of every version.
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON, deferred=True)
    issued_on: Mapped[date] = mapped_column(Date)  # the date printed on the cover
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    issued_by: Mapped[str] = mapped_column(String(60))

    __table_args__ = (
        UniqueConstraint("year", "quarter", "version"),
        CheckConstraint("quarter BETWEEN 1 AND 4", name="quarter"),
        CheckConstraint("version >= 1", name="version"),
        CheckConstraint("size > 0", name="size"),
    )

    @property
    def period(self) -> Quarter:
        return Quarter(self.year, self.quarter)

    @property
    def label(self) -> str:
        return f"{self.period.label}（第 {self.version} 版）"
