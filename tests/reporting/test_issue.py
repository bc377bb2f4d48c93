"""Issuing: the PDF says what the records say, is archived with its SHA-256, and never changes."""

from __future__ import annotations

import hashlib
import io
import json
import threading
from datetime import timedelta, timezone
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from riskctl.core import clock, storage
from riskctl.core.audit.models import AuditEntry
from riskctl.core.db import db
from riskctl.core.errors import AppError, Conflict, ValidationFailed
from riskctl.reporting import archive, operations
from riskctl.reporting.content import build_report
from riskctl.reporting.models import QuarterlyReport
from riskctl.reporting.pdf import render_pdf
from riskctl.reporting.periods import quarter_of
from riskctl.risks import operations as register
from tests.conftest import continue_clock, worker_context
from tests.factories.leniency import leniency_item, leniency_record
from tests.factories.risks import risk_point
from tests.reporting.conftest import WQY, pdf_text

# Dates count from the bureau's today: run at moments where UTC and Beijing disagree.
pytestmark = pytest.mark.usefixtures("instant")

HEADINGS = [
    "一、主要指标",
    "二、廉政风险点登记",
    "三、双随机、一公开抽查",
    "四、案卷评查",
    "五、首违不罚",
    "六、预警与整改",
    "（一）风险点等级分布",
    "（一）抽查计划与随机抽取",
]


def issue(records, actor="legal"):
    report = operations.issue_report(records.quarter.year, records.quarter.number, actor)
    db.session.commit()
    return report


def archived(app, report: QuarterlyReport) -> bytes:
    """The archived PDF, read through the storage layer (checked against its SHA-256)."""
    return archive.read_pdf(report)


def test_the_pdf_has_the_headings_and_the_key_figures_of_the_records(app, records):
    report = issue(records)
    text = pdf_text(archived(app, report))
    for heading in HEADINGS:
        assert heading in text
    cards = {
        "在册风险点": "3较上季度↑1",
        "高等级风险点": "2较上季度↑1",
        "评估逾期": "1较上季度↑1",
        "录入抽查结果": "3较上季度↑2",
        "结果按时公示率": "33.3%较上季度↓66.7个百分点",
        "评查案卷": "3较上季度↑2",
        "案卷合格率": "66.7%较上季度↓33.3个百分点",
        "首违不罚决定": "4较上季度↑3",
        "拒绝的重复申请": "1较上季度↑1",
        "未销号整改事项": "2较上季度↑2",
        "未关闭预警": "1较上季度↑1",
    }
    for label, figure in cards.items():
        assert label + figure in text, label
    assert records.quarter.label in text and "内部资料" in text


def test_untrusted_titles_print_literally(app, records):
    text = pdf_text(archived(app, issue(records)))
    assert "<b>夜间</b>巡查&暂扣物品未登记" in text


def test_the_archive_holds_the_pdf_its_sha256_and_the_figures(app, records):
    report = issue(records)
    pdf = archived(app, report)
    assert report.filename == f"{records.quarter.key}-v1.pdf"
    assert hashlib.sha256(pdf).hexdigest() == report.sha256 and len(pdf) == report.size
    raw = storage.read(archive.data_ref(report))
    assert hashlib.sha256(raw).hexdigest() == report.data_sha256 and len(raw) == report.data_size
    data = json.loads(raw)
    assert data["report"]["sha256"] == report.sha256
    assert data["snapshot"] == report.snapshot
    assert data["snapshot"]["sections"]["risks"]["key"] == records.expected["risks"]
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "report.issue"))
    assert entry.actor == "legal" and report.sha256 in entry.summary


def test_the_pdf_can_be_rebuilt_byte_for_byte_from_its_snapshot(app, records):
    report = issue(records)
    layout = build_report(report.snapshot, version=report.version, issued_on=report.issued_on)
    assert render_pdf(layout, app.config.get("PDF_FONT_PATH")) == archived(app, report)


@pytest.mark.skipif(not Path(WQY).is_file(), reason="fonts-wqy-microhei is not installed")
def test_the_configured_font_is_embedded(app, records, monkeypatch):
    monkeypatch.setitem(app.config, "PDF_FONT_PATH", WQY)
    report = issue(records)
    assert report.font_embedded
    fonts = [
        font.get_object()
        for page in PdfReader(io.BytesIO(archived(app, report))).pages
        for font in page["/Resources"]["/Font"].values()
    ]
    embedded = [
        font
        for font in fonts
        if "/FontDescriptor" in font and "/FontFile2" in font["/FontDescriptor"].get_object()
    ]
    assert any("WenQuanYi" in str(font["/BaseFont"]) for font in embedded)


def test_an_issued_report_never_changes_when_records_change(app, records):
    first = issue(records)
    before = archived(app, first)
    register.update_point(
        records.points["high"], {"likelihood": 1}, "重新评估后降为中风险", actor="discipline"
    )
    item = leniency_item("MF-09", "乱张贴（首次）")
    leniency_record(item, "ZD1-1", records.quarter.start)
    db.session.commit()
    second = issue(records)
    assert (first.version, second.version) == (1, 2)
    assert second.sha256 != first.sha256
    assert archived(app, first) == before and hashlib.sha256(before).hexdigest() == first.sha256
    db.session.expire_all()
    kept = db.session.get(QuarterlyReport, first.id).snapshot["sections"]
    assert (kept["risks"]["key"]["high"], kept["leniency"]["key"]["decisions"]) == (2, 4)
    now = second.snapshot["sections"]
    assert (now["risks"]["key"]["high"], now["leniency"]["key"]["decisions"]) == (1, 5)


@pytest.mark.parametrize(
    ("year", "quarter", "field", "words"),
    [
        (2026, 5, "quarter", "季度须为 1 到 4"),
        (2026, 0, "quarter", "季度须为 1 到 4"),
        (1900, 1, "year", "不早于 2000 年"),
        ("2026", 1, "year", "年份须为"),
    ],
)
def test_a_quarter_that_does_not_exist_is_refused(bureau, year, quarter, field, words):
    with pytest.raises(ValidationFailed) as caught:
        operations.issue_report(year, quarter, "legal")
    assert field in caught.value.details and words in caught.value.message


def test_a_quarter_that_has_not_begun_is_refused(bureau):
    coming = quarter_of(clock.today())
    coming = type(coming)(coming.year + (coming.number == 4), coming.number % 4 + 1)
    with pytest.raises(ValidationFailed) as caught:
        operations.issue_report(coming.year, coming.number, "legal")
    assert "尚未开始" in caught.value.message


def test_the_running_quarter_counts_up_to_today(app, bureau):
    today = clock.today()
    current = quarter_of(today)
    report = operations.issue_report(current.year, current.number, "legal")
    db.session.commit()
    assert report.as_of == today
    assert "数据截至" + f"{today.year}年{today.month}月{today.day}日" in pdf_text(
        archived(app, report)
    )


def test_an_unwritable_reports_directory_records_nothing(app, records, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "STORAGE", "filesystem")
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    monkeypatch.setitem(app.config, "REPORTS_DIR", str(blocker / "reports"))
    with pytest.raises(archive.ArchiveUnavailable) as caught:
        operations.issue_report(records.quarter.year, records.quarter.number, "legal")
    db.session.rollback()
    assert "报告存档目录" in caught.value.message and "不可写" in caught.value.message
    assert db.session.scalar(select(func.count()).select_from(QuarterlyReport)) == 0
    assert (
        db.session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "report.issue")
        )
        == 0
    )


def test_a_3000_character_title_with_markup_lays_out(app, bureau, is_postgres):
    if is_postgres:
        pytest.skip(
            "PostgreSQL refuses a 3,000-character title (varchar 200); "
            "test_content covers such a title from a snapshot"
        )
    q = quarter_of(clock.today()).previous()
    title = ("<font color=red>" + "风险点标题过长，" * 375)[:3000]
    risk_point("ZD1-1", title, 3, 3, q.start, q.start)
    db.session.commit()
    report = operations.issue_report(q.year, q.number, "legal")
    db.session.commit()
    assert "<fontcolor=red>风险点标题过长" in pdf_text(archived(app, report))


def _issue_in_own_context(app, year: int, quarter: int, outcomes: list, barrier) -> None:
    with app.app_context():
        barrier.wait()
        try:
            report = operations.issue_report(year, quarter, "legal")
            db.session.commit()
            outcomes.append(report.version)
        except Conflict:
            db.session.rollback()
            outcomes.append("409")
        except AppError as exc:  # anything else is a failure of the test
            db.session.rollback()
            outcomes.append(exc)


def _check_archive(app) -> list[int]:
    rows = db.session.scalars(select(QuarterlyReport).order_by(QuarterlyReport.version)).all()
    for row in rows:
        assert archive.read_pdf(row)
    return [row.version for row in rows]


def test_two_issues_at_the_same_moment_never_corrupt_the_archive(app, records):
    outcomes: list = []
    barrier = threading.Barrier(2)
    workers = [
        threading.Thread(
            target=_issue_in_own_context,
            args=(app, records.quarter.year, records.quarter.number, outcomes, barrier),
        )
        for _ in range(2)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
    versions = _check_archive(app)
    assert sorted(o for o in outcomes if o != "409") == versions
    assert versions in ([1], [1, 2])
    assert len(outcomes) == 2 and outcomes.count("409") == 2 - len(versions)


def _process_issue(url: str, reports: str, year: int, quarter: int, barrier, queue, moment) -> None:
    from riskctl import create_app

    continue_clock(moment)

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "x",
            "PII_KEY": "y",
            "ENV": "testing",
            "REPORTS_DIR": reports,
        }
    )
    outcomes: list = []
    _issue_in_own_context(app, year, quarter, outcomes, barrier)
    queue.put(outcomes[0] if not isinstance(outcomes[0], Exception) else str(outcomes[0]))


def test_parallel_processes_issue_versions_in_order(app, records, database_url, is_postgres):
    if not is_postgres:
        pytest.skip(
            "the advisory lock that queues issuers is PostgreSQL's; SQLite is covered "
            "by the threaded test"
        )
    ctx = worker_context()
    barrier, queue = ctx.Barrier(3), ctx.Queue()
    args = (
        database_url,
        app.config["REPORTS_DIR"],
        records.quarter.year,
        records.quarter.number,
        barrier,
        queue,
        clock.now(),
    )
    workers = [ctx.Process(target=_process_issue, args=args) for _ in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(180)
    assert [w.exitcode for w in workers] == [0, 0, 0]
    assert sorted(queue.get() for _ in workers) == [1, 2, 3]
    assert _check_archive(app) == [1, 2, 3]


def test_the_demo_issues_the_running_quarter_once(app, bureau):
    from riskctl.reporting import demo

    assert "已签发" in demo.load()
    db.session.commit()
    assert demo.load() is None
    reports = db.session.scalars(select(QuarterlyReport)).all()
    assert len(reports) == 1 and reports[0].as_of == clock.today()


def test_an_issue_records_a_checkpoint_and_prints_the_chains_head_on_the_last_page(app, records):
    from riskctl.core.audit import AuditCheckpoint, verify
    from riskctl.core.audit.chain import Anchor

    earlier = app.test_cli_runner().invoke(args=["audit", "checkpoint"]).output.strip()
    before = db.session.scalar(select(func.max(AuditEntry.seq)))
    report = issue(records)
    head = report.snapshot["audit"]["head"]
    assert head["seq"] == before
    checkpoint = db.session.scalars(
        select(AuditCheckpoint).order_by(AuditCheckpoint.id.desc())
    ).first()
    assert (checkpoint.seq, checkpoint.hash) == (head["seq"], head["hash"])
    assert checkpoint.source.startswith("季度报告签发")
    pages = PdfReader(io.BytesIO(archived(app, report))).pages
    last = "".join(pages[-1].extract_text().split())
    assert "审计日志检查点" in last and head["hash"] in last
    assert earlier.split(":")[1] in last  # the earlier checkpoint is listed too
    anchor = Anchor(head["seq"], head["hash"])
    assert verify([anchor]).ok


def test_the_anchor_row_prints_when_its_checkpoint_was_recorded_in_beijing_time(app, records):
    from riskctl.core.audit import AuditCheckpoint

    report = issue(records)
    checkpoint = db.session.scalars(
        select(AuditCheckpoint).order_by(AuditCheckpoint.id.desc())
    ).first()
    assert checkpoint.recorded_at == report.issued_at  # one moment: issue and anchor
    beijing = checkpoint.recorded_at.astimezone(timezone(timedelta(hours=8)))  # no DST
    last = PdfReader(io.BytesIO(archived(app, report))).pages[-1].extract_text()
    # The table's first row, cell by cell: 序号, 记录时间（北京时间）, 类别, then its hash.
    row = last.split("记录时间（北京时间）")[1].split("哈希：")[0].split()
    assert row == [
        "类别",
        str(checkpoint.seq),
        f"{beijing:%Y-%m-%d}",
        f"{beijing:%H:%M}",
        "签发时的锚点",
    ]
