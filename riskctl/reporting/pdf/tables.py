"""Data tables: escaped, wrapped cells; header repeated on every page the table runs onto.

A row whose text is too tall for a comfortable page break (a risk description
of a thousand characters) is cut into several physical rows drawn without a
rule between them, so the table can continue on the next page in the middle
of that row. reportlab's own ``splitInRow`` was tried and rejected: combined
with ``repeatRows`` it repeats the header in the middle of a page.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Spacer, TableStyle
from reportlab.platypus import Table as RLTable

from .flowables import NO_DATA, display, paragraph
from .styles import ACCENT, HEADER_FILL, RULE, TEXT_WIDTH, ZEBRA_FILL, Styles
from .text import CJKParagraph, can_break

_NUMERIC = re.compile(r"^[+\-]?\d[\d,]*(\.\d+)?\s*[%‰]?$")
_PAD = 5  # left/right cell padding
_ROW_CHUNK = 162.0  # rows taller than this (about 12 lines) may break across pages


def data_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[object]],
    styles: Styles,
    *,
    col_widths: Sequence[float] | None = None,
    caption: str = "",
    note: str = "",
    row_notes: Sequence[str] | None = None,
) -> list[Flowable]:
    """A ruled table of ``rows`` under ``headers``, numbers right-aligned.

    ``col_widths`` are relative weights scaled to the text width; without them
    columns are sized by their content. Either way no column is narrower than
    its longest unbreakable run (a code, a number, a date) when the widths can
    hold them all, and short cells and headers keep to one line when they can.
    ``row_notes[i]`` is a line under row ``i`` spanning every column.
    """
    texts = [[display(v) for v in row] for row in rows]
    widths = _scale(col_widths) if col_widths else _auto_widths(headers, texts, styles)
    widths = _at_least(widths, headers, texts, styles)
    data: list[list[object]] = [[paragraph(h, styles.cell_header) for h in headers]]
    commands: list[tuple] = [
        ("BOX", (0, 0), (-1, -1), 0.5, RULE),
        ("LINEAFTER", (0, 0), (-2, -1), 0.5, RULE),
        ("LINEABOVE", (0, 0), (-1, 0), 1, ACCENT),
        ("LINEBELOW", (0, 0), (-1, 0), 0.5, RULE),
        ("LINEBELOW", (0, -1), (-1, -1), 1, ACCENT),
        ("LINEBELOW", (0, "splitlast"), (-1, "splitlast"), 1, ACCENT),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 4),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
        ("LEFTPADDING", (0, 0), (-1, -1), _PAD),
        ("RIGHTPADDING", (0, 0), (-1, -1), _PAD),
    ]
    for number, row in enumerate(texts):
        cells = [
            paragraph(t, styles.cell_number if _NUMERIC.match(t) else styles.cell) for t in row
        ]
        first = len(data)
        data += _physical_rows(cells, widths)
        if row_notes and row_notes[number]:
            data.append([paragraph(row_notes[number], styles.cell)] + [""] * (len(headers) - 1))
            commands += [("SPAN", (0, len(data) - 1), (-1, len(data) - 1))]
        last = len(data) - 1
        commands.append(("LINEBELOW", (0, last), (-1, last), 0.5, RULE))
        if last > first:  # pieces of one row read as one: no gaps, text from the top
            commands += [
                ("VALIGN", (0, first), (-1, last), "TOP"),
                ("BOTTOMPADDING", (0, first), (-1, last - 1), 0),
                ("TOPPADDING", (0, first + 1), (-1, last), 0),
            ]
        if number % 2:
            commands.append(("BACKGROUND", (0, first), (-1, last), ZEBRA_FILL))
    if not texts:
        data.append([paragraph(NO_DATA, styles.no_data)] + [""] * (len(headers) - 1))
        commands.append(("SPAN", (0, 1), (-1, 1)))
    table = RLTable(data, colWidths=widths, repeatRows=1, hAlign="CENTER")
    table.setStyle(TableStyle(commands))
    story: list[Flowable] = [paragraph(caption, styles.caption)] if caption else []
    story.append(table)
    if note:
        story.append(paragraph(note, styles.note))
    return [*story, Spacer(1, 10)]


def _physical_rows(cells: Sequence[CJKParagraph], widths: Sequence[float]) -> list[list[object]]:
    """One logical row as one or more table rows, each at most ``_ROW_CHUNK`` high."""
    pieces = [_pieces(cell, width - 2 * _PAD) for cell, width in zip(cells, widths, strict=True)]
    depth = max(len(p) for p in pieces)
    return [[p[i] if i < len(p) else "" for p in pieces] for i in range(depth)]


def _pieces(cell: CJKParagraph, width: float) -> list[CJKParagraph]:
    pieces = []
    while True:
        _, height = cell.wrap(width, _ROW_CHUNK)
        if height <= _ROW_CHUNK:
            return [*pieces, cell]
        head, cell = cell.split(width, _ROW_CHUNK)
        pieces.append(head)


def _auto_widths(
    headers: Sequence[str], rows: Sequence[Sequence[str]], styles: Styles
) -> list[float]:
    """Column widths from content: short columns keep one line, long text shares the rest.

    Like a browser's automatic table layout: a column whose natural width fits
    its fair share of the width still unassigned is fixed at that width; the
    remaining (long-text) columns split what is left in proportion to their
    natural widths, capped so one very long column cannot starve the others.
    """
    natural = []
    for j, header in enumerate(headers):
        content = max([_line_width(row[j], styles.cell) for row in rows], default=0)
        widest = max(min(content, TEXT_WIDTH), _line_width(header, styles.cell_header))
        natural.append(widest + 2 * _PAD + 1)
    if sum(natural) <= TEXT_WIDTH:
        return _scale(natural)
    widths: list[float | None] = [None] * len(natural)
    while True:
        open_columns = [j for j, w in enumerate(widths) if w is None]
        left = TEXT_WIDTH - sum(w for w in widths if w is not None)
        share = left / len(open_columns)
        fits = [j for j in open_columns if natural[j] <= share]
        if not fits:
            break
        for j in fits:
            widths[j] = natural[j]
    weights = {j: min(natural[j], 2 * share) for j in open_columns}
    for j, weight in weights.items():
        widths[j] = left * weight / sum(weights.values())
    return [w for w in widths if w is not None]


_SHORT = 80.0  # a cell or header this wide (8 Chinese characters) keeps to one line if it can
_HEADER_WHOLE = 4  # headers of up to 4 characters never wrap; longer ones in two even lines


def _at_least(
    widths: Sequence[float],
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    styles: Styles,
) -> list[float]:
    """``widths`` widened where a column is narrower than what must not wrap.

    The columns widened take their room from the others in proportion to what
    those can spare. Short texts (names, dates) are kept on one line when all of
    them fit; codes and numbers when those fit; otherwise the widths stay.
    """
    hard, soft = [], []
    for j, header in enumerate(headers):
        cells = [row[j] for row in rows]
        head = styles.cell_header
        header_min = _width(header if len(header) <= _HEADER_WHOLE else "", head)
        header_min = max(header_min, _width(header[: -(-len(header) // 2)], head))
        unbreakable = max([_longest_run(t, styles.cell) for t in cells], default=0.0)
        short = max([w for t in cells if (w := _line_width(t, styles.cell)) <= _SHORT], default=0)
        header_full = _line_width(header, head)
        hard.append(max(unbreakable, header_min) + 2 * _PAD + 1)
        soft.append(max(hard[-1] - 2 * _PAD - 1, short, min(header_full, _SHORT)) + 2 * _PAD + 1)
    for mins in (soft, hard):
        if sum(mins) <= TEXT_WIDTH:
            return _widen(list(widths), mins)
    return list(widths)


def _widen(widths: list[float], mins: Sequence[float]) -> list[float]:
    short = [j for j, w in enumerate(widths) if w < mins[j]]
    need = sum(mins[j] - widths[j] for j in short)
    spare = {j: widths[j] - mins[j] for j in range(len(widths)) if j not in short}
    total = sum(spare.values())
    for j in short:
        widths[j] = mins[j]
    for j, room in spare.items():
        widths[j] -= need * room / total if total else 0
    return widths


def _longest_run(text: str, style: ParagraphStyle) -> float:
    """Width of the longest piece of ``text`` that no line may break inside."""
    widest, start = 0.0, 0
    for i in range(1, len(text) + 1):
        if i == len(text) or text[i] == "\n" or can_break(text[i - 1], text[i]):
            widest = max(widest, _width(text[start:i].strip(), style))
            start = i
    return widest


def _width(text: str, style: ParagraphStyle) -> float:
    return stringWidth(text, style.fontName, style.fontSize)


def _line_width(text: str, style: ParagraphStyle) -> float:
    return max(stringWidth(line, style.fontName, style.fontSize) for line in text.split("\n"))


def _scale(weights: Sequence[float]) -> list[float]:
    if any(w <= 0 for w in weights):
        raise ValueError("表格列宽必须为正数")
    total = float(sum(weights))
    return [TEXT_WIDTH * w / total for w in weights]
