"""The report API, the leaders' page and the command: issue, list, download what was issued."""

from __future__ import annotations

import hashlib
import io
import logging
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from riskctl.core import clock
from riskctl.core.audit.models import AuditEntry
from riskctl.core.db import db
from riskctl.core.storage.models import BlobChunk
from riskctl.reporting import archive
from riskctl.reporting.models import QuarterlyReport
from riskctl.reporting.periods import quarter_of
from tests.conftest import csrf_token
from tests.reporting.conftest import pdf_text

BASE = "/api/v1/reports/quarterly"


def issue(api, records, role="legal"):
    q = records.quarter
    return api(role).post(BASE, json={"year": q.year, "quarter": q.number})


def test_the_legal_office_issues_and_gets_the_key_figures(api, records):
    response = issue(api, records)
    assert response.status_code == 201
    body = response.get_json()
    assert (body["year"], body["quarter"], body["version"]) == (
        records.quarter.year,
        records.quarter.number,
        1,
    )
    summary = {(r["section"], r["key"]): r["value"] for r in body["summary"]}
    assert summary[("leniency", "decisions")] == 4 and summary[("reviews", "pass_rate")] == 66.7
    assert body["pdf"].endswith(f"/{records.quarter.year}/{records.quarter.number}/v1.pdf")


@pytest.mark.parametrize("role", ["leader", "officer", "admin"])
def test_only_the_legal_office_and_discipline_committee_issue(api, records, role):
    assert issue(api, records, role).status_code == 403
    assert db.session.scalar(select(QuarterlyReport.id)) is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"year": 2026, "quarter": 5}, "quarter"),
        ({"year": 1900, "quarter": 1}, "year"),
        ({"year": "2026", "quarter": 1}, "year"),
        ({"quarter": 1}, "year"),
    ],
)
def test_bad_quarters_get_422_naming_the_field(api, bureau, body, field):
    response = api("discipline").post(BASE, json=body)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert field in error["details"] and error["message"]


def test_a_future_quarter_gets_422(api, bureau):
    current = quarter_of(clock.today())
    year, number = (
        (current.year + 1, 1) if current.number == 4 else (current.year, current.number + 1)
    )
    response = api("legal").post(BASE, json={"year": year, "quarter": number})
    assert response.status_code == 422 and "尚未开始" in response.get_json()["error"]["message"]


def test_downloads_are_the_archived_bytes_and_are_audited(app, api, records):
    issue(api, records)
    issue(api, records)
    q = records.quarter
    reports = db.session.scalars(select(QuarterlyReport).order_by(QuarterlyReport.version)).all()
    latest = api("leader").get(f"{BASE}/{q.year}/{q.number}.pdf")
    assert latest.status_code == 200 and latest.mimetype == "application/pdf"
    assert hashlib.sha256(latest.data).hexdigest() == reports[1].sha256
    assert latest.headers["X-Report-SHA256"] == reports[1].sha256
    older = api("leader").get(f"{BASE}/{q.year}/{q.number}/v1.pdf")
    assert older.data == archive.read_pdf(reports[0])
    assert api("leader").get(f"{BASE}/{q.year}/{q.number}.pdf?version=1").data == older.data
    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "report.download")
    ).all()
    assert [e.actor for e in entries] == ["leader"] * 3


def test_the_list_and_one_report(api, records):
    issue(api, records)
    listing = api("leader").get(BASE).get_json()
    assert listing["total"] == 1 and listing["items"][0]["version"] == 1
    q = records.quarter
    one = api("discipline").get(f"{BASE}/{q.year}/{q.number}").get_json()
    assert one["sha256"] == listing["items"][0]["sha256"] and len(one["summary"]) == 18


def test_unknown_reports_and_bad_versions(api, records):
    q = records.quarter
    assert api("leader").get(f"{BASE}/{q.year}/{q.number}.pdf").status_code == 404
    issue(api, records)
    missing = api("leader").get(f"{BASE}/{q.year}/{q.number}/v9.pdf")
    assert missing.status_code == 404 and "第 9 版" in missing.get_json()["error"]["message"]
    assert api("leader").get(f"{BASE}/{q.year}/{q.number}.pdf?version=x").status_code == 400
    huge = "9" * 30
    assert api("leader").get(f"{BASE}/{huge}/1.pdf").status_code == 404
    assert api("leader").get(f"{BASE}/{q.year}/{q.number}/v{huge}.xlsx").status_code == 404
    assert api("leader").get(f"{BASE}?year={huge}").status_code == 400
    assert api("officer").get(f"{BASE}/{q.year}/{q.number}.pdf").status_code == 403


def _tamper(app, report: QuarterlyReport, backend: str, same_size: bool) -> None:
    """Change the archived PDF behind the service's back, on disk or in the blob table."""
    edit = (b"%%EOF", b"%%EOG") if same_size else (b"%%EOF", b"%%EOF\n% edited")
    if backend == "filesystem":
        path = Path(app.config["REPORTS_DIR"]) / report.filename
        path.chmod(0o644)
        path.write_bytes(path.read_bytes().replace(*edit))
        return
    chunk = db.session.scalar(
        select(BlobChunk).where(BlobChunk.sha256 == report.sha256).order_by(BlobChunk.seq.desc())
    )
    chunk.data = chunk.data.replace(*edit)
    db.session.commit()


@pytest.mark.parametrize("same_size", [True, False], ids=["same-size", "longer"])
def test_a_tampered_archive_is_refused_and_logged(
    app, api, records, caplog, storage_backend, same_size
):
    issue(api, records)
    report = db.session.scalar(select(QuarterlyReport))
    _tamper(app, report, storage_backend, same_size)
    q = records.quarter
    with caplog.at_level(logging.ERROR, logger="riskctl.core.storage"):
        response = api("leader").get(f"{BASE}/{q.year}/{q.number}.pdf")
    assert response.status_code == 500
    assert "SHA-256 不符" in response.get_json()["error"]["message"]
    assert any("was changed" in record.message for record in caplog.records)
    assert (
        db.session.scalar(select(AuditEntry).where(AuditEntry.action == "report.download")) is None
    )


def test_the_data_downloads_as_xlsx_with_a_sheet_per_section(api, records):
    issue(api, records)
    q = records.quarter
    response = api("leader").get(f"{BASE}/{q.year}/{q.number}/v1.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames[0] == "主要指标" and "首违不罚" in book.sheetnames
    rows = {row[0]: row[1] for row in book["主要指标"].values}
    assert rows["首违不罚决定"] == 4 and rows["案卷合格率"] == 66.7


# The leaders' page ------------------------------------------------------------------


def test_the_page_lists_reports_with_downloads_and_key_figures(login, api, records):
    issue(api, records)
    page = login("leader").get("/reports/").get_data(as_text=True)
    assert f"最新报告：{records.quarter.label}（第 1 版）" in page
    assert "下载 PDF" in page and "首违不罚决定" in page and "66.7%" in page
    assert "签发报告" not in page  # leaders read; they do not issue


def test_an_empty_page_says_so_and_offers_the_form_to_issuers(login, bureau):
    page = login("legal").get("/reports/").get_data(as_text=True)
    assert "暂无数据" in page and "签发报告" in page


def test_issuing_from_the_page(app, login, records):
    client = login("discipline")
    q = records.quarter
    response = client.post(
        "/reports/issue",
        data={"year": q.year, "quarter": q.number, "csrf_token": csrf_token(client)},
    )
    assert response.status_code == 302
    report = db.session.scalar(select(QuarterlyReport))
    assert report.issued_by == "discipline"
    detail = client.get(response.location).get_data(as_text=True)
    assert report.sha256 in detail and "中文字体" in detail
    download = client.get(f"/reports/{report.id}.pdf")
    assert hashlib.sha256(download.data).hexdigest() == report.sha256
    assert "主要指标" in pdf_text(download.data)


def test_the_page_shows_a_bad_quarter_next_to_the_field(login, bureau):
    client = login("legal")
    response = client.post(
        "/reports/issue", data={"year": 1900, "quarter": 1, "csrf_token": csrf_token(client)}
    )
    assert response.status_code == 422
    assert "年份须为不早于 2000 年的整数" in response.get_data(as_text=True)
    assert db.session.scalar(select(QuarterlyReport.id)) is None


def test_a_page_post_without_csrf_is_refused(login, records):
    q = records.quarter
    response = login("legal").post("/reports/issue", data={"year": q.year, "quarter": q.number})
    assert response.status_code == 400
    assert db.session.scalar(select(QuarterlyReport.id)) is None


def test_officers_cannot_open_the_reports_page(login, bureau):
    assert login("officer").get("/reports/").status_code == 403


def test_an_unknown_report_page_is_404(login, bureau):
    client = login("leader")
    assert client.get("/reports/12345").status_code == 404
    assert client.get(f"/reports/{'9' * 30}.pdf").status_code == 404


# The command ------------------------------------------------------------------------


def test_the_command_issues_and_reports_errors_in_chinese(app, records):
    runner = app.test_cli_runner()
    q = records.quarter
    result = runner.invoke(args=["reports", "issue", str(q.year), str(q.number), "--as", "legal"])
    assert result.exit_code == 0, result.output
    assert "已签发" in result.output and "SHA-256" in result.output
    bad = runner.invoke(args=["reports", "issue", str(q.year), "5"])
    assert bad.exit_code == 1 and "季度须为 1 到 4" in bad.output
    leader = runner.invoke(args=["reports", "issue", str(q.year), str(q.number), "--as", "leader"])
    assert leader.exit_code == 1 and "不能签发报告" in leader.output
    db.session.expire_all()
    assert [r.version for r in db.session.scalars(select(QuarterlyReport))] == [1]


def test_an_unwritable_archive_is_a_clear_error_and_records_nothing(
    app, api, login, records, tmp_path, monkeypatch
):
    monkeypatch.setitem(app.config, "STORAGE", "filesystem")
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("x")
    monkeypatch.setitem(app.config, "REPORTS_DIR", str(blocker / "reports"))
    response = issue(api, records)
    assert response.status_code == 500
    error = response.get_json()["error"]
    assert error["code"] == "archive_unavailable" and "不可写" in error["message"]
    client = login("legal")
    q = records.quarter
    page = client.post(
        "/reports/issue",
        data={"year": q.year, "quarter": q.number, "csrf_token": csrf_token(client)},
    )
    assert page.status_code == 500 and "报告未签发" in page.get_data(as_text=True)
    assert db.session.scalar(select(QuarterlyReport.id)) is None
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "report.issue")) is None
