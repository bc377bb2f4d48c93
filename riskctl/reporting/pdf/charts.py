"""Charts drawn with reportlab.graphics, labelled in the registered CJK font.

Each function returns a ``Drawing`` (a Flowable) as wide as the text column.
Empty data is the caller's business: the document layer shows a "no data"
panel instead of calling these.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.piecharts import Pie
from reportlab.graphics.shapes import Drawing, Group, Line, Rect, String
from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth

from .styles import (
    INK,
    LEVEL_ALIASES,
    LEVEL_COLOURS,
    MUTED,
    RULE,
    SERIES_COLOURS,
    TEXT_WIDTH,
)

Series = tuple[str, Sequence[float]]

LABEL_SIZE = 8.5
_UNKNOWN_LEVEL = colors.HexColor("#c9ced4")


def format_number(value: float) -> str:
    """``12`` for whole numbers, otherwise up to two decimals (``12.5``)."""
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.2f}".rstrip("0").rstrip(".")


def bar_chart(
    categories: Sequence[str],
    series: Sequence[Series],
    *,
    font: str,
    horizontal: bool = False,
    width: float = TEXT_WIDTH,
) -> Drawing:
    """Grouped bars, one group per category; a legend when there is more than one series."""
    values = [[float(v) for v in data] for _, data in series]
    step, top = _nice_axis(max((max(v, default=0) for v in values), default=0))
    legend_h = 22 if len(series) > 1 else 0
    palette = [SERIES_COLOURS[i % len(SERIES_COLOURS)] for i in range(len(series))]
    if horizontal:
        drawing, chart = _horizontal_frame(categories, len(series), font, width, legend_h)
        # reportlab stacks a group's bars bottom-up; reversed, the first series is on top.
        values, palette = values[::-1], palette[::-1]
    else:
        drawing, chart = _vertical_frame(categories, len(series), font, width, legend_h)
    chart.data = values
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = top
    chart.valueAxis.valueStep = step
    chart.valueAxis.labelTextFormat = format_number
    chart.valueAxis.labels.fontName = font
    chart.valueAxis.labels.fontSize = LABEL_SIZE
    chart.valueAxis.labels.fillColor = MUTED
    chart.valueAxis.strokeColor = RULE
    chart.valueAxis.visibleGrid = 1
    chart.valueAxis.gridStrokeColor = colors.HexColor("#e3e7ec")
    chart.valueAxis.gridStrokeWidth = 0.5
    chart.categoryAxis.strokeColor = RULE
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = LABEL_SIZE
    chart.categoryAxis.labels.fillColor = INK
    chart.barLabelFormat = format_number
    chart.barLabels.fontName = font
    chart.barLabels.fontSize = 7.5
    chart.barLabels.fillColor = INK
    chart.barSpacing = 1
    chart.groupSpacing = 6
    for i, colour in enumerate(palette):
        chart.bars[i].fillColor = colour
        chart.bars[i].strokeColor = None
    drawing.add(chart)
    if legend_h:
        names = [name for name, _ in series]
        right = chart.x + chart.width
        drawing.add(_legend(names, SERIES_COLOURS, font, right, drawing.height - 8))
    return drawing


def _vertical_frame(
    categories: Sequence[str], n_series: int, font: str, width: float, legend_h: float
) -> tuple[Drawing, VerticalBarChart]:
    chart = VerticalBarChart()
    # A few categories get a narrower, centred plot instead of very fat bars.
    plot_w = min(width - 46, max(len(categories), 1) * (40 * n_series + 40))
    left = (width - plot_w) / 2 + 8
    slot = plot_w / max(len(categories), 1)
    widest = max((stringWidth(c, font, LABEL_SIZE) for c in categories), default=0)
    if widest <= slot * 0.92:
        labels, bottom = list(categories), 22
    else:
        # Slanted labels, shortened so a long unit name cannot swallow the plot.
        labels = [fit_label(c, font, LABEL_SIZE, 110) for c in categories]
        widest = max(stringWidth(c, font, LABEL_SIZE) for c in labels)
        bottom = widest * math.sin(math.radians(35)) + 18
        chart.categoryAxis.labels.angle = 35
        chart.categoryAxis.labels.boxAnchor = "ne"
        chart.categoryAxis.labels.dx = 4
    plot_h = 170
    drawing = Drawing(width, bottom + plot_h + 16 + legend_h)
    chart.x, chart.y, chart.width, chart.height = left, bottom, plot_w, plot_h
    chart.categoryAxis.categoryNames = labels
    chart.barLabels.nudge = 6
    return drawing, chart


def _horizontal_frame(
    categories: Sequence[str], n_series: int, font: str, width: float, legend_h: float
) -> tuple[Drawing, HorizontalBarChart]:
    chart = HorizontalBarChart()
    labels = [fit_label(c, font, LABEL_SIZE, width * 0.32) for c in categories]
    left = max((stringWidth(c, font, LABEL_SIZE) for c in labels), default=0) + 10
    plot_h = len(categories) * (10 + 9 * n_series)
    bottom = 20
    drawing = Drawing(width, bottom + plot_h + 12 + legend_h)
    chart.x, chart.y = left, bottom
    chart.width, chart.height = width - left - 24, plot_h
    chart.categoryAxis.categoryNames = labels
    chart.categoryAxis.reverseDirection = 1  # first category on top, as in a table
    chart.barLabels.nudge = 8
    return drawing, chart


def pie_chart(
    slices: Sequence[tuple[str, float]], *, font: str, width: float = TEXT_WIDTH
) -> Drawing:
    """A pie with a legend giving each slice's value and share."""
    values = [float(v) for _, v in slices]
    total = sum(values)
    size = 150
    rows = len(slices)
    height = max(size + 20, rows * 17 + 20)
    drawing = Drawing(width, height)
    pie = Pie()
    pie.x, pie.y = 30, (height - size) / 2
    pie.width = pie.height = size
    pie.data = values
    pie.labels = None
    pie.startAngle = 90
    pie.direction = "clockwise"
    pie.slices.strokeColor = colors.white
    pie.slices.strokeWidth = 1
    for i in range(rows):
        pie.slices[i].fillColor = SERIES_COLOURS[i % len(SERIES_COLOURS)]
    drawing.add(pie)
    names = [
        f"{fit_label(label, font, 9, 170)}　{format_number(value)}（{value / total:.1%}）"
        for (label, _), value in zip(slices, values, strict=True)
    ]
    legend = Legend()
    legend.x, legend.y = 30 + size + 40, height - 10 - (height - 20 - rows * 17) / 2
    legend.alignment = "right"
    legend.colorNamePairs = [
        (SERIES_COLOURS[i % len(SERIES_COLOURS)], name) for i, name in enumerate(names)
    ]
    _style_legend(legend, font, 9)
    legend.deltay = 17
    legend.columnMaximum = rows
    drawing.add(legend)
    return drawing


def heat_map(
    likelihood_labels: Sequence[str],
    impact_labels: Sequence[str],
    counts: Sequence[Sequence[int]],
    levels: Sequence[Sequence[str]],
    *,
    font: str,
    width: float = TEXT_WIDTH,
) -> Drawing:
    """Likelihood (rows, lowest first) × impact (columns, lowest first) grid of counts.

    ``counts[i][j]`` and ``levels[i][j]`` belong to likelihood ``i`` and impact
    ``j``; the level (高/中/低 or 一级/二级/三级) sets the cell colour.
    """
    rows, cols = len(likelihood_labels), len(impact_labels)
    cell = min(62.0, (width - 160) / max(cols, 1))
    label_w = max((stringWidth(t, font, 9) for t in likelihood_labels), default=0)
    grid_w = cell * cols
    x0 = (width - grid_w) / 2 + (label_w + 24) / 2
    y0 = 52
    drawing = Drawing(width, y0 + cell * rows + 12)
    for i in range(rows):
        for j in range(cols):
            level = LEVEL_ALIASES.get(levels[i][j], levels[i][j])
            fill = LEVEL_COLOURS.get(level, _UNKNOWN_LEVEL)
            x, y = x0 + j * cell, y0 + i * cell
            drawing.add(Rect(x, y, cell, cell, fillColor=fill, strokeColor=colors.white))
            ink = colors.white if level == "高" else INK
            drawing.add(_text(x + cell / 2, y + cell / 2 - 5, str(counts[i][j]), font, 15, ink))
            drawing.add(_text(x + cell - 5, y + 5, level, font, 7, ink, "end"))
        y = y0 + i * cell + cell / 2 - 3
        drawing.add(_text(x0 - 6, y, likelihood_labels[i], font, 9, INK, "end"))
    for j in range(cols):
        x = x0 + j * cell + cell / 2
        drawing.add(_text(x, y0 - 13, impact_labels[j], font, 9, INK))
    drawing.add(_text(x0 + grid_w / 2, y0 - 30, "影响程度 →", font, 10, MUTED))
    axis = _text(0, 0, "可能性 →", font, 10, MUTED)
    drawing.add(_rotated(axis, x0 - label_w - 18, y0 + cell * rows / 2))
    drawing.add(Line(x0, y0 - 1, x0 + grid_w, y0 - 1, strokeColor=RULE, strokeWidth=0.5))
    used = {LEVEL_ALIASES.get(v, v) for row in levels for v in row}
    legend = Legend()
    legend.colorNamePairs = [(c, f"{lv}风险") for lv, c in LEVEL_COLOURS.items() if lv in used]
    _style_legend(legend, font, 9)
    legend.x, legend.y = x0 + grid_w + 22, y0 + cell * rows - 6
    legend.deltay = 16
    legend.columnMaximum = len(LEVEL_COLOURS)
    drawing.add(legend)
    return drawing


def _text(
    x: float, y: float, text: str, font: str, size: float, ink: colors.Color, anchor: str = "middle"
) -> String:
    return String(x, y, text, fontName=font, fontSize=size, fillColor=ink, textAnchor=anchor)


def _rotated(shape: String, x: float, y: float) -> Group:
    group = Group(shape)
    group.transform = (0, 1, -1, 0, x, y)
    return group


def _legend(
    names: Sequence[str], palette: Sequence[colors.Color], font: str, right: float, top: float
) -> Group:
    """One row of swatch-and-name pairs ending at ``right``, at the top of a chart."""
    size, gap = 8.5, 14
    widths = [stringWidth(name, font, size) for name in names]
    x = right - sum(w + 12 + gap for w in widths) + gap
    group = Group()
    for i, (name, w) in enumerate(zip(names, widths, strict=True)):
        swatch = palette[i % len(palette)]
        group.add(Rect(x, top - 8, 8, 8, fillColor=swatch, strokeColor=None))
        group.add(_text(x + 12, top - 7.5, name, font, size, INK, "start"))
        x += w + 12 + gap
    return group


def _style_legend(legend: Legend, font: str, size: float) -> None:
    legend.fontName = font
    legend.fontSize = size
    legend.fillColor = INK
    legend.strokeColor = None
    legend.dx = legend.dy = 8
    legend.swatchMarker = None


def fit_label(text: str, font: str, size: float, max_width: float) -> str:
    """``text`` shortened with "…" so it is at most ``max_width`` wide."""
    if stringWidth(text, font, size) <= max_width:
        return text
    room = max_width - stringWidth("…", font, size)
    used, keep = 0.0, 0
    for char in text:
        used += stringWidth(char, font, size)
        if used > room:
            break
        keep += 1
    return text[:keep] + "…"


def _nice_axis(peak: float) -> tuple[float, float]:
    """Axis step and top for values from 0 to ``peak``: about five steps of 1, 2 or 5 × 10ⁿ."""
    if peak <= 0:
        return 1.0, 1.0
    raw = peak / 5
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    if peak >= 1 and step < 1:
        step = 1.0
    top = math.ceil(peak / step) * step
    if top - peak < step * 0.15:  # leave room for the value label above the longest bar
        top += step
    return step, top
