"""Reports over the database backend: no reports/ directory needed, any host serves them."""

from __future__ import annotations

import hashlib
import os
import stat

import pytest
from sqlalchemy import select

from riskctl.core.db import db
from riskctl.reporting.content import build_report
from riskctl.reporting.models import QuarterlyReport
from riskctl.reporting.pdf import render_pdf
from tests.factories import ApiClient

BASE = "/api/v1/reports/quarterly"


def _unwritable(tmp_path):
    reports = tmp_path / "reports"
    reports.mkdir()
    reports.chmod(stat.S_IRUSR | stat.S_IXUSR)
    blocked = tmp_path / "a-file"
    blocked.write_text("not a directory")
    # root ignores permission bits, so the directory is also placed under a plain file.
    return reports if os.geteuid() != 0 else blocked / "reports"


def test_a_report_issues_and_downloads_byte_for_byte_with_reports_unwritable(
    app, api, records, tmp_path, monkeypatch
):
    monkeypatch.setitem(app.config, "STORAGE", "database")
    monkeypatch.setitem(app.config, "REPORTS_DIR", str(_unwritable(tmp_path)))
    q = records.quarter
    issued = api("legal").post(BASE, json={"year": q.year, "quarter": q.number})
    assert issued.status_code == 201, issued.get_json()
    download = api("leader").get(f"{BASE}/{q.year}/{q.number}.pdf")
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    report = db.session.scalar(select(QuarterlyReport))
    layout = build_report(report.snapshot, version=report.version, issued_on=report.issued_on)
    assert download.data == render_pdf(layout, app.config.get("PDF_FONT_PATH"))
    assert hashlib.sha256(download.data).hexdigest() == report.sha256
    assert len(download.data) == report.size and report.data_sha256


@pytest.mark.parametrize("storage_backend", ["database"], indirect=True)
def test_a_report_issued_on_one_host_downloads_on_another(
    app, api, bureau, records, another_app, tmp_path, storage_backend
):
    q = records.quarter
    assert api("legal").post(BASE, json={"year": q.year, "quarter": q.number}).status_code == 201
    other_host = another_app("host-b", STORAGE="database")
    first = api("leader").get(f"{BASE}/{q.year}/{q.number}.pdf")
    db.session.remove()
    with other_host.app_context():
        client = ApiClient(other_host.test_client(), bureau.tokens["leader"])
        second = client.get(f"{BASE}/{q.year}/{q.number}.pdf")
        db.session.remove()
    assert second.status_code == 200 and second.data == first.data
    assert not (tmp_path / "host-b" / "reports").exists()
