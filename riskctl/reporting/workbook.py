"""The data behind a report as .xlsx (报告数据表): one sheet per section of the report.

Built from the same ``pdf.Report`` the PDF was laid out from, so every table and
chart of the report appears here with the same numbers. Text cells are guarded
against formula injection (``tabular.safe_cell``) and always stored as text.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from riskctl.core.tabular.writing import safe_cell
from riskctl.reporting.pdf import (
    BarChart,
    Block,
    Figures,
    Heading,
    HeatMap,
    NoData,
    Para,
    PieChart,
    Report,
    Table,
)

Row = list[object]
_BOLD = Font(bold=True)


def summary_rows(snapshot: dict[str, Any]) -> list[Row]:
    rows: list[Row] = [["指标", "本季度", snapshot["period"]["previous"], "变化", "单位"]]
    rows += [
        [r["label"], r["value"], r["previous"], r["change"], r["unit"]] for r in snapshot["summary"]
    ]
    return rows


def _block_rows(block: Block) -> Iterator[tuple[Row, bool]]:
    """The rows of one block, each with whether it is a title or header (bold)."""
    match block:
        case Heading(text=text):
            yield from (([], False), ([text], True))
        case Para(text=text) | NoData(text=text):
            yield [text], False
        case Table(headers=headers, rows=rows, title=title):
            if title:
                yield [title], True
            yield list(headers), True
            yield from ((list(row), False) for row in rows)
        case BarChart(title=title, categories=categories, series=series):
            yield [title], True
            yield ["分类", *(name for name, _ in series)], True
            for index, category in enumerate(categories):
                yield [category, *(values[index] for _, values in series)], False
        case PieChart(title=title, slices=slices):
            yield [title], True
            yield from (([label, value], False) for label, value in slices)
        case HeatMap(title=title, likelihood_labels=rows, impact_labels=cols, counts=counts):
            yield [title], True
            yield ["可能性（行）／影响程度（列）", *cols], True
            yield from (([label, *counts[i]], False) for i, label in enumerate(rows))
        case Figures():
            return  # the summary sheet lists the key figures with their previous values


def _sheets(report: Report) -> Iterator[tuple[str, list[tuple[Row, bool]]]]:
    title, rows = "", []
    for block in report.blocks:
        if isinstance(block, Heading) and block.level == 1:
            if title:
                yield title, rows
            title, rows = re.sub(r"^[一二三四五六七八九十]+、", "", block.text), []
            continue
        rows += list(_block_rows(block))
    if title:
        yield title, rows


def _cell(sheet: Any, value: object, bold: bool = False) -> object:
    if isinstance(value, str):
        cell = WriteOnlyCell(sheet, value=str(safe_cell(ILLEGAL_CHARACTERS_RE.sub("", value))))
        cell.data_type = "s"  # never a formula or an error value, whatever the text says
    else:
        cell = WriteOnlyCell(sheet, value=value)
    if bold:
        cell.font = _BOLD
    return cell


def _append(sheet: Any, rows: Sequence[tuple[Row, bool]]) -> None:
    sheet.column_dimensions["A"].width = 36
    for row, bold in rows:
        sheet.append([_cell(sheet, value, bold) for value in row])


def report_workbook(report: Report, snapshot: dict[str, Any]) -> bytes:
    """An .xlsx with the key figures first, then one sheet per section of ``report``."""
    workbook = Workbook(write_only=True)
    summary = summary_rows(snapshot)
    _append(
        workbook.create_sheet("主要指标"),
        [(summary[0], True), *((row, False) for row in summary[1:])],
    )
    for title, rows in _sheets(report):
        if title != "主要指标":
            _append(workbook.create_sheet(re.sub(r"[\[\]:*?/\\]", "_", title)[:31]), rows)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
