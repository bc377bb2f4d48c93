"""Reading .xlsx and .csv into a Table.

The header row is found by its Chinese headers; values are kept column by column.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import PurePath

import numpy as np
import pandas as pd
import python_calamine

from riskctl.core import xlsx_bounds
from riskctl.core.tabular.cells import FORMULA_TRIGGERS
from riskctl.core.tabular.problems import TableError

# What a cell holds once read: CSV gives only str; .xlsx gives what Excel stored.
CellValue = str | int | float | bool | date | datetime | time | timedelta

# The header row is looked for among the first rows only: above it there may
# be a title, a date line or a note, but never pages of them.
_HEADER_SCAN_ROWS = 30
# Rows one import may bring unless the importer says otherwise (rosters bring a million).
DEFAULT_MAX_ROWS = 20_000
_CSV_SNIFF_BYTES = 256 * 1024
_NO_SPACE = re.compile(r"\s+")
_UTF8_CHECK_CHUNK = 4 * 1024 * 1024
_CSV_FORMAT_MESSAGE = "CSV 文件格式有误，请用 Excel 打开后重新另存为 CSV 再上传"
_ENCODING_MESSAGE = "无法识别 CSV 文件的编码，请另存为 UTF-8 或 GBK 编码的 CSV"


class _HeaderNotFound(TableError):
    """No row holds every required header; `matched` tells how close the best row came."""

    def __init__(self, message: str, matched: int) -> None:
        super().__init__(message)
        self.matched = matched


@dataclass(frozen=True)
class Column:
    """A column the import expects: Chinese `header` (or an alias) → `field`."""

    field: str
    header: str
    required: bool = True
    aliases: tuple[str, ...] = ()


class Table:
    """The rows of an imported sheet, stored column by column.

    `row_numbers[i]` is the 1-based row a user sees in Excel for the i-th
    kept row (header and skipped blank rows counted). Empty cells are "".
    Optional columns absent from the file read as "" and are not in `present`.
    """

    def __init__(
        self,
        columns: Sequence[Column],
        values: dict[str, list[CellValue]],
        row_numbers: Sequence[int],
        present: frozenset[str],
        sheet_name: str | None = None,
    ) -> None:
        self._headers = {column.field: column.header for column in columns}
        self._values = values
        self.row_numbers = row_numbers
        self.present = present
        self.sheet_name = sheet_name

    def __len__(self) -> int:
        return len(self.row_numbers)

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(self._headers)

    def header(self, field: str) -> str:
        """The Chinese header of a field, as `RowProblem.column` wants it."""
        return self._headers[field]

    def column(self, field: str) -> list[CellValue]:
        return self._values[field]

    def rows(self) -> Iterator[tuple[int, dict[str, CellValue]]]:
        """`(row_number, {field: value})` per row; for small tables."""
        fields = self.fields
        columns = [self._values[field] for field in fields]
        for i, number in enumerate(self.row_numbers):
            yield number, {field: column[i] for field, column in zip(fields, columns, strict=True)}


# Reading ------------------------------------------------------------------


def read_table(
    data: bytes, filename: str, columns: Sequence[Column], *, max_rows: int = DEFAULT_MAX_ROWS
) -> Table:
    """Read the expected columns of an uploaded .xlsx or .csv file of at most `max_rows` rows.

    A file wider than `xlsx_bounds.MAX_COLUMNS` columns, or whose sheet spans more
    rows or cells than the import allows, is refused before anything is built.
    """
    suffix = PurePath(filename).suffix.lower()
    if not data:
        raise TableError("文件是空的")
    if suffix == ".csv":
        table = _read_csv(data, columns, max_rows)
    elif suffix == ".xlsx":
        table = _read_xlsx(data, columns, max_rows)
    else:
        raise TableError(f"不支持的文件类型“{suffix or filename}”，请上传 .xlsx 或 .csv 文件")
    if len(table) > max_rows:
        raise TableError(_too_many_rows(max_rows))
    return table


def _too_many_rows(max_rows: int) -> str:
    return f"文件超过每次导入最多 {max_rows:,} 行的上限，请分批导入"


def _header_key(text: object) -> str:
    """Headers match ignoring width, all whitespace and a required-marker `*`."""
    return _NO_SPACE.sub("", unicodedata.normalize("NFKC", str(text))).strip("*")


def _find_header(
    rows: Sequence[Sequence[object]], columns: Sequence[Column]
) -> tuple[int, dict[str, int]]:
    """(index of the header row, field → column index), or TableError."""
    keys = {_header_key(name): c.field for c in columns for name in (c.header, *c.aliases)}
    required = [c for c in columns if c.required]
    best: tuple[int, set[str]] = (-1, set())
    for index, row in enumerate(rows[:_HEADER_SCAN_ROWS]):
        found: dict[str, int] = {}
        for position, cell in enumerate(row):
            field = keys.get(_header_key(cell)) if cell != "" else None
            if field is None:
                continue
            if field in found:
                raise TableError(f"第 {index + 1} 行有两列都是“{_header_of(columns, field)}”")
            found[field] = position
        if all(c.field in found for c in required):
            return index, found
        if len(found) > len(best[1]):
            best = (index, set(found))
    missing = "、".join(c.header for c in required if c.field not in best[1])
    raise _HeaderNotFound(f"缺少列：{missing}", len(best[1]))


def _header_of(columns: Sequence[Column], field: str) -> str:
    return next(c.header for c in columns if c.field == field)


def _unquote(value: CellValue) -> CellValue:
    """Undo `safe_cell`, so that an export re-imports unchanged."""
    if isinstance(value, str) and value[:1] == "'" and value[1:2] in FORMULA_TRIGGERS:
        return value[1:]
    return value


def _read_xlsx(data: bytes, columns: Sequence[Column], max_rows: int) -> Table:
    try:
        xlsx_bounds.check_package(data, max_rows)
    except xlsx_bounds.PackageRefused as exc:
        raise TableError(exc.message) from exc
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except python_calamine.CalamineError as exc:
        raise TableError("无法读取该 Excel 文件，请确认是 .xlsx 格式且未加密") from exc
    error: _HeaderNotFound | None = None
    for meta in workbook.sheets_metadata:
        if meta.visible != python_calamine.SheetVisibleEnum.Visible:
            continue  # a hidden sheet is not what the user thinks they uploaded
        sheet = workbook.get_sheet_by_name(meta.name)
        rows = sheet.to_python(skip_empty_area=False)  # bounded by xlsx_bounds
        _fill_merged(rows, sheet.merged_cell_ranges or [])
        try:
            header_index, positions = _find_header(rows, columns)
        except _HeaderNotFound as exc:
            # report against the sheet that came closest, not a 说明 sheet
            if error is None or exc.matched > error.matched:
                error = exc
            continue
        first_data = _end_of_header(header_index, sheet.merged_cell_ranges or []) + 1
        return _xlsx_table(rows, first_data, positions, columns, meta.name)
    raise error or TableError("文件中没有工作表")


def _fill_merged(
    rows: list[list[CellValue]], merges: Iterable[tuple[tuple[int, int], ...]]
) -> None:
    """Give every cell of a merged range the value of its top-left cell, as Excel shows it."""
    merges = list(merges)
    width = len(rows[0]) if rows else 0
    budget = xlsx_bounds.MAX_CELLS  # overlapping ranges could otherwise ask for any work
    for (top, left), (bottom, right) in merges:
        height = max(0, min(bottom, len(rows) - 1) - top + 1)
        budget -= height * max(0, min(right, width - 1) - left + 1)
        if budget < 0:
            raise TableError(f"合并单元格覆盖的范围过大（上限 {xlsx_bounds.MAX_CELLS:,} 个单元格）")
    for (top, left), (bottom, right) in merges:
        value = rows[top][left] if top < len(rows) and left < len(rows[top]) else ""
        for r in range(top, min(bottom, len(rows) - 1) + 1):
            row = rows[r]
            for c in range(left, min(right, len(row) - 1) + 1):
                row[c] = value


def _end_of_header(header_index: int, merges: Iterable[tuple[tuple[int, int], ...]]) -> int:
    """The last row of the header: a header cell merged downwards spans several rows."""
    end = header_index
    for (top, _left), (bottom, _right) in merges:
        if top <= header_index <= bottom:
            end = max(end, bottom)
    return end


def _xlsx_table(
    rows: list[list[CellValue]],
    first_data: int,
    positions: dict[str, int],
    columns: Sequence[Column],
    sheet_name: str,
) -> Table:
    values: dict[str, list[CellValue]] = {c.field: [] for c in columns}
    numbers = array("q")
    wanted = list(positions.items())
    for index in range(first_data, len(rows)):
        row = rows[index]
        cells = [_xlsx_value(row[p]) if p < len(row) else "" for _, p in wanted]
        if all(cell == "" or (isinstance(cell, str) and not cell.strip()) for cell in cells):
            continue
        numbers.append(index + 1)
        for (field, _), cell in zip(wanted, cells, strict=True):
            values[field].append(cell)
    for c in columns:
        if c.field not in positions:
            values[c.field] = [""] * len(numbers)
    return Table(columns, values, numbers, frozenset(positions), sheet_name)


def _xlsx_value(value: CellValue) -> CellValue:
    # calamine gives every number as a float; 3.0 typed in a cell means 3,
    # and a long number typed into a text column must not read as "1.2e+17".
    if type(value) is float and value.is_integer():
        return int(value)
    return _unquote(value)


def _read_csv(data: bytes, columns: Sequence[Column], max_rows: int) -> Table:
    encoding = _csv_encoding(data)
    try:
        # incremental and not final: the sniffed prefix may end inside a character
        head = codecs.getincrementaldecoder(encoding)().decode(data[:_CSV_SNIFF_BYTES])
    except UnicodeDecodeError:
        raise TableError(_ENCODING_MESSAGE) from None
    head_rows = _first_csv_records(head)
    header_index, positions = _find_header(head_rows, columns)
    width = len(head_rows[header_index])
    while width and not head_rows[header_index][width - 1].strip():
        width -= 1
    if width > xlsx_bounds.MAX_COLUMNS:
        raise TableError(
            f"表头有 {width} 列，超过每次导入最多 {xlsx_bounds.MAX_COLUMNS} 列的上限；"
            "请删除多余的列后再导入"
        )
    ordered = sorted(positions.items(), key=lambda item: item[1])
    try:
        # The header row is parsed again so that it sets the width: shorter rows
        # are padded with "", fields beyond it are dropped.
        frame = pd.read_csv(
            io.BytesIO(data),
            encoding=encoding,
            header=0,
            skiprows=header_index,
            usecols=[p for _, p in ordered],
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            index_col=False,
            skip_blank_lines=False,
            engine="c",
            nrows=max_rows + 1,  # one more than allowed tells that the file is too long
        )
    except UnicodeDecodeError:
        raise TableError(_ENCODING_MESSAGE) from None
    except pd.errors.ParserError as exc:
        raise TableError(_csv_error_message(exc)) from exc
    if len(frame) > max_rows:
        raise TableError(_too_many_rows(max_rows))
    fields = [field for field, _ in ordered]
    return _csv_table(frame, fields, columns, header_index + 2, quoted=b"'" in data)


def _csv_error_message(exc: Exception) -> str:
    # pandas counts records from the top of the file, from 0
    unclosed = re.search(r"EOF inside string starting at row (\d+)", str(exc))
    if unclosed:
        return f"CSV 文件第 {int(unclosed[1]) + 1} 行的引号没有闭合"
    return _CSV_FORMAT_MESSAGE


def _csv_encoding(data: bytes) -> str:
    """UTF-8 (with or without BOM) when it decodes as such, else GB18030 (a superset of GBK)."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(data)
    try:
        # chunk by chunk: a whole decoded copy of a 150 MB file is not needed
        for start in range(0, len(view), _UTF8_CHECK_CHUNK):
            decoder.decode(view[start : start + _UTF8_CHECK_CHUNK])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8"


def _first_csv_records(text: str) -> list[list[str]]:
    records: list[list[str]] = []
    try:
        for record in csv.reader(io.StringIO(text)):
            records.append(record)
            if len(records) >= _HEADER_SCAN_ROWS:
                break
    except csv.Error as exc:  # a NUL byte or a field beyond the size limit
        raise TableError(_CSV_FORMAT_MESSAGE) from exc
    return records


def _csv_table(
    frame: pd.DataFrame,
    fields: list[str],
    columns: Sequence[Column],
    first_row: int,
    quoted: bool,
) -> Table:
    """`frame` holds the wanted columns in file order, `fields` names them."""
    blank = _blank_rows(frame)
    keep = ~blank
    numbers = array("q")
    numbers.frombytes((np.flatnonzero(keep) + first_row).astype(np.int64).tobytes())
    values: dict[str, list[CellValue]] = {}
    for index, field in enumerate(fields):
        series = frame.iloc[:, index]
        if blank.any():
            series = series[keep]
        column = series.tolist()
        if quoted:  # `'` never occurs inside a multi-byte UTF-8 or GB18030 character
            for i in np.flatnonzero(series.str.startswith("'").to_numpy(dtype=bool)):
                column[i] = _unquote(column[i])
        values[field] = column
    for c in columns:
        values.setdefault(c.field, [""] * len(numbers))
    return Table(columns, values, numbers, frozenset(fields))


def _blank_rows(frame: pd.DataFrame) -> np.ndarray:
    """Rows whose cells are all empty or whitespace.

    Checked column by column on the rows still in doubt: the first cell
    already settles almost every row, which saves most of a million strips.
    """
    doubtful = np.arange(len(frame))
    for index in range(frame.shape[1]):
        cells = frame.iloc[doubtful, index]
        doubtful = doubtful[(cells.str.strip() == "").to_numpy(dtype=bool)]
    blank = np.zeros(len(frame), dtype=bool)
    blank[doubtful] = True
    return blank


# Cell parsers ----------------------------------------------------------------


# Export -----------------------------------------------------------------------
