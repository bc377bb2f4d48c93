import codecs
import csv
import io
from datetime import date, datetime

import openpyxl
import pytest

from riskctl.core.tabular.reading import Column, read_table
from riskctl.core.tabular.writing import safe_cell, write_csv, write_xlsx

HEADERS = ["单位", "风险点", "可能性", "下次评估日期", "防控措施"]
COLUMNS = [
    Column("unit", "单位"),
    Column("title", "风险点"),
    Column("likelihood", "可能性"),
    Column("next_review", "下次评估日期"),
    Column("measures", "防控措施", required=False),
]
ROWS = [
    ["一中队", "违规减免罚款", 3, date(2026, 3, 1), "双人审核\n集体讨论"],
    ["二中队", '=HYPERLINK("http://evil.example","点击")', 1, date(2026, 12, 31), None],
    ["三中队", "-暂扣物品处置", 2, date(2027, 1, 4), "@SUM(A1)"],
    ["四中队", "#N/A", 2, datetime(2026, 5, 6, 8, 30), "+1"],
]


def load(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


@pytest.mark.parametrize(
    ("value", "safe"),
    [
        ("=1+1", "'=1+1"),
        ("+86 138", "'+86 138"),
        ("-5", "'-5"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("张三", "张三"),
        ("a=b", "a=b"),
        (-5, -5),
        (None, None),
    ],
)
def test_safe_cell_prefixes_text_a_spreadsheet_would_run(value, safe):
    assert safe_cell(value) == safe


def test_an_exported_formula_is_read_back_by_openpyxl_as_plain_text():
    sheet = load(write_xlsx(HEADERS, ROWS, "风险点"))["风险点"]
    cell = sheet["B3"]
    assert cell.data_type == "s"
    assert cell.value == '\'=HYPERLINK("http://evil.example","点击")'
    assert sheet["E4"].value == "'@SUM(A1)"
    assert sheet["B4"].value == "'-暂扣物品处置"


def test_error_looking_text_stays_text():
    sheet = load(write_xlsx(HEADERS, ROWS, "风险点"))["风险点"]
    assert sheet["B5"].data_type == "s"
    assert sheet["B5"].value == "#N/A"


def test_xlsx_has_a_header_row_real_numbers_and_real_dates():
    sheet = load(write_xlsx(HEADERS, ROWS, "风险点"))["风险点"]
    assert [cell.value for cell in sheet[1]] == HEADERS
    assert sheet["A1"].font.b
    assert sheet["C2"].value == 3
    assert sheet["D2"].is_date
    assert sheet["D2"].value == datetime(2026, 3, 1)
    assert sheet["D5"].value == datetime(2026, 5, 6, 8, 30)
    assert sheet["E3"].value is None


def test_xlsx_round_trip_gives_the_same_values():
    table = read_table(write_xlsx(HEADERS, ROWS, "风险点"), "export.xlsx", COLUMNS)
    assert list(table.row_numbers) == [2, 3, 4, 5]
    assert [[row[c.field] for c in COLUMNS] for _, row in table.rows()] == [
        [value if value is not None else "" for value in row] for row in ROWS
    ]


def test_csv_round_trip_gives_the_same_text():
    table = read_table(write_csv(HEADERS, ROWS), "export.csv", COLUMNS)
    assert table.column("title") == [row[1] for row in ROWS]
    assert table.column("measures") == ["双人审核\n集体讨论", "", "@SUM(A1)", "+1"]
    assert table.column("next_review") == [
        "2026-03-01",
        "2026-12-31",
        "2027-01-04",
        "2026-05-06 08:30:00",
    ]


def test_csv_starts_with_a_bom_and_guards_formulas():
    data = write_csv(HEADERS, ROWS)
    assert data.startswith(codecs.BOM_UTF8)
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == HEADERS
    assert rows[2][1].startswith("'=HYPERLINK")
    assert rows[1][2] == "3"


def test_characters_xml_cannot_hold_are_dropped_and_cannot_uncover_a_formula():
    sheet = load(write_xlsx(["风险点"], [["\x01=1+1"]], "a"))["a"]
    assert sheet["A2"].value == "'=1+1"


def test_an_unusable_sheet_title_is_made_acceptable_to_excel():
    workbook = load(write_xlsx(["a"], [], "2026/Q1: 风险点[全部]*超过三十一个字符的很长很长的标题"))
    (title,) = workbook.sheetnames
    assert len(title) <= 31
    assert not set("[]:*?/\\") & set(title)
