"""Responses carrying an issued report: the archived PDF bytes, or its data as .xlsx."""

from __future__ import annotations

import io

from flask import Response, send_file

from riskctl.reporting import archive
from riskctl.reporting.content import TITLE, build_report
from riskctl.reporting.models import QuarterlyReport
from riskctl.reporting.workbook import report_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _name(report: QuarterlyReport, suffix: str) -> str:
    return f"{report.period.label}{TITLE}（第{report.version}版）{suffix}"


def pdf_response(report: QuarterlyReport) -> Response:
    """Exactly the bytes archived at issue, after checking their SHA-256 (500 if changed)."""
    response = archive.send_pdf(report, _name(report, ".pdf"))
    response.headers["X-Report-SHA256"] = report.sha256
    return response


def data_response(report: QuarterlyReport) -> Response:
    """The tables and charts of the report, from the snapshot it was built from."""
    snapshot = report.snapshot
    layout = build_report(snapshot, version=report.version, issued_on=report.issued_on)
    data = report_workbook(layout, snapshot)
    response = send_file(
        io.BytesIO(data),
        mimetype=XLSX,
        as_attachment=True,
        download_name=_name(report, "数据.xlsx"),
        max_age=0,
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response
