import io
from datetime import date, datetime

import openpyxl
import pytest

from riskctl.core.tabular.cells import parse_date
from riskctl.core.tabular.problems import TableError
from riskctl.core.tabular.reading import Column, read_table

COLUMNS = [
    Column("unit", "单位"),
    Column("title", "风险点"),
    Column("likelihood", "可能性"),
    Column("impact", "影响程度"),
    Column("level", "风险等级"),
    Column("responsible", "责任人", aliases=("责任人员",)),
    Column("next_review", "下次评估日期", required=False),
    Column("indicator", "监测指标", required=False),
]


def xlsx_bytes(workbook: openpyxl.Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def register_workbook() -> bytes:
    """A register as the bureau keeps it: an instructions sheet first, then a
    title row, a two-level header with merged cells, blank rows and dates
    typed three ways."""
    workbook = openpyxl.Workbook()
    notes = workbook.active
    notes.title = "说明"
    notes["A1"] = "填表说明：单位填写全称，风险等级按矩阵计算。"
    notes["A2"] = "单位"
    data = workbook.create_sheet("风险点")
    data["A1"] = "2026 年度廉政风险点登记表"
    data.merge_cells("A1:H1")
    for column, header in zip(
        "ABEFGH",
        ["单位", "风险点", "风险等级", " 责任\n人员 ", "下次评估日期", "备注"],
        strict=True,
    ):
        data[f"{column}2"] = header
        data.merge_cells(f"{column}2:{column}3")
    data["C2"] = "风险评估"
    data.merge_cells("C2:D2")
    data["C3"] = "可能性"
    data["D3"] = "影响\n程度"
    data.append(["一中队", "违规减免罚款", 3, 3, "高", "张三", date(2026, 3, 1), "x"])
    data.append([])
    data.append([None, "  ", None])
    data.append(["二中队", "暂扣物品处置不规范", 2, 1, "低", "李四", 46000, None])
    data.append(["三中队", "'=选择性执法", "2", "3", "中", "王五", "2026年3月1日", None])
    return xlsx_bytes(workbook)


def test_xlsx_finds_the_sheet_and_header_below_a_title_and_merged_cells():
    table = read_table(register_workbook(), "登记表.xlsx", COLUMNS)
    assert table.sheet_name == "风险点"
    assert list(table.row_numbers) == [4, 7, 8]
    assert table.column("unit") == ["一中队", "二中队", "三中队"]
    assert table.column("responsible") == ["张三", "李四", "王五"]
    assert table.column("likelihood") == [3, 2, "2"]
    assert table.column("indicator") == ["", "", ""]
    assert "indicator" not in table.present
    assert "next_review" in table.present


def test_xlsx_dates_come_raw_and_parse_the_same_whichever_way_they_were_typed():
    table = read_table(register_workbook(), "登记表.xlsx", COLUMNS)
    raw = table.column("next_review")
    assert isinstance(raw[0], date)
    assert raw[1] == 46000
    assert raw[2] == "2026年3月1日"
    assert [parse_date(value) for value in raw] == [
        date(2026, 3, 1),
        date(2025, 12, 9),  # serial 45658 is 2025-01-01; 46000 is 342 days later
        date(2026, 3, 1),
    ]


def test_rows_gives_each_row_with_its_number():
    table = read_table(register_workbook(), "登记表.xlsx", COLUMNS)
    number, row = next(table.rows())
    assert number == 4
    assert row["title"] == "违规减免罚款"
    assert set(row) == {c.field for c in COLUMNS}
    assert table.header("responsible") == "责任人"


def test_an_exported_formula_guard_is_undone_on_import():
    table = read_table(register_workbook(), "登记表.xlsx", COLUMNS)
    assert table.column("title")[2] == "=选择性执法"


def test_vertically_merged_data_cells_fill_every_row_they_cover():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["单位", "风险点", "可能性", "影响程度", "风险等级", "责任人"])
    sheet.append(["一中队", "甲", 1, 1, "低", "张三"])
    sheet.append([None, "乙", 1, 1, "低", "李四"])
    sheet.merge_cells("A2:A3")
    table = read_table(xlsx_bytes(workbook), "a.xlsx", COLUMNS)
    assert table.column("unit") == ["一中队", "一中队"]


def test_missing_required_columns_are_listed_in_chinese():
    workbook = openpyxl.Workbook()
    workbook.active.append(["单位", "风险点", "可能性", "影响程度", "备注"])
    with pytest.raises(TableError) as caught:
        read_table(xlsx_bytes(workbook), "a.xlsx", COLUMNS)
    assert caught.value.message == "缺少列：风险等级、责任人"


def test_missing_columns_are_reported_for_the_sheet_that_came_closest():
    workbook = openpyxl.Workbook()
    workbook.active.append(["填表说明"])
    data = workbook.create_sheet("数据")
    data.append(["单位", "风险点", "可能性", "影响程度", "风险等级"])
    with pytest.raises(TableError, match=r"^缺少列：责任人$"):
        read_table(xlsx_bytes(workbook), "a.xlsx", COLUMNS)


def test_a_column_given_twice_is_refused():
    workbook = openpyxl.Workbook()
    workbook.active.append(
        ["单位", "风险点", "可能性", "影响程度", "风险等级", "责任人", "责任人员"]
    )
    with pytest.raises(TableError, match="两列都是“责任人”"):
        read_table(xlsx_bytes(workbook), "a.xlsx", COLUMNS)


def test_unsupported_and_broken_files_get_clear_errors():
    with pytest.raises(TableError, match=r"不支持的文件类型“\.xls”"):
        read_table(b"\xd0\xcf\x11\xe0", "old.xls", COLUMNS)
    with pytest.raises(TableError, match="无法读取该 Excel 文件"):
        read_table(b"not a zip file", "a.xlsx", COLUMNS)
    with pytest.raises(TableError, match="文件是空的"):
        read_table(b"", "a.csv", COLUMNS)


CSV_TEXT = (
    "2026 年度廉政风险点登记表,,,,,,\n"
    "单位,风险点,可能性,影响程度,风险等级,责任人,下次评估日期\n"
    "一中队,违规减免罚款,3,3,高,张三,2026/3/1\n"
    "\n"
    ",,,,,,\n"
    '二中队,"暂扣物品\n处置不规范",2,1,低,李四,46000\n'
    "三中队,'-选择性执法,2,3,中,王五\n"
)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_in_utf8_with_or_without_bom_and_in_gbk(encoding):
    table = read_table(CSV_TEXT.encode(encoding), "名录.CSV", COLUMNS)
    assert list(table.row_numbers) == [3, 6, 7]
    assert table.column("unit") == ["一中队", "二中队", "三中队"]
    assert table.column("title") == ["违规减免罚款", "暂扣物品\n处置不规范", "-选择性执法"]
    assert table.column("likelihood") == ["3", "2", "2"]  # CSV values stay text
    assert table.column("next_review") == ["2026/3/1", "46000", ""]
    assert table.column("indicator") == ["", "", ""]


def test_csv_keeps_leading_zeros_and_values_pandas_would_read_as_missing():
    text = "单位,风险点,可能性,影响程度,风险等级,责任人\n007,NA,1,1,低,null\n"
    table = read_table(text.encode(), "a.csv", COLUMNS)
    assert table.column("unit") == ["007"]
    assert table.column("title") == ["NA"]
    assert table.column("responsible") == ["null"]


def test_csv_with_only_a_header_is_an_empty_table():
    text = "单位,风险点,可能性,影响程度,风险等级,责任人\n"
    table = read_table(text.encode("gbk"), "a.csv", COLUMNS)
    assert len(table) == 0
    assert table.column("unit") == []


def test_csv_missing_columns_are_listed():
    with pytest.raises(TableError, match=r"^缺少列：可能性、影响程度、风险等级、责任人$"):
        read_table("单位,风险点\n一中队,甲\n".encode(), "a.csv", COLUMNS)


def test_xlsx_datetimes_are_exposed_as_datetimes():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["单位", "风险点", "可能性", "影响程度", "风险等级", "责任人", "下次评估日期"])
    sheet.append(["一中队", "甲", 1, 1, "低", "张三", datetime(2026, 3, 1, 9, 30)])
    table = read_table(xlsx_bytes(workbook), "a.xlsx", COLUMNS)
    assert table.column("next_review") == [datetime(2026, 3, 1, 9, 30)]


def test_csv_rows_shorter_or_longer_than_the_header_are_read():
    text = (
        "单位,风险点,可能性,影响程度,风险等级,责任人,下次评估日期\n"
        "一中队,甲\n"
        "二中队,乙,1,1,低,张三,,多余,多余\n"
    )
    table = read_table(text.encode(), "a.csv", COLUMNS)
    assert table.column("title") == ["甲", "乙"]
    assert table.column("responsible") == ["", "张三"]


def test_csv_with_an_unclosed_quote_names_the_row():
    text = (
        '标题\n单位,风险点,可能性,影响程度,风险等级,责任人\n一中队,甲,1,1,低,张三\n\n二中队,"乙,1\n'
    )
    with pytest.raises(TableError, match=r"^CSV 文件第 5 行的引号没有闭合$"):
        read_table(text.encode(), "a.csv", COLUMNS)


def test_csv_in_neither_utf8_nor_gbk_is_refused():
    with pytest.raises(TableError, match="无法识别 CSV 文件的编码"):
        read_table("单位,风险点\n".encode("utf-16"), "a.csv", COLUMNS)


def test_csv_rows_of_nothing_but_spaces_are_skipped_and_numbering_keeps_counting():
    text = "单位,风险点,可能性,影响程度,风险等级,责任人\n \t,\u3000,,,,\n一中队,甲,1,1,低,张三\n"
    table = read_table(text.encode("gbk"), "a.csv", COLUMNS)
    assert list(table.row_numbers) == [3]
