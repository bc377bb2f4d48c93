"""The report archive (报告存档): each issued PDF and its JSON, in the storage layer.

With the filesystem backend they are ``REPORTS_DIR/YYYY-Qn-vN.pdf`` and ``.json``,
put there only when the issuing transaction commits; with the database backend
they are blobs written in that transaction. Either way the row records each
file's SHA-256 and size, and a download is refused unless the bytes still match.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator

from flask import current_app
from sqlalchemy import select

from riskctl.core import audit, storage
from riskctl.core.db import db
from riskctl.core.errors import AppError
from riskctl.core.storage import FileRef
from riskctl.reporting.models import QuarterlyReport


class ArchiveUnavailable(AppError):
    """The reports directory cannot be written: nothing is issued."""

    status, code, message = 500, "archive_unavailable", "报告存档目录不可写，报告未签发"


class ArchiveCorrupt(AppError):
    """An archived file is missing or no longer matches its recorded SHA-256."""

    status, code, message = 500, "archive_corrupt", "存档的报告文件已缺失或被改动，已拒绝下载"


def _references() -> Iterator[FileRef]:
    r = QuarterlyReport
    rows = db.session.execute(
        select(r.filename, r.sha256, r.size, r.data_filename, r.data_sha256, r.data_size)
    )
    for filename, sha256, size, data_filename, data_sha256, data_size in rows:
        yield AREA.ref(filename, sha256, size)
        yield AREA.ref(data_filename, data_sha256, data_size)


def _adopt(ref: FileRef) -> None:
    """Record the hash of a report's JSON archived before rows kept one (revision 0012)."""
    report = db.session.scalar(
        select(QuarterlyReport).where(QuarterlyReport.data_filename == ref.name)
    )
    if report is None or report.data_sha256 is not None:
        return
    report.data_sha256, report.data_size = ref.sha256, ref.size
    db.session.flush()
    audit.record(
        "report.data_hash",
        "quarterly_report",
        report.id,
        {"file": ref.name, "sha256": ref.sha256, "size": ref.size},
        actor="system",
    )


AREA = storage.register(
    storage.Area(
        "reports",
        "报告存档",
        _references,
        root="REPORTS_DIR",
        names=re.compile(r"\d{4}-Q[1-4]-v\d+\.(pdf|json)"),
        adopt=_adopt,
    )
)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def pdf_ref(report: QuarterlyReport) -> FileRef:
    return AREA.ref(report.filename, report.sha256, report.size)


def data_ref(report: QuarterlyReport) -> FileRef:
    return AREA.ref(report.data_filename, report.data_sha256, report.data_size)


def store(report: QuarterlyReport, pdf: bytes, data: bytes) -> None:
    """Archive the PDF and its JSON with the issuing transaction; record the JSON's hash."""
    try:
        storage.put(AREA, pdf, name=report.filename)
        ref = storage.put(AREA, data, name=report.data_filename)
    except storage.StorageUnavailable as exc:
        reason = getattr(exc.__cause__, "strerror", None) or exc.__cause__ or exc.message
        raise ArchiveUnavailable(
            f"报告存档目录 {current_app.config['REPORTS_DIR']} 不可写（{reason}），报告未签发，"
            "请系统管理员检查 RISKCTL_REPORTS_DIR 的配置与权限"
        ) from exc
    report.data_sha256, report.data_size = ref.sha256, ref.size


def _refused(report: QuarterlyReport, exc: storage.StorageError) -> ArchiveCorrupt:
    if isinstance(exc, storage.StorageCorrupt):
        return ArchiveCorrupt(
            f"存档的报告文件 {report.filename} 与签发时记录的 SHA-256 不符（可能被改动），"
            "已拒绝下载，请联系系统管理员核查"
        )
    return ArchiveCorrupt(
        f"存档的报告文件 {report.filename} 缺失或无法读取，已拒绝下载，请联系系统管理员"
    )


def read_pdf(report: QuarterlyReport) -> bytes:
    """The archived PDF, checked against its SHA-256."""
    try:
        return storage.read(pdf_ref(report))
    except storage.StorageError as exc:
        raise _refused(report, exc) from exc


def send_pdf(report: QuarterlyReport, download_name: str):
    """The archived PDF as a download; refused (500) when missing or changed."""
    try:
        return storage.send(pdf_ref(report), download_name)
    except storage.StorageError as exc:
        raise _refused(report, exc) from exc
