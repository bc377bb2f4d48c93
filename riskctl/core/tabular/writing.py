"""Export to .xlsx and .csv; text cells are neutralised against formula injection (safe_cell)."""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from riskctl.core import clock
from riskctl.core.tabular.cells import FORMULA_TRIGGERS


def safe_cell(value: object) -> object:
    """Prefix text that a spreadsheet would run as a formula with `'` (OWASP CSV injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
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
