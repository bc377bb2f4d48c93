"""The report as plain data, and ``render_pdf`` which lays it out.

The quarterly-report module (季度报告) computes its figures and describes the
report with these dataclasses; nothing here touches Flask or the database.
``render_pdf`` is deterministic: the same ``Report`` (and font) gives the same
bytes, so an issued report can be archived with its SHA-256 and rebuilt to
check it.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from reportlab.platypus import Flowable, NextPageTemplate
from reportlab.platypus import PageBreak as RLPageBreak
from reportlab.platypus.flowables import PageBreakIfNotEmpty

from . import charts
from .flowables import NO_DATA, Change, figure, key_figures, no_data, paragraph
from .fonts import register_cjk_font
from .pages import BODY, NumberedCanvas, ReportTemplate, cover
from .styles import Styles, build_styles
from .tables import data_table


@dataclass(frozen=True)
class Heading:
    """A section heading; ``level`` 1 to 3. Levels 1 and 2 go into the PDF outline."""

    text: str
    level: int = 1

    def __post_init__(self) -> None:
        if self.level not in (1, 2, 3):
            raise ValueError(f"标题级别应为 1～3，收到 {self.level}")


@dataclass(frozen=True)
class Para:
    """Body text; newlines start new lines within the paragraph."""

    text: str


@dataclass(frozen=True)
class Table:
    """Rows of cells under ``headers``; numbers are right-aligned, ``None`` shows as —.

    ``col_widths`` are relative weights (e.g. ``(1, 3, 1)``) scaled to the text
    width. A long table continues on the next page with its header repeated.
    """

    headers: Sequence[str]
    rows: Sequence[Sequence[object]]
    col_widths: Sequence[float] | None = None
    title: str = ""

    def __post_init__(self) -> None:
        if not self.headers:
            raise ValueError("表格至少需要一列")
        for number, row in enumerate(self.rows, start=1):
            if len(row) != len(self.headers):
                raise ValueError(
                    f"表格第 {number} 行有 {len(row)} 列，表头有 {len(self.headers)} 列"
                )
        if self.col_widths is not None and len(self.col_widths) != len(self.headers):
            raise ValueError("col_widths 的个数应与表头列数相同")


@dataclass(frozen=True)
class Figures:
    """Key figures (主要指标) as ``(label, value, change)``.

    ``change`` is the difference from the previous quarter: a number (shown as
    ↑/↓ or 持平), ``None`` when there is nothing to compare with, or text shown
    as given.
    """

    items: Sequence[tuple[str, object, Change]]


@dataclass(frozen=True)
class BarChart:
    """Bars per category; each series is ``(name, values)`` with one value per category."""

    title: str
    categories: Sequence[str]
    series: Sequence[tuple[str, Sequence[float]]]
    horizontal: bool = False

    def __post_init__(self) -> None:
        for name, values in self.series:
            if len(values) != len(self.categories):
                raise ValueError(f"系列“{name}”的数值个数与分类个数不一致")
            if any(v < 0 for v in values):
                raise ValueError(f"系列“{name}”含有负数，柱状图只画非负数值")


@dataclass(frozen=True)
class PieChart:
    """Shares of a whole as ``(label, value)`` slices."""

    title: str
    slices: Sequence[tuple[str, float]]

    def __post_init__(self) -> None:
        if any(value < 0 for _, value in self.slices):
            raise ValueError("饼图的数值不能为负")


@dataclass(frozen=True)
class HeatMap:
    """Risk matrix: ``counts[i][j]`` points at likelihood ``i`` and impact ``j`` (lowest first).

    ``levels[i][j]`` (高/中/低 or 一级/二级/三级) colours the cell.
    """

    title: str
    likelihood_labels: Sequence[str]
    impact_labels: Sequence[str]
    counts: Sequence[Sequence[int]]
    levels: Sequence[Sequence[str]]

    def __post_init__(self) -> None:
        shape = (len(self.likelihood_labels), len(self.impact_labels))
        for grid in (self.counts, self.levels):
            if len(grid) != shape[0] or any(len(row) != shape[1] for row in grid):
                raise ValueError(f"热力图矩阵应为 {shape[0]}×{shape[1]}")


@dataclass(frozen=True)
class NoData:
    """Says that a section has nothing to report."""

    text: str = NO_DATA


@dataclass(frozen=True)
class PageBreak:
    """Starts a new page (unless the current one is still empty)."""


Block = Heading | Para | Table | Figures | BarChart | PieChart | HeatMap | NoData | PageBreak


@dataclass(frozen=True)
class Report:
    """A report: cover facts and the blocks of its body, in order.

    ``subtitle`` normally names the period (e.g. "2025年第一季度"). ``version``
    is printed as "第 N 版" when an int, as given when text.
    """

    title: str
    subtitle: str
    org: str
    issued_on: dt.date
    version: int | str
    # The bureau's UTC offset at the issue date's midnight ("+0800"), for the PDF's own
    # dates; the caller takes it from riskctl.core.clock (the layout reads no clock).
    issued_offset: str = "+0800"
    marking: str = "内部资料"
    cover_lines: Sequence[str] = ()
    blocks: Sequence[Block] = ()


# reportlab keeps per-document state on shared font objects; one build at a time.
_build_lock = threading.Lock()


def render_pdf(report: Report, font_path: str | None = None) -> bytes:
    """Lay the report out on A4 and return the PDF bytes."""
    font = register_cjk_font(font_path)
    styles = build_styles(font)
    story = cover(
        org=report.org,
        title=report.title,
        subtitle=report.subtitle,
        marking=report.marking,
        lines=report.cover_lines,
        issued_on=report.issued_on,
        version=report.version,
        styles=styles,
    )
    story += [NextPageTemplate(BODY), RLPageBreak()]
    story += _body(report.blocks, styles)
    buffer = io.BytesIO()
    canvas_maker = functools.partial(
        NumberedCanvas,
        footer_font=font.regular,
        issued_on=report.issued_on,
        issued_offset=report.issued_offset,
    )
    with _build_lock:
        template = ReportTemplate(
            buffer,
            header=f"{report.title}　{report.subtitle}".strip(),
            marking=report.marking,
            font=font.regular,
            title=report.title,
            subject=report.subtitle,
            author=report.org,
            creator="riskctl",
        )
        template.build(story, canvasmaker=canvas_maker)
    return buffer.getvalue()


def _body(blocks: Sequence[Block], styles: Styles) -> list[Flowable]:
    story: list[Flowable] = []
    numbers = {"figure": 0, "table": 0}

    def caption(kind: str, title: str) -> str:
        numbers[kind] += 1
        return f"{'图' if kind == 'figure' else '表'}{numbers[kind]}　{title}"

    for block in _without_idle_breaks(blocks):
        match block:
            case Heading(text=text, level=level):
                heading = paragraph(text, styles.headings[level - 1])
                if level <= 2:
                    heading.outline_level, heading.outline_title = level - 1, text
                story.append(heading)
            case Para(text=text):
                story.append(paragraph(text, styles.body))
            case Table(headers=headers, rows=rows, col_widths=widths, title=title):
                label = caption("table", title) if title else ""
                story += data_table(headers, rows, styles, col_widths=widths, caption=label)
            case Figures(items=items):
                story += key_figures(items, styles)
            case NoData(text=text):
                story += no_data(text, styles)
            case PageBreak():
                story.append(PageBreakIfNotEmpty())
            case BarChart() | PieChart() | HeatMap():
                story += _chart(block, styles, caption)
            case _:
                raise TypeError(f"unknown report block: {block!r}")
    return story


def _without_idle_breaks(blocks: Sequence[Block]) -> list[Block]:
    """Drop page breaks that would only make blank pages (repeated or at the end)."""
    kept: list[Block] = []
    for block in blocks:
        if isinstance(block, PageBreak) and (not kept or isinstance(kept[-1], PageBreak)):
            continue
        kept.append(block)
    while kept and isinstance(kept[-1], PageBreak):
        kept.pop()
    return kept


def _chart(
    block: BarChart | PieChart | HeatMap, styles: Styles, caption: Callable[[str, str], str]
) -> list[Flowable]:
    font = styles.font.regular
    match block:
        case BarChart():
            total = sum(float(v) for _, values in block.series for v in values)
            make = functools.partial(
                charts.bar_chart, block.categories, block.series, horizontal=block.horizontal
            )
        case PieChart():
            total = sum(float(v) for _, v in block.slices)
            make = functools.partial(charts.pie_chart, block.slices)
        case HeatMap():
            total = sum(sum(row) for row in block.counts)
            make = functools.partial(
                charts.heat_map,
                block.likelihood_labels,
                block.impact_labels,
                block.counts,
                block.levels,
            )
    if total <= 0:
        return no_data(f"{block.title}：{NO_DATA}", styles)
    return figure(make(font=font), caption("figure", block.title), styles)
