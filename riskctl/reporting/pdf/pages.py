"""Pages of the report: the numbering canvas, page templates and the cover."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate, Spacer
from reportlab.platypus import Table as RLTable

from .charts import fit_label
from .flowables import paragraph
from .styles import (
    INK,
    MARGIN_BOTTOM,
    MARGIN_LEFT,
    MARGIN_RIGHT,
    MARGIN_TOP,
    MUTED,
    OFFICIAL_RED,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    RULE,
    TEXT_WIDTH,
    Styles,
)

COVER, BODY = "cover", "body"
FOOTER_Y = 14 * mm
HEADER_Y = PAGE_HEIGHT - 19 * mm


class NumberedCanvas(Canvas):
    """Holds every page back until ``save`` so each footer can say "第 X 页 共 Y 页".

    It also stamps the PDF dates with the issue date and adds the outline
    (bookmarks) for headings recorded with ``note_heading``: bookmarks must be
    made while the real page is current, which is only the case during ``save``.
    """

    def __init__(
        self, *args: Any, footer_font: str, issued_on: dt.date, issued_offset: str, **kwargs: Any
    ):
        super().__init__(*args, **kwargs)
        self._footer_font = footer_font
        self._pages: list[dict[str, Any]] = []
        self._headings: list[tuple[int, str, int, float]] = []
        offset = issued_offset  # +0800
        stamp = issued_on.strftime("D:%Y%m%d000000") + f"{offset[:3]}'{offset[3:]}'"
        self.setDateFormatter(lambda *_: stamp)

    def note_heading(self, title: str, level: int, top: float) -> None:
        self._headings.append((len(self._pages), title, level, top))

    def showPage(self) -> None:
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        headings = iter(enumerate(self._headings))
        pending = next(headings, None)
        last_level = -1
        for number, state in enumerate(self._pages):
            self.__dict__.update(state)
            self._draw_footer(number + 1, total)
            while pending is not None and pending[1][0] == number:
                index, (_, title, level, top) = pending
                # An outline may not skip a level (a 3 straight after a 1).
                level = min(level, last_level + 1)
                key = f"h{index}"
                self.bookmarkPage(key, fit="XYZ", left=0, top=top)
                self.addOutlineEntry(title, key, level)
                last_level = level
                pending = next(headings, None)
            super().showPage()
        super().save()

    def _draw_footer(self, number: int, total: int) -> None:
        self.saveState()
        self.setFont(self._footer_font, 9)
        self.setFillColor(MUTED)
        self.drawCentredString(PAGE_WIDTH / 2, FOOTER_Y, f"第 {number} 页 共 {total} 页")
        self.restoreState()


class ReportTemplate(BaseDocTemplate):
    """A4 with a cover template and a body template that carries the running header."""

    def __init__(self, buffer: Any, *, header: str, marking: str, font: str, **kw: Any):
        super().__init__(
            buffer,
            pagesize=(PAGE_WIDTH, PAGE_HEIGHT),
            leftMargin=MARGIN_LEFT,
            rightMargin=MARGIN_RIGHT,
            topMargin=MARGIN_TOP,
            bottomMargin=MARGIN_BOTTOM,
            invariant=1,
            lang="zh-CN",
            initialFontName=font,
            **kw,
        )
        self._marking = marking
        room = TEXT_WIDTH - stringWidth(marking, font, 9) - 24
        self._header = fit_label(header, font, 9, room)
        self._font = font
        frame = Frame(
            MARGIN_LEFT,
            MARGIN_BOTTOM,
            TEXT_WIDTH,
            PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM,
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
        )
        self.addPageTemplates(
            [
                PageTemplate(COVER, frames=[frame]),
                PageTemplate(BODY, frames=[frame], onPage=self._draw_header),
            ]
        )

    def _draw_header(self, canvas: Canvas, _doc: BaseDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont(self._font, 9)
        canvas.setFillColor(MUTED)
        right = PAGE_WIDTH - MARGIN_RIGHT
        canvas.drawRightString(right, HEADER_Y, self._marking)
        canvas.drawString(MARGIN_LEFT, HEADER_Y, self._header)
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.6)
        canvas.line(MARGIN_LEFT, HEADER_Y - 5, right, HEADER_Y - 5)
        canvas.restoreState()

    def afterFlowable(self, flowable: Flowable) -> None:
        level = getattr(flowable, "outline_level", None)
        if level is None:
            return
        top = self.frame._y + flowable.height + flowable.getSpaceAfter() + 6
        self.canv.note_heading(flowable.outline_title, level, min(top, PAGE_HEIGHT))


class BottomAligned(Flowable):
    """Draws its flowables at the bottom of the space left on the page."""

    def __init__(self, content: Sequence[Flowable]):
        super().__init__()
        self._content = list(content)
        self._sizes: list[tuple[float, float]] = []

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self._sizes = [f.wrap(avail_width, avail_height) for f in self._content]
        needed = sum(h for _, h in self._sizes)
        self.width = avail_width
        self.height = avail_height if needed <= avail_height else needed
        return self.width, self.height

    def draw(self) -> None:
        y = sum(h for _, h in self._sizes)
        for item, (_, h) in zip(self._content, self._sizes, strict=True):
            y -= h
            item.drawOn(self.canv, 0, y)


def cover(
    *,
    org: str,
    title: str,
    subtitle: str,
    marking: str,
    lines: Sequence[str],
    issued_on: dt.date,
    version: int | str,
    styles: Styles,
) -> list[Flowable]:
    """Marking top-left, the bureau in red over a red rule, title, then issue date at the foot."""
    style = styles.cover_marking
    box_width = min(stringWidth(marking, style.fontName, style.fontSize) + 20, TEXT_WIDTH)
    mark = RLTable([[paragraph(marking, style)]], colWidths=[box_width], hAlign="LEFT")
    mark.setStyle([("BOX", (0, 0), (-1, -1), 0.8, INK)])
    story: list[Flowable] = [mark, Spacer(1, 36), paragraph(org, styles.cover_org)]
    story += [_Rule(OFFICIAL_RED, 2), Spacer(1, 90), paragraph(title, styles.cover_title)]
    if subtitle:
        story.append(paragraph(subtitle, styles.cover_subtitle))
    story.append(Spacer(1, 50))
    story += [paragraph(line, styles.cover_line) for line in lines]
    edition = f"第 {version} 版" if isinstance(version, int) else str(version)
    foot = [
        paragraph(org, styles.cover_issue),
        paragraph(f"{issued_on.year}年{issued_on.month}月{issued_on.day}日", styles.cover_issue),
        paragraph(edition, styles.cover_line),
        Spacer(1, 20),
    ]
    story.append(BottomAligned(foot))
    return story


class _Rule(Flowable):
    """A full-width horizontal rule."""

    def __init__(self, colour: Any, thickness: float):
        super().__init__()
        self._colour, self._thickness = colour, thickness

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width = avail_width
        return avail_width, self._thickness + 12

    def draw(self) -> None:
        self.canv.setStrokeColor(self._colour)
        self.canv.setLineWidth(self._thickness)
        self.canv.line(0, 6, self.width, 6)
