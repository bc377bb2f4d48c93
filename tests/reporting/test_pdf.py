"""The PDF layout package: a plain report model in, a readable Chinese PDF out."""

from __future__ import annotations

import datetime as dt
import io
import logging
from itertools import pairwise
from pathlib import Path

import pytest
from pypdf import PdfReader
from reportlab.lib.styles import ParagraphStyle

from riskctl.reporting.pdf import (
    BarChart,
    Figures,
    Heading,
    HeatMap,
    NoData,
    PageBreak,
    Para,
    PieChart,
    Report,
    Table,
    fonts,
    register_cjk_font,
    render_pdf,
)
from riskctl.reporting.pdf.text import (
    NO_LINE_END,
    NO_LINE_START,
    CJKParagraph,
    escape,
    to_markup,
    wrap_text,
)

WQY = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
needs_wqy = pytest.mark.skipif(
    not Path(WQY).is_file(), reason=f"fonts-wqy-microhei is not installed ({WQY} missing)"
)
UNITS = ["第一执法支队", "第二执法支队", "第三执法支队第二中队", "直属执法大队"]


def make_report(**changes: object) -> Report:
    rows = [
        [f"FX-2025-{i:03d}", UNITS[i % 4], "行政处罚", "执法人员可能存在选择性执法等问题。", i % 7]
        for i in range(1, 81)
    ]
    fields: dict[str, object] = {
        "title": "2025年第一季度廉政风险防控工作报告",
        "subtitle": "2025年第一季度",
        "org": "某市城市管理综合行政执法局",
        "issued_on": dt.date(2025, 4, 10),
        "version": 1,
        "cover_lines": ["编制单位：机关纪委"],
        "blocks": [
            Heading("一、主要指标概览"),
            Para("本季度全局廉政风险防控工作总体平稳。"),
            Figures([("风险点总数", 128, 6), ("高等级风险点", 14, -3), ("逾期未复核", 5, 0)]),
            Heading("二、风险点登记情况"),
            Heading("（一）等级分布", 2),
            HeatMap(
                "风险点可能性与影响程度分布",
                ["低", "中", "高"],
                ["低", "中", "高"],
                [[20, 15, 8], [12, 18, 9], [6, 7, 14]],
                [["低", "低", "中"], ["低", "中", "高"], ["中", "高", "高"]],
            ),
            PieChart("风险点按职权类别分布", [("行政处罚", 52), ("行政许可", 21)]),
            BarChart("各单位风险点数量", UNITS, [("本季度", [30, 28, 22, 18])]),
            BarChart("逾期复核", UNITS, [("逾期", [2, 1, 0, 1])], horizontal=True),
            PageBreak(),
            Heading("（二）风险点明细", 2),
            Table(["编号", "单位", "职权", "风险描述", "措施数"], rows, title="风险点明细"),
            Heading("三、随机抽查情况"),
            NoData("本季度未开展随机抽查"),
        ],
    }
    fields.update(changes)
    return Report(**fields)


def pages_text(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def squeeze(text: str) -> str:
    """Text without whitespace, so a wrapped line still matches."""
    return "".join(text.split())


def font_dicts(pdf: bytes) -> list[dict]:
    found = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor")
            if descriptor is None and "/DescendantFonts" in font:
                descriptor = font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
            found.append({"font": font, "descriptor": descriptor and descriptor.get_object()})
    return found


@pytest.fixture(scope="module")
def report_pdf() -> bytes:
    return render_pdf(make_report())


def test_chinese_headings_and_key_figures_extract_as_text(report_pdf: bytes) -> None:
    text = squeeze("\n".join(pages_text(report_pdf)))
    for expected in ["一、主要指标概览", "（一）等级分布", "风险点总数", "128", "较上季度↑6"]:
        assert expected in text
    assert "较上季度↓3" in text and "较上季度持平" in text
    assert "图1风险点可能性与影响程度分布" in text and "表1风险点明细" in text


def test_every_page_says_which_page_of_how_many(report_pdf: bytes) -> None:
    texts = pages_text(report_pdf)
    assert len(texts) > 3
    for number, text in enumerate(texts, start=1):
        assert f"第 {number} 页 共 {len(texts)} 页" in text


def test_cover_names_bureau_period_issue_date_version_and_marking(report_pdf: bytes) -> None:
    cover = squeeze(pages_text(report_pdf)[0])
    for expected in ["内部资料", "某市城市管理综合行政执法局", "2025年第一季度", "2025年4月10日"]:
        assert expected in cover
    assert "第1版" in cover


def test_long_table_repeats_its_header_on_every_page(report_pdf: bytes) -> None:
    with_rows = [t for t in pages_text(report_pdf) if "FX-2025-" in t]
    assert len(with_rows) >= 2
    assert all("风险描述" in t for t in with_rows)
    assert "FX-2025-080" in with_rows[-1]


def test_sections_without_data_say_so(report_pdf: bytes) -> None:
    text = squeeze(
        "\n".join(
            pages_text(
                render_pdf(
                    make_report(
                        blocks=[
                            NoData(),
                            BarChart("抽查覆盖率", [], []),
                            PieChart("评查等次", [("优秀", 0)]),
                            Table(["事项", "状态"], [], title="整改事项"),
                        ]
                    )
                )
            )
        )
    )
    assert "本季度无数据" in text
    assert "抽查覆盖率：本季度无数据" in text
    assert "评查等次：本季度无数据" in text
    assert "本季度未开展随机抽查" in squeeze("\n".join(pages_text(render_pdf(make_report()))))


@needs_wqy
def test_truetype_font_is_embedded() -> None:
    choice = register_cjk_font(WQY)
    assert choice.embedded and choice.path == WQY
    pdf = render_pdf(make_report(), font_path=WQY)
    embedded = [f for f in font_dicts(pdf) if f["descriptor"] and "/FontFile2" in f["descriptor"]]
    assert embedded, "no /FontFile2 stream: the CJK font is not embedded"
    assert any("WenQuanYi" in str(f["font"]["/BaseFont"]) for f in embedded)


def test_bad_font_path_and_no_system_font_fall_back_to_cid_font(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(fonts, "SYSTEM_FONTS", ())
    with caplog.at_level(logging.WARNING, logger=fonts.__name__):
        pdf = render_pdf(make_report(), font_path="/nonexistent/font.ttc")
    assert "/nonexistent/font.ttc" in caplog.text
    assert "STSong-Light" in caplog.text
    base_fonts = {str(f["font"].get("/BaseFont")) for f in font_dicts(pdf)}
    assert "/STSong-Light" in base_fonts
    assert not any(f["descriptor"] and "/FontFile2" in f["descriptor"] for f in font_dicts(pdf))
    assert "一、主要指标概览" in squeeze("\n".join(pages_text(pdf)))


def test_registering_the_font_again_is_cheap_and_gives_the_same_names() -> None:
    assert register_cjk_font() == register_cjk_font()


def test_markup_in_untrusted_text_prints_literally() -> None:
    nasty = "<font color=red>红头</font> & <script>alert(1)</script>"
    pdf = render_pdf(
        make_report(
            title=nasty,
            blocks=[
                Heading(nasty),
                Para(nasty),
                Table(["名称"], [[nasty]]),
                Figures([(nasty, 1, 0)]),
            ],
        )
    )
    texts = [squeeze(t) for t in pages_text(pdf)]
    assert squeeze(nasty) in texts[0]
    # running header, heading, paragraph, table cell, key-figure label
    assert texts[1].count(squeeze(nasty)) == 5


def test_escape_and_markup() -> None:
    assert escape("<b>A & B</b>") == "&lt;b&gt;A &amp; B&lt;/b&gt;"
    assert to_markup("第一行\n第二行\x00") == "第一行<br/>第二行"


def test_three_thousand_character_title_flows_across_pages() -> None:
    title = ("关于城市管理综合执法领域廉政风险防控（含“双随机、一公开”）的情况报告；" * 90)[:3000]
    pdf = render_pdf(make_report(title=title, blocks=[Heading(title), Table(["名称"], [[title]])]))
    texts = pages_text(pdf)
    assert len(texts) > 6
    assert squeeze(title[:40]) in squeeze(texts[0])
    assert f"第 {len(texts)} 页 共 {len(texts)} 页" in texts[-1]
    assert squeeze(title[-30:]) in squeeze("".join(texts))


PUNCTUATED = (
    "根据《城市管理执法办法》（住建部令第34号），各支队应于季末前完成自查、互查；"
    "对问题，及时整改。“首违不罚”清单……共计12.5%的案件——均已公示！"
    "【注】「甲」『乙』‘丙’：是否？是．完）"
)


def cjk_width(char: str) -> float:
    return 1.0 if ord(char) >= 0x2E80 or char in "“”‘’…—" else 0.5


@pytest.mark.parametrize("width", range(4, 30))
def test_no_line_starts_with_closing_or_ends_with_opening_punctuation(width: int) -> None:
    lines = wrap_text(PUNCTUATED, width, cjk_width)
    assert "".join(lines) == PUNCTUATED
    assert all(sum(map(cjk_width, line)) <= width for line in lines)
    for line in lines[1:]:
        assert line[0] not in NO_LINE_START, lines
    for line in lines[:-1]:
        assert line[-1] not in NO_LINE_END, lines
    for before, after in pairwise(lines):
        assert not (before[-1] == after[0] and after[0] in "—…"), lines
    assert any("12.5%" in line for line in lines)


def test_rendered_paragraph_lines_follow_the_same_rules() -> None:
    font = register_cjk_font().regular
    style = ParagraphStyle("t", fontName=font, fontSize=10, leading=14)
    for width in range(60, 200, 7):
        paragraph = CJKParagraph(escape(PUNCTUATED), style)
        paragraph.wrap(width, 10_000)
        lines = ["".join(w.text for w in line.words) for line in paragraph.blPara.lines]
        assert "".join(lines) == PUNCTUATED
        assert all(line[0] not in NO_LINE_START for line in lines[1:]), lines
        assert all(line[-1] not in NO_LINE_END for line in lines[:-1]), lines


def test_a_paragraph_breaks_its_lines_once_per_width(monkeypatch) -> None:
    # A table wraps each cell several times at one width; the lines are broken once.
    font = register_cjk_font().regular
    style = ParagraphStyle("t", fontName=font, fontSize=10, leading=14)
    paragraph = CJKParagraph(escape(PUNCTUATED), style)
    broken = []
    real = CJKParagraph._break
    monkeypatch.setattr(CJKParagraph, "_break", lambda p, w: broken.append(w) or real(p, w))

    def lines() -> list[str]:
        return ["".join(w.text for w in line.words) for line in paragraph.blPara.lines]

    assert paragraph.wrap(120, 10_000) == paragraph.wrap(120, 10_000)
    narrow = lines()
    assert broken == [[120, 120]]
    paragraph.wrap(200, 10_000)  # another width: broken again, into fewer lines
    wide = lines()
    assert broken == [[120, 120], [200, 200]] and len(wide) < len(narrow)
    assert "".join(wide) == "".join(narrow) == PUNCTUATED
    paragraph.wrap(120, 10_000)
    assert lines() == narrow and len(broken) == 3


def test_same_report_gives_identical_bytes_dated_by_issue_date(report_pdf: bytes) -> None:
    assert render_pdf(make_report()) == report_pdf
    info = PdfReader(io.BytesIO(report_pdf)).metadata
    assert info["/CreationDate"] == "D:20250410000000+08'00'"
    assert info["/Title"] == "2025年第一季度廉政风险防控工作报告"
    assert render_pdf(make_report(issued_on=dt.date(2025, 4, 11))) != report_pdf


def test_outline_points_at_the_heading_pages(report_pdf: bytes) -> None:
    reader = PdfReader(io.BytesIO(report_pdf))
    top = [item for item in reader.outline if not isinstance(item, list)]
    assert [item.title for item in top] == [
        "一、主要指标概览",
        "二、风险点登记情况",
        "三、随机抽查情况",
    ]
    assert reader.get_destination_page_number(top[0]) == 1


def test_empty_page_breaks_do_not_make_blank_pages() -> None:
    pdf = render_pdf(make_report(blocks=[PageBreak(), Para("甲"), PageBreak(), PageBreak()]))
    assert len(pages_text(pdf)) == 2


def test_a_row_with_the_wrong_number_of_cells_is_refused() -> None:
    with pytest.raises(ValueError, match="第 2 行"):
        Table(["编号", "名称"], [["1", "甲"], ["2"]])
