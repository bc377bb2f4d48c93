"""The report content: a pure function of the snapshot (no database, no request)."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import load_workbook

from riskctl.reporting.content import build_report, figure_texts
from riskctl.reporting.pdf import NoData, render_pdf
from riskctl.reporting.workbook import report_workbook
from tests.reporting.conftest import pdf_text

LEVELS = ["高", "中", "低"]


def _risks(**changes: object) -> dict:
    return {
        "key": {"points": 0, "high": 0, "overdue_reviews": 0, "overdue_measures": 0},
        "levels": LEVELS,
        "level_labels": {lv: lv for lv in LEVELS},
        "units": [],
        "heat_map": {
            "counts": [[0] * 3] * 3,
            "levels": [["低", "低", "中"], ["低", "中", "高"], ["中", "高", "高"]],
        },
        "changes": [],
        "retired": [],
        "overdue_reviews": [],
        "overdue_measures": [],
        **changes,
    }


def snapshot(risks: dict | None = None) -> dict:
    """The snapshot of a bureau with no records in the quarter."""
    return {
        "format": 1,
        "org": "市城市管理综合执法局",
        "period": {
            "year": 2026,
            "quarter": 3,
            "label": "2026年第三季度",
            "start": "2026-07-01",
            "end": "2026-09-30",
            "as_of": "2026-09-30",
            "previous": "2026年第二季度",
        },
        "summary": [
            {
                "section": "risks",
                "key": "points",
                "label": "在册风险点",
                "unit": "个",
                "value": 12,
                "previous": 9,
                "change": 3,
            },
            {
                "section": "inspections",
                "key": "on_time_rate",
                "label": "结果按时公示率",
                "unit": "%",
                "value": 92.5,
                "previous": 95.0,
                "change": -2.5,
            },
            {
                "section": "reviews",
                "key": "pass_rate",
                "label": "案卷合格率",
                "unit": "%",
                "value": None,
                "previous": 80.0,
                "change": None,
            },
        ],
        "sections": {
            "risks": risks or _risks(),
            "inspections": {
                "key": {"plans": 0, "results": 0, "found": 0, "on_time_rate": None},
                "plans": [],
                "draws": [],
                "coverage": [],
                "results": [],
                "publication": {"total": 0},
                "publication_days": 20,
            },
            "reviews": {"key": {"files": 0, "failed": 0, "pass_rate": None}},
            "leniency": {"key": {"decisions": 0, "correction_rate": None, "refused": 0}},
            "rectification": {
                "key": {"open": 0, "red": 0},
                "counts": {"red": 0, "yellow": 0, "green": 0, "open": 0},
            },
            "warnings": {"key": {"open": 0, "red": 0}},
        },
    }


def test_sections_without_data_say_so_instead_of_drawing_empty_charts():
    report = build_report(snapshot(), version=1, issued_on=date(2026, 10, 9))
    notes = [block.text for block in report.blocks if isinstance(block, NoData)]
    assert notes == [
        "登记簿中没有风险点",
        "本季度未开展双随机抽查，也没有录入抽查结果",
        "本季度没有确认评查结果的案卷",
        "本季度没有首违不罚决定，也没有被拒绝的重复申请",
        "暂无预警数据",
        "截至2026年9月30日没有未销号的整改事项",
    ]


def test_the_summary_shows_changes_and_percentage_points():
    rows = snapshot()["summary"]
    assert figure_texts(rows[0]) == ("12", "较上季度 ↑3")
    assert figure_texts(rows[1]) == ("92.5%", "较上季度 ↓2.5 个百分点")
    assert figure_texts(rows[2]) == ("—", "较上季度 —")


def test_the_cover_names_the_period_the_cut_off_and_the_version():
    pdf = render_pdf(build_report(snapshot(), version=2, issued_on=date(2026, 10, 9)))
    text = pdf_text(pdf)
    for expected in [
        "内部资料",
        "市城市管理综合执法局",
        "2026年第三季度",
        "第2版",
        "统计期间：2026年7月1日至2026年9月30日",
        "2026年10月9日",
        "第1页共",
    ]:
        assert expected in text
    assert "2026-Q3-v2.json" in text


def test_a_3000_character_title_with_markup_wraps_and_prints_literally():
    title = ("<b>夜间</b>巡查&" + "暂扣物品未登记造册，" * 300)[:3000]
    risks = _risks(
        key={"points": 1, "high": 1, "overdue_reviews": 1, "overdue_measures": 0},
        units=[
            {
                "code": "ZD1-1",
                "name": "市容秩序第一中队",
                "levels": {"高": 1, "中": 0, "低": 0},
                "total": 1,
            }
        ],
        overdue_reviews=[
            {
                "id": 7,
                "unit": "市容秩序第一中队",
                "title": title,
                "responsible": "张勇",
                "due": "2026-08-01",
                "days_overdue": 60,
            }
        ],
    )
    pdf = render_pdf(build_report(snapshot(risks), version=1, issued_on=date(2026, 10, 9)))
    text = pdf_text(pdf)
    assert "<b>夜间</b>巡查&暂扣物品未登记造册" in text
    assert text.count("暂扣物品未登记造册") >= 290  # nothing of the title was cut off


def test_the_data_workbook_has_a_sheet_per_section_and_is_formula_safe():
    risks = _risks(
        key={"points": 1, "high": 1, "overdue_reviews": 0, "overdue_measures": 0},
        units=[
            {
                "code": "ZD1-1",
                "name": '=HYPERLINK("http://x")',
                "levels": {"高": 1, "中": 0, "低": 0},
                "total": 1,
            }
        ],
    )
    data = snapshot(risks)
    layout = build_report(data, version=1, issued_on=date(2026, 10, 9))
    book = load_workbook(io.BytesIO(report_workbook(layout, data)))
    assert book.sheetnames == [
        "主要指标",
        "廉政风险点登记",
        "双随机、一公开抽查",
        "案卷评查",
        "首违不罚",
        "预警与整改",
    ]
    summary = list(book["主要指标"].values)
    assert summary[0] == ("指标", "本季度", "2026年第二季度", "变化", "单位")
    assert summary[1] == ("在册风险点", 12, 9, 3, "个")
    cells = [c for row in book["廉政风险点登记"].values for c in row if c]
    assert '\'=HYPERLINK("http://x")' in cells
    assert all(not (isinstance(c, str) and c.startswith("=")) for c in cells)
