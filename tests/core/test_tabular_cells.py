import json
from datetime import date, datetime

import pytest

from riskctl.core.tabular.cells import clean_text, parse_choice, parse_date, parse_int
from riskctl.core.tabular.problems import CellError, ImportProblems, ProblemCollector, RowProblem


@pytest.mark.parametrize(
    "value",
    [
        date(2026, 3, 1),
        datetime(2026, 3, 1, 17, 45),
        "2026-03-01",
        "2026-3-1",
        "2026/3/1",
        "2026.03.01",
        "2026年3月1日",
        "２０２６年３月１日",
        " 2026-03-01 00:00:00 ",
        "20260301",
        # Excel serial: 43831 is 2020-01-01; 2020–2025 hold 2192 days, Jan–Feb 2026 hold 59
        46082,
        46082.0,
        "46082",
        "46082.75",
    ],
)
def test_dates_in_every_form_a_spreadsheet_gives(value):
    assert parse_date(value) == date(2026, 3, 1)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2026-02-30", "日期“2026-02-30”不存在"),
        ("明天", "无法识别的日期“明天”，应如 2026-03-01"),
        ("2026", "无法识别的日期“2026”，应如 2026-03-01"),
        (True, "无法识别的日期“True”，应如 2026-03-01"),
        ("", "不能为空，应为日期，如 2026-03-01"),
    ],
)
def test_bad_dates_are_explained(value, message):
    with pytest.raises(CellError) as caught:
        parse_date(value)
    assert caught.value.message == message


def test_optional_cells_may_be_blank():
    assert parse_date("  ", required=False) is None
    assert parse_int("", 1, 3, required=False) is None
    assert parse_choice(None, ["高"], required=False) is None
    assert clean_text("", 10, required=False) == ""


@pytest.mark.parametrize("value", [2, 2.0, "2", " 2 ", "２", "2.0"])
def test_integers_from_numbers_and_text(value):
    assert parse_int(value, 1, 3) == 2


@pytest.mark.parametrize("value", [0, 4, 2.5, "两", True, "2a"])
def test_integers_out_of_range_or_not_integers(value):
    with pytest.raises(CellError, match="应为 1 到 3 之间的整数"):
        parse_int(value, 1, 3)


def test_choices_match_ignoring_width_case_and_spaces():
    assert parse_choice(" ｂ ", ["A", "B", "C", "D"]) == "B"
    assert parse_choice("中", ["高", "中", "低"]) == "中"
    with pytest.raises(CellError) as caught:
        parse_choice("很高", ["高", "中", "低"])
    assert caught.value.message == "“很高”不是可选值，应为以下之一：高、中、低"


def test_text_is_stripped_keeps_line_breaks_and_numbers_read_naturally():
    assert clean_text("  措施一\r\n措施二 ", 50) == "措施一\n措施二"
    assert clean_text(12345.0, 50) == "12345"
    assert clean_text(datetime(2026, 3, 1), 50) == "2026-03-01"


def test_text_with_control_characters_or_too_long_is_refused():
    with pytest.raises(CellError, match="控制字符"):
        clean_text("张\x07三", 10)
    with pytest.raises(CellError) as caught:
        clean_text("一二三四五六", 5)
    assert caught.value.message == "不能超过 5 个字（现有 6 个）"
    with pytest.raises(CellError, match="不能为空"):
        clean_text("   ", 5)


def test_problems_are_sorted_by_row_and_summarised_in_chinese():
    problems = ImportProblems(
        [
            RowProblem(9, "责任人", "不能为空"),
            RowProblem(5, "可能性", "应为 1 到 3 之间的整数"),
            RowProblem(5, "影响程度", "不能为空"),
        ]
    )
    assert problems.message == "共 3 处问题，未导入任何数据"
    assert str(problems) == problems.message
    details = problems.as_details()
    assert details["rows"][0] == {"row": 5, "column": "可能性", "message": "应为 1 到 3 之间的整数"}
    assert [row["row"] for row in details["rows"]] == [5, 5, 9]
    assert details["total"] == 3
    assert json.loads(json.dumps(details)) == details


def test_details_can_be_limited_for_a_file_full_of_mistakes():
    problems = ImportProblems(RowProblem(row, "单位", "不能为空") for row in range(2, 5002))
    details = problems.as_details(limit=100)
    assert len(details["rows"]) == 100
    assert details["total"] == 5000


def test_the_collector_records_cell_errors_and_raises_them_all_at_once():
    collector = ProblemCollector()
    assert collector.cell(3, "可能性", parse_int, "2", 1, 3) == 2
    assert collector.cell(4, "可能性", parse_int, "9", 1, 3) is None
    assert collector.cell(4, "下次评估日期", parse_date, "", required=False) is None
    collector.add(2, "单位", "单位“九中队”不存在")
    with pytest.raises(ImportProblems) as caught:
        collector.raise_if_any()
    assert [(p.row, p.column) for p in caught.value.problems] == [(2, "单位"), (4, "可能性")]


def test_a_clean_collector_does_not_raise():
    ProblemCollector().raise_if_any()
