"""Spreadsheet import and export (.xlsx and .csv) shared by every register.

Reading maps the bureau's Chinese column headers to field names and keeps the
values column by column, so a million-row roster stays affordable. Imports
validate every row, collect every `RowProblem`, and write nothing unless all
rows are good. Exports neutralise spreadsheet formulas in text cells.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import PurePath
from typing import Any

import numpy as np
import pandas as pd
import python_calamine
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from riskctl.core import clock, xlsx_bounds
from riskctl.core.bounds import date_error

# What a cell holds once read: CSV gives only str; .xlsx gives what Excel stored.
CellValue = str | int | float | bool | date | datetime | time | timedelta

# The header row is looked for among the first rows only: above it there may
# be a title, a date line or a note, but never pages of them.
_HEADER_SCAN_ROWS = 30
# Rows one import may bring unless the importer says otherwise (rosters bring a million).
DEFAULT_MAX_ROWS = 20_000
_CSV_SNIFF_BYTES = 256 * 1024
_UTF8_CHECK_CHUNK = 4 * 1024 * 1024
_FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_CSV_FORMAT_MESSAGE = "CSV 文件格式有误，请用 Excel 打开后重新另存为 CSV 再上传"
_ENCODING_MESSAGE = "无法识别 CSV 文件的编码，请另存为 UTF-8 或 GBK 编码的 CSV"
_NO_SPACE = re.compile(r"\s+")
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_EXCEL_EPOCH = date(1899, 12, 30)
# Bare numbers in a date column are Excel serials. Only 1950–2199 is accepted:
# a year typed alone ("2026") must not turn into 1905-07-18, and the range
# stays clear of Excel's fictitious 1900-02-29.
_SERIAL_RANGE = ((date(1950, 1, 1) - _EXCEL_EPOCH).days, (date(2199, 12, 31) - _EXCEL_EPOCH).days)
# 2026-03-01, 2026/3/1, 2026.3.1 or 2026年3月1日, optionally followed by a time of day
_DATE_TEXT = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
)
_COMPACT_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})")
_SERIAL_TEXT = re.compile(r"\d{1,6}(?:\.\d+)?")
_INT_TEXT = re.compile(r"[+-]?\d+(?:\.0*)?")


class TableError(ValueError):
    """The file as a whole cannot be read; `message` is shown to the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class _HeaderNotFound(TableError):
    """No row holds every required header; `matched` tells how close the best row came."""

    def __init__(self, message: str, matched: int) -> None:
        super().__init__(message)
        self.matched = matched


class CellError(ValueError):
    """One cell's value is not acceptable; `message` is shown to the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


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


@dataclass(frozen=True)
class RowProblem:
    row: int
    column: str
    message: str


class ImportProblems(Exception):
    """Every problem of a rejected import, sorted by row."""

    def __init__(self, problems: Iterable[RowProblem]) -> None:
        self.problems = sorted(problems, key=lambda problem: problem.row)
        self.message = f"共 {len(self.problems)} 处问题，未导入任何数据"
        super().__init__(self.message)

    def as_details(self, limit: int | None = None) -> dict[str, Any]:
        """The API error `details`; `limit` keeps a response for a huge file small."""
        shown = self.problems if limit is None else self.problems[:limit]
        rows = [{"row": p.row, "column": p.column, "message": p.message} for p in shown]
        return {"rows": rows, "total": len(self.problems)}


class ProblemCollector:
    """Gathers `RowProblem`s while an importer checks every row."""

    def __init__(self) -> None:
        self.problems: list[RowProblem] = []

    def add(self, row: int, column: str, message: str) -> None:
        self.problems.append(RowProblem(row, column, message))

    def cell(self, row: int, column: str, parse: Callable[..., Any], *args: Any, **kw: Any) -> Any:
        """`parse(*args, **kw)`, or None with the problem recorded on `CellError`."""
        try:
            return parse(*args, **kw)
        except CellError as exc:
            self.add(row, column, exc.message)
            return None

    def raise_if_any(self) -> None:
        if self.problems:
            raise ImportProblems(self.problems)


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
    if isinstance(value, str) and value[:1] == "'" and value[1:2] in _FORMULA_TRIGGERS:
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


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text_of(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime) and value.time() == time():
        value = value.date()
    return value.isoformat() if isinstance(value, date) else str(value)


def clean_text(value: object, max_len: int, *, required: bool = True) -> str:
    """Stripped text of at most `max_len` characters, without control characters."""
    if _blank(value):
        if required:
            raise CellError("不能为空")
        return ""
    text = _text_of(value).replace("\r\n", "\n").replace("\r", "\n").strip()
    if _CONTROL_CHARS.search(text):
        raise CellError("含有不可见的控制字符，请删除后重试")
    if len(text) > max_len:
        raise CellError(f"不能超过 {max_len} 个字（现有 {len(text)} 个）")
    return text


def parse_int(value: object, lo: int, hi: int, *, required: bool = True) -> int | None:
    """An integer from `lo` to `hi`; accepts 3, 3.0, "3" and "３"."""
    message = f"应为 {lo} 到 {hi} 之间的整数"
    if _blank(value):
        if required:
            raise CellError(f"不能为空，{message}")
        return None
    if isinstance(value, bool):
        raise CellError(message)
    if isinstance(value, float):
        if not value.is_integer():
            raise CellError(message)
        number = int(value)
    elif isinstance(value, int):
        number = value
    else:
        text = unicodedata.normalize("NFKC", str(value)).strip()
        if not _INT_TEXT.fullmatch(text):
            raise CellError(f"“{text}”不是整数，{message}")
        number = int(text.split(".")[0])
    if not lo <= number <= hi:
        raise CellError(message)
    return number


def parse_choice(value: object, choices: Iterable[str], *, required: bool = True) -> str | None:
    """One of `choices`, matched ignoring width, surrounding spaces and letter case."""
    options = list(choices)
    message = "应为以下之一：" + "、".join(options)
    if _blank(value):
        if required:
            raise CellError(f"不能为空，{message}")
        return None
    text = unicodedata.normalize("NFKC", _text_of(value)).strip()
    for option in options:
        if text == option or text.casefold() == option.casefold():
            return option
    raise CellError(f"“{text}”不是可选值，{message}")


def parse_date(value: object, *, required: bool = True) -> date | None:
    """A date in 2000–2100 from a date cell, ISO or Chinese text, `2026/3/1`, or an Excel serial."""
    if _blank(value):
        if required:
            raise CellError("不能为空，应为日期，如 2026-03-01")
        return None
    day = _any_date(value)
    message = date_error(day)
    if message:
        raise CellError(message)
    return day


def _any_date(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _from_serial(value, str(value))
    text = unicodedata.normalize("NFKC", str(value)).strip()
    match = _DATE_TEXT.fullmatch(text) or _COMPACT_DATE.fullmatch(text)
    if match:
        try:
            return date(*(int(part) for part in match.groups()))
        except ValueError:
            raise CellError(f"日期“{text}”不存在") from None
    if _SERIAL_TEXT.fullmatch(text):
        return _from_serial(float(text), text)
    raise CellError(f"无法识别的日期“{text}”，应如 2026-03-01")


def _from_serial(serial: float, shown: str) -> date:
    lo, hi = _SERIAL_RANGE
    if not lo <= serial < hi + 1:
        raise CellError(f"无法识别的日期“{shown}”，应如 2026-03-01")
    return _EXCEL_EPOCH + timedelta(days=int(serial))


# Export -----------------------------------------------------------------------


def safe_cell(value: object) -> object:
    """Prefix text that a spreadsheet would run as a formula with `'` (OWASP CSV injection)."""
    if isinstance(value, str) and value.startswith(_FORMULA_TRIGGERS):
        return "'" + value
    return value


def write_xlsx(headers: Sequence[str], rows: Iterable[Sequence[object]], sheet_title: str) -> bytes:
    """An .xlsx file with one sheet: a bold header row, then `rows`."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_sheet_title(sheet_title))
    for index, header in enumerate(headers, 1):
        width = max(10, 2 * len(header) + 4)  # CJK characters are two columns wide
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    sheet.append([_header_cell(sheet, header) for header in headers])
    for row in rows:
        sheet.append([_xlsx_cell(sheet, value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_csv(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """UTF-8 CSV with a BOM, which Excel needs to open Chinese text correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([safe_cell(header) for header in headers])
    writer.writerows([_csv_cell(value) for value in row] for row in rows)
    return codecs.BOM_UTF8 + buffer.getvalue().encode("utf-8")


def _sheet_title(title: str) -> str:
    cleaned = re.sub(r"[\[\]:*?/\\]", "_", title).strip("'")[:31]
    return cleaned or "Sheet1"


def _header_cell(sheet: Any, header: str) -> Cell:
    cell = _xlsx_cell(sheet, header)
    if not isinstance(cell, Cell):
        cell = WriteOnlyCell(sheet, value=cell)
    cell.font = Font(bold=True)
    return cell


def _xlsx_cell(sheet: Any, value: object) -> object:
    if isinstance(value, datetime) and value.tzinfo is not None:
        # Excel has no time zones: a moment is written as the bureau's wall-clock time.
        return clock.local(value).replace(tzinfo=None)
    if value is None or isinstance(value, bool | int | float | Decimal | date | time | timedelta):
        return value
    # Drop what XML cannot hold first, so that no trigger character is uncovered.
    text = str(safe_cell(ILLEGAL_CHARACTERS_RE.sub("", str(value))))
    if text.startswith("=") or text in ERROR_CODES:
        # openpyxl would type this as a formula or an error value; force text.
        cell = WriteOnlyCell(sheet, value=text)
        cell.data_type = "s"
        return cell
    return text


def _csv_cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, bool | int | float | Decimal):
        return value
    if isinstance(value, datetime):
        # A moment as the bureau reads it; a zoneless value (a cell read back) as it is.
        return clock.display(value, "second") if value.tzinfo else value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return safe_cell(str(value))
