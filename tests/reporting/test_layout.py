"""Page layout of the quarterly report: what a reader sees on each page of the demo report.

The demo bureau's report is issued through the real flow (``flask demo``), read back
from the archive and parsed with pypdf, text line by text line with positions.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from riskctl.core.db import db
from riskctl.reporting import archive
from riskctl.reporting.content import build_report
from riskctl.reporting.models import QuarterlyReport
from riskctl.reporting.pdf import Heading, Para, Report, Table, fonts, render_pdf
from riskctl.reporting.pdf.styles import FRAME_HEIGHT, MARGIN_BOTTOM, MARGIN_TOP, PAGE_HEIGHT
from tests.reporting.conftest import WQY, pdf_text
from tests.snapshots import clean as _clean

FRAME_TOP = PAGE_HEIGHT - MARGIN_TOP
# A body page (not the cover, not the last) is at least this full: no page holds
# only a stranded table, note or heading.
MIN_FILL = 0.4
CAPTION = re.compile(r"^表\d+\s*\S")  # pypdf drops the ideographic space after 表N
CODE = re.compile(r"^(?:[A-Z]{1,4}\d?(?:-[A-Z0-9]+)+|[0-9a-f]{64})$")


@dataclass
class Line:
    y: float
    text: str


@dataclass
class Demo:
    pdf: bytes
    snapshot: dict
    report: Report


def page_lines(pdf: bytes) -> list[list[Line]]:
    """Each page's body text (header and footer left out) as lines, top to bottom."""
    pages = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        pieces: list[tuple[float, float, str]] = []

        def visit(text, cm, tm, _font, _size, pieces=pieces):
            if text.strip():
                x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
                y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
                pieces.append((y, x, text.strip()))

        page.extract_text(visitor_text=visit)
        lines: list[Line] = []
        for y, _, text in sorted(pieces, key=lambda p: (-round(p[0]), p[1])):
            if not MARGIN_BOTTOM - 2 <= y <= FRAME_TOP + 2:
                continue  # running header, footer
            if lines and abs(lines[-1].y - y) < 2:
                lines[-1].text += text
            else:
                lines.append(Line(y, text))
        pages.append(lines)
    return pages


@pytest.fixture(scope="module")
def demo(app) -> Iterator[Demo]:
    """The demo bureau's report, as ``flask demo`` issues and archives it."""
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["demo"])
        assert result.exit_code == 0, result.output
        issued = db.session.scalars(select(QuarterlyReport)).one()
        pdf = archive.read_pdf(issued)
        snapshot = json.loads(json.dumps(issued.snapshot))
        report = build_report(snapshot, version=issued.version, issued_on=issued.issued_on)
        db.session.remove()
    _clean(app)
    yield Demo(pdf, snapshot, report)


def _headings(report: Report) -> set[str]:
    return {b.text for b in report.blocks if isinstance(b, Heading)}


def _captions(lines: list[Line]) -> list[str]:
    return [line.text for line in lines if CAPTION.match(line.text)]


def test_the_demo_report_is_rebuilt_from_its_snapshot_byte_for_byte(demo):
    assert render_pdf(demo.report) == demo.pdf


def test_no_page_ends_with_a_heading_or_a_table_caption(demo):
    headings = _headings(demo.report)
    assert {"五、首违不罚", "（五）被拒绝的重复申请", "说明"} <= headings
    pages = page_lines(demo.pdf)
    for number, lines in enumerate(pages[1:], start=2):
        last = lines[-1].text
        assert last not in headings, f"第 {number} 页以标题“{last}”结尾"
        assert not CAPTION.match(last), f"第 {number} 页以表题“{last}”结尾"
    printed = {line.text for lines in pages for line in lines}
    assert headings <= printed  # every heading was found as a line of its own


def test_no_page_holds_only_a_stranded_table_or_note(demo):
    pages = page_lines(demo.pdf)
    assert len(pages) >= 8
    for number, lines in enumerate(pages[1:-1], start=2):
        fill = (FRAME_TOP - lines[-1].y) / FRAME_HEIGHT
        assert fill >= MIN_FILL, f"第 {number} 页只用了 {fill:.0%}：{[x.text for x in lines]}"
    # the closing notes and the appendix share the last page; it is not a lone 说明
    last = [line.text for line in pages[-1]]
    assert "说明" in last and "附：审计日志检查点" in last


def test_every_table_caption_is_on_the_page_of_its_table(demo):
    captions = 0
    for lines in page_lines(demo.pdf)[1:]:
        for caption in _captions(lines):
            captions += 1
            assert lines[-1].text != caption
    assert captions >= 15


def _codes(value: object) -> Iterator[str]:
    if isinstance(value, dict):
        for item in value.values():
            yield from _codes(item)
    elif isinstance(value, list):
        for item in value:
            yield from _codes(item)
    elif isinstance(value, str) and CODE.match(value):
        yield value


def test_no_code_or_digest_is_broken_across_lines(demo):
    codes = set(_codes(demo.snapshot))
    plans = {p["code"] for p in demo.snapshot["sections"]["inspections"]["plans"]}
    digests = {d["result_digest"] for d in demo.snapshot["sections"]["inspections"]["draws"]}
    assert plans and digests and plans | digests <= codes
    lines = [line.text for page in page_lines(demo.pdf) for line in page]
    squeezed = pdf_text(demo.pdf)  # in drawing order: a cell's lines run on
    printed = {code for code in codes if code in squeezed}
    assert plans | digests | {demo.snapshot["audit"]["head"]["hash"]} <= printed
    assert any(c.startswith("CG-") for c in printed)  # 免罚事项 codes
    for code in printed:  # every time it is printed, it is printed whole on one line
        whole = sum(line.count(code) for line in lines)
        assert whole == squeezed.count(code), f"编号 {code} 被拆成两行"


def test_no_english_identifier_in_headings_headers_or_text(demo):
    for block in demo.report.blocks:
        texts = [block.text] if isinstance(block, Heading) else []
        if isinstance(block, Table):
            texts += [*block.headers, block.title]
        for text in texts:
            assert not re.search(r"[A-Za-z]{2,}", text), f"标题或表头含英文：{text}"
    text = "\n".join(line.text for page in page_lines(demo.pdf) for line in page)
    assert "结果摘要" in text
    assert not re.search(r"[A-Za-z]+_[A-Za-z_]+", text)


# Made-up reports: a heading pushed to every height of a page by filler text.

UNITS = ["市容秩序第一中队", "市容秩序第二中队", "环境卫生第一中队", "园林绿化第一中队"]


def _filler(lines: int) -> list[Para]:
    text = "本季度全局廉政风险防控工作总体平稳，各单位按要求完成风险点评估和防控措施落实。"
    return [Para(text * 2) for _ in range(lines)]


def _report(blocks: list) -> Report:
    return Report(
        title="季度报告",
        subtitle="2026年第四季度",
        org="市城市管理综合执法局",
        issued_on=dt.date(2026, 12, 4),
        version=1,
        blocks=blocks,
    )


@pytest.mark.parametrize("filler", range(14, 22))
def test_a_heading_pushed_to_the_foot_of_a_page_moves_with_its_small_table(filler):
    table = Table(
        ["单位", "被拒绝次数"], [[u, i] for i, u in enumerate(UNITS)], title="被拒绝的重复申请"
    )
    blocks = [Heading("一、概况"), *_filler(filler), Heading("（一）被拒绝的重复申请", 2), table]
    pages = page_lines(render_pdf(_report(blocks)))
    for lines in pages[1:]:
        assert lines[-1].text != "（一）被拒绝的重复申请" and not CAPTION.match(lines[-1].text)
    where = [
        n
        for n, lines in enumerate(pages)
        for line in lines
        if line.text in ("（一）被拒绝的重复申请", "园林绿化第一中队3")
    ]
    assert len(where) == 2 and where[0] == where[1], "标题与其表格不在同一页"


def test_a_code_column_is_widened_rather_than_split():
    rows = [["SJ-2026-Q4-01", "2026 年第四季度市容环卫领域双随机抽查" * 2, 31]]
    table = Table(["计划编号", "计划名称", "抽中"], rows, col_widths=(0.5, 6, 0.5))
    lines = [line.text for line in page_lines(render_pdf(_report([table])))[1]]
    assert any("SJ-2026-Q4-01" in line for line in lines), lines
    assert "计划编号" in lines[0]  # a four-character header keeps to one line


def test_without_an_embeddable_font_the_font_check_says_how_to_install_one(app, monkeypatch):
    monkeypatch.setattr(fonts, "SYSTEM_FONTS", ())
    monkeypatch.setitem(app.config, "PDF_FONT_PATH", "/nonexistent/font.ttc")
    result = app.test_cli_runner().invoke(args=["reports", "font"])
    assert result.exit_code == 0  # a warning: ``make run`` goes on
    assert "没有可嵌入的中文 TrueType 字体" in result.output
    assert "apt-get install fonts-wqy-microhei" in result.output
    assert "RISKCTL_PDF_FONT" in result.output


@pytest.mark.skipif(not Path(WQY).is_file(), reason=f"{WQY} is not installed")
def test_with_an_embeddable_font_the_font_check_names_it(app, monkeypatch):
    monkeypatch.setitem(app.config, "PDF_FONT_PATH", WQY)
    result = app.test_cli_runner().invoke(args=["reports", "font"])
    assert result.exit_code == 0 and WQY in result.output and "apt-get" not in result.output
