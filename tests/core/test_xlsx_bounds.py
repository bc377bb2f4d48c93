"""Bounds on what an .xlsx may ask of a worker, checked before calamine builds a grid."""

from __future__ import annotations

import pytest

from riskctl.core import xlsx_bounds
from riskctl.core.tabular.problems import TableError
from riskctl.core.tabular.reading import Column, read_table
from riskctl.core.tabular.writing import write_csv, write_xlsx
from tests.hostile import cell, column_letters, far_corner_xlsx, header_cells, package, sheet_xml

COLUMNS = [Column("code", "编号"), Column("name", "名称")]
HEADERS = ["编号", "名称"]


def refused(data: bytes, *, max_rows: int = 1000, name: str = "a.xlsx") -> str:
    with pytest.raises(TableError) as caught:
        read_table(data, name, COLUMNS, max_rows=max_rows)
    return caught.value.message


def rows_xlsx(count: int) -> bytes:
    return write_xlsx(HEADERS, [[f"N{k}", f"名称{k}"] for k in range(count)], "表")


def test_the_far_corner_file_is_refused_naming_the_column_limit():
    for far in ("XFD1048576", "XFD20000", "BM2"):
        message = refused(far_corner_xlsx(HEADERS, far))
        assert message.startswith(
            f"工作表用到了第 {xlsx_bounds.column_number(far[:3].rstrip('0123456789'))} 列"
        )
        assert "超过每次导入最多 64 列的上限" in message


def test_the_last_allowed_column_still_reads():
    data = package(sheet_xml({1: header_cells(HEADERS), 2: cell("A2", "N1") + cell("BL2", "x")}))
    assert read_table(data, "a.xlsx", COLUMNS).column("code") == ["N1"]


def test_a_far_row_is_refused_naming_the_import_row_limit():
    message = refused(far_corner_xlsx(HEADERS, "A1048576"), max_rows=20_000)
    assert message == (
        "工作表用到了第 1,048,576 行，超过每次导入最多 20,000 行的上限；请删除多余的行或分批导入"
    )


def test_rows_times_columns_is_bounded_even_when_each_is_allowed():
    data = package(sheet_xml({1: header_cells(HEADERS), 400_000: cell("BL400000", "x")}))
    message = refused(data, max_rows=2_000_000)
    assert message.startswith("工作表的使用范围为 400,000 行 × 64 列")
    assert "最多 20,000,000 个单元格" in message


def test_data_rows_beyond_the_cap_are_refused_and_the_cap_itself_reads():
    assert len(read_table(rows_xlsx(50), "a.xlsx", COLUMNS, max_rows=50)) == 50
    assert refused(rows_xlsx(51), max_rows=50) == "文件超过每次导入最多 50 行的上限，请分批导入"
    csv_data = write_csv(HEADERS, [[f"N{k}", "名"] for k in range(51)])
    assert len(read_table(csv_data, "a.csv", COLUMNS, max_rows=51)) == 51
    assert refused(csv_data, max_rows=50, name="a.csv") == (
        "文件超过每次导入最多 50 行的上限，请分批导入"
    )


def test_a_csv_header_wider_than_the_cap_is_refused():
    wide = [*HEADERS, *(f"备注{k}" for k in range(63))]
    message = refused(write_csv(wide, [["N1", "名", *[""] * 63]]), name="a.csv")
    assert message.startswith("表头有 65 列，超过每次导入最多 64 列的上限")


def test_a_zip_bomb_that_lies_about_its_size_is_refused():
    rows = {1: header_cells(HEADERS)}
    rows.update({n: cell(f"A{n}", f"N{n}") + cell(f"B{n}", "名") for n in range(2, 2000)})
    sheet = sheet_xml(rows)
    assert len(read_table(package(sheet), "a.xlsx", COLUMNS)) == 1998
    assert refused(package(sheet, lie_about=4000)).startswith("无法读取该 Excel 文件")


def test_a_package_declaring_more_than_the_unpacked_cap_is_refused():
    sheet = sheet_xml({1: header_cells(HEADERS)})
    message = refused(package(sheet, lie_about=xlsx_bounds.MAX_UNPACKED + 1))
    assert message == "文件解压后超过 1024 MB 的上限"


@pytest.mark.parametrize(
    "odd",
    [
        "<c><v>1</v></c>",
        '<c s="0" r="A2"><v>1</v></c>',
        '<c\nr="XFD2"><v>1</v></c>',
        '<c r="xfd2"><v>1</v></c>',
        '<c r="ABCD2"><v>1</v></c>',
    ],
)
def test_a_cell_without_a_plain_reference_is_refused(odd):
    data = package(sheet_xml({1: header_cells(HEADERS), 2: odd}))
    assert "有单元格缺少位置信息" in refused(data)


def test_a_namespaced_cell_is_refused():
    sheet = sheet_xml({1: header_cells(HEADERS)}).replace(
        "</sheetData>",
        '<row r="2"><x:c xmlns:x="urn:x" r="XFD2"><x:v>1</x:v></x:c></row></sheetData>',
    )
    assert "命名空间前缀" in refused(package(sheet))


def test_merged_ranges_are_counted(monkeypatch):
    merges = "".join(f'<mergeCell ref="A{n}:B{n}"/>' for n in range(2, 6))
    tail = f'<mergeCells count="4">{merges}</mergeCells>'
    rows = {n: cell(f"A{n}", f"N{n}") for n in range(2, 6)}
    data = package(sheet_xml({1: header_cells(HEADERS), **rows}, tail=tail))
    table = read_table(data, "a.xlsx", COLUMNS)
    assert table.column("name") == ["N2", "N3", "N4", "N5"]  # filled from the merge
    monkeypatch.setattr(xlsx_bounds, "MAX_MERGES", 3)
    assert refused(data) == "合并单元格过多，每张工作表最多 3 个"


def test_a_sheet_of_exactly_the_caps_reads():
    last = column_letters(xlsx_bounds.MAX_COLUMNS)
    data = package(
        sheet_xml({1: header_cells(HEADERS), 31: cell("A31", "N") + cell(f"{last}31", "x")})
    )
    assert read_table(data, "a.xlsx", COLUMNS, max_rows=1).row_numbers.tolist() == [31]


def test_a_long_sheet_counts_its_narrow_columns_too():
    def sheet(column: str) -> bytes:
        rows = {1: header_cells(HEADERS), 5: cell(f"{column}5", "x"), 900_000: cell("A900000", "N")}
        return package(sheet_xml(rows))

    assert len(read_table(sheet("G"), "a.xlsx", COLUMNS, max_rows=2_000_000)) == 1
    message = refused(sheet("Z"), max_rows=2_000_000)
    assert message.startswith("工作表的使用范围为 900,000 行 × 26 列")
