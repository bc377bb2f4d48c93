"""Flowables for the report's building blocks: key figures, notices, captioned charts.

Every piece of caller text goes through ``to_markup`` (escaped) and into a
``CJKParagraph``, so names such as ``<font color=red>`` print literally and
long cells wrap by the Chinese line-breaking rules.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, KeepTogether, Spacer, TableStyle
from reportlab.platypus import Table as RLTable

from .charts import format_number
from .styles import PANEL_FILL, RULE, TEXT_WIDTH, Styles
from .text import CJKParagraph, to_markup

NO_DATA = "本季度无数据"
EMPTY_CELL = "—"
Change = int | float | Decimal | str | None


def paragraph(text: object, style: ParagraphStyle) -> CJKParagraph:
    """A paragraph of plain (untrusted) text."""
    return CJKParagraph(to_markup(text), style)


def display(value: object) -> str:
    """How a value reads in a table cell or key figure."""
    if value is None:
        return EMPTY_CELL
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int | float | Decimal):
        return format_number(float(value))
    return str(value)


def change_text(change: Change) -> str:
    """The change against the previous quarter: ``↑3``, ``↓2``, ``持平`` or ``—``."""
    if isinstance(change, str):
        return change
    if change is None:
        return "较上季度 —"
    if change == 0:
        return "较上季度 持平"
    arrow = "↑" if change > 0 else "↓"
    return f"较上季度 {arrow}{format_number(abs(float(change)))}"


def key_figures(items: Sequence[tuple[str, object, Change]], styles: Styles) -> list[Flowable]:
    """Cards of label, value and change against the previous quarter, three or four a row."""
    if not items:
        return no_data(NO_DATA, styles)
    n = len(items)
    cols = min(n, 4 if n % 4 == 0 or n > 6 else 3)
    cards = [
        [
            paragraph(label, styles.figure_label),
            paragraph(display(value), styles.figure_value),
            paragraph(change_text(change), styles.figure_change),
        ]
        for label, value, change in items
    ]
    cards += [""] * (-n % cols)
    rows = [cards[i : i + cols] for i in range(0, len(cards), cols)]
    table = RLTable(rows, colWidths=[TEXT_WIDTH / cols] * cols, hAlign="CENTER")
    commands: list[tuple] = [
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 10),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 10),
        # White gutters between the tinted cells make them read as separate cards.
        ("INNERGRID", (0, 0), (-1, -1), 6, "white"),
    ]
    for index in range(n):
        cell = (index % cols, index // cols)
        commands.append(("BACKGROUND", cell, cell, PANEL_FILL))
    table.setStyle(TableStyle(commands))
    return [table, Spacer(1, 12)]


def no_data(text: str, styles: Styles) -> list[Flowable]:
    """A tinted panel saying the section has nothing to show."""
    panel = RLTable([[paragraph(text, styles.no_data)]], colWidths=[TEXT_WIDTH], hAlign="CENTER")
    panel.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), PANEL_FILL),
                ("BOX", (0, 0), (-1, -1), 0.5, RULE),
                ("TOPPADDING", (0, 0), (-1, -1), 14),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 16),
            ]
        )
    )
    return [panel, Spacer(1, 12)]


def figure(drawing: Flowable, caption: str, styles: Styles) -> list[Flowable]:
    """A chart with its caption underneath, kept on one page."""
    drawing.hAlign = "CENTER"
    return [KeepTogether([Spacer(1, 4), drawing, paragraph(caption, styles.caption)])]
