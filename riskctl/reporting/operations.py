"""Issuing (签发) a quarterly report and recording its downloads. Flush and audit; never commit."""

from __future__ import annotations

import json
from datetime import date, datetime

from flask import current_app
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from riskctl.accounts.models import User
from riskctl.core import audit, clock
from riskctl.core.audit.chain import Anchor
from riskctl.core.audit.checkpoints import current_head, recent_checkpoints, record_checkpoint
from riskctl.core.db import db, is_postgres
from riskctl.core.errors import Conflict
from riskctl.reporting import archive
from riskctl.reporting.content import build_report, data_filename
from riskctl.reporting.models import QuarterlyReport
from riskctl.reporting.pdf import render_pdf
from riskctl.reporting.pdf.fonts import register_cjk_font
from riskctl.reporting.periods import Quarter, checked_quarter
from riskctl.reporting.snapshot import build_snapshot

_LOCK_BASE = 0x52505400  # "RPT\0": one advisory lock per quarter, (year * 10 + quarter) added


def _lock(quarter: Quarter) -> None:
    """Serialise issues of one quarter: the second waits and becomes the next version."""
    if is_postgres():
        key = _LOCK_BASE + quarter.year * 10 + quarter.number
        db.session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})


def _next_version(quarter: Quarter) -> int:
    latest = db.session.scalar(
        select(func.max(QuarterlyReport.version)).where(
            QuarterlyReport.year == quarter.year, QuarterlyReport.quarter == quarter.number
        )
    )
    return (latest or 0) + 1


def _name(actor: User | str) -> str:
    return actor.username if isinstance(actor, User) else actor


def issue_report(
    year: object, quarter: object, actor: User | str, today: date | None = None
) -> QuarterlyReport:
    """Build the quarter's report from one consistent snapshot, archive it, record it.

    The row is flushed before any file is written: its unique (year, quarter,
    version) makes a concurrent issue of the same version wait or fail (409) here,
    so two issues never write the same file. The files land with the transaction:
    if the archive cannot be written, or the transaction rolls back, nothing is
    recorded and nothing is archived.
    """
    today = today or clock.today()
    period = checked_quarter(year, quarter, today)
    _lock(period)
    version = _next_version(period)
    snapshot = build_snapshot(period, today)
    # One moment: the report's issue, its anchor checkpoint and the time printed beside it.
    moment = clock.now()
    snapshot["audit"] = _audit_anchors(_name(actor), moment)
    font = register_cjk_font(current_app.config.get("PDF_FONT_PATH"))
    pdf = render_pdf(build_report(snapshot, version=version, issued_on=today), font.path)
    report = QuarterlyReport(
        year=period.year,
        quarter=period.number,
        version=version,
        as_of=date.fromisoformat(snapshot["period"]["as_of"]),
        filename=f"{period.key}-v{version}.pdf",
        data_filename=data_filename(snapshot, version),
        sha256=archive.sha256(pdf),
        size=len(pdf),
        font_embedded=font.embedded,
        snapshot=snapshot,
        issued_on=today,
        issued_at=moment,
        issued_by=_name(actor),
    )
    _claim(report)
    _archive(report, pdf)
    anchor = snapshot["audit"]["head"]
    record_checkpoint(
        "report",
        f"{period.label}第 {version} 版",
        actor=_name(actor),
        at=Anchor(anchor["seq"], anchor["hash"]),
        recorded_at=moment,
    )
    audit.record(
        "report.issue",
        "quarterly_report",
        report.id,
        {
            "year": report.year,
            "quarter": report.quarter,
            "version": version,
            "sha256": report.sha256,
            "size": report.size,
            "file": report.filename,
            "data_file": report.data_filename,
            "data_sha256": report.data_sha256,
            "as_of": report.as_of.isoformat(),
        },
        actor=_name(actor),
    )
    return report


# Checkpoints printed on the last page besides the head at issue: one page's worth.
CHECKPOINTS_PRINTED = 20


def _audit_anchors(actor: str, moment: datetime) -> dict:
    """The chain's head now (recorded as a checkpoint at ``moment`` once the report is
    claimed) and the checkpoints before it, as the report prints them.

    The head is normally a committed entry, which never changes: reading it takes no
    lock, so the audit chain is not held while the PDF renders.
    """
    point = current_head(actor)
    earlier = [
        {"seq": c.seq, "hash": c.hash, "recorded_at": clock.iso(c.recorded_at)}
        for c in recent_checkpoints(CHECKPOINTS_PRINTED)
    ]
    head = {"seq": point.seq, "hash": point.hash, "recorded_at": clock.iso(moment)}
    return {"head": head, "checkpoints": earlier}


def _claim(report: QuarterlyReport) -> None:
    db.session.add(report)
    try:
        db.session.flush()
    except IntegrityError as exc:
        raise Conflict(
            f"{report.period.label}的第 {report.version} 版报告刚刚已由他人签发，"
            "本次未签发；请刷新后确认是否还需要重新签发"
        ) from exc


def _archive(report: QuarterlyReport, pdf: bytes) -> None:
    data = json.dumps(
        {
            "report": {
                "year": report.year,
                "quarter": report.quarter,
                "version": report.version,
                "file": report.filename,
                "sha256": report.sha256,
                "size": report.size,
                "issued_at": report.issued_at.isoformat(),
                "issued_by": report.issued_by,
            },
            "snapshot": report.snapshot,
        },
        ensure_ascii=False,
        sort_keys=True,
        indent=1,
    )
    archive.store(report, pdf, data.encode())


def record_download(report: QuarterlyReport, actor: User | str, kind: str = "pdf") -> None:
    """Audit a download of an issued report (``pdf``) or of its data (``xlsx``)."""
    audit.record(
        "report.download",
        "quarterly_report",
        report.id,
        {
            "year": report.year,
            "quarter": report.quarter,
            "version": report.version,
            "format": kind,
            "sha256": report.sha256 if kind == "pdf" else None,
        },
        actor=_name(actor),
    )
