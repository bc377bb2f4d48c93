"""Keeping the report's pieces together across page breaks.

reportlab's ``keepWithNext`` cannot keep a heading with a chart or a small
table (it refuses to nest a ``KeepTogether``), so a heading could end a page
with its content on the next one. Here each block is laid out as a *unit*
that knows how much of it must follow its heading on the same page: all of a
chart, a small table or a short paragraph; the caption, header and first rows
of a long table; the first lines of a long paragraph. ``NeedRoom`` placed
before the heading starts a new page when that much does not fit.

Heights are measured when the story is built: every body flowable is laid
out in the one frame of the body pages, ``TEXT_WIDTH`` wide.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, Paragraph
from reportlab.platypus import Table as RLTable

from .styles import FRAME_HEIGHT, TEXT_WIDTH

# A table or paragraph at most this high moves to the next page whole rather
# than leave a few rows (or lines) stranded on either page.
WHOLE = FRAME_HEIGHT / 3
START_ROWS = 3  # a long table starts with its header and at least this many rows
START_LINES = 3  # a long paragraph starts with at least this many lines
# A chapter (level-1 heading) starts on a new page when less than this is left.
CHAPTER_ROOM = FRAME_HEIGHT / 3
_BIG = 1e6


@dataclass
class Unit:
    """A block's flowables and the height that must share a page with its heading."""

    flowables: list[Flowable]
    start: float


def height(flowable: Flowable) -> float:
    """The height ``flowable`` takes in the body frame, spacing included."""
    if isinstance(flowable, KeepTogether):
        return sum(height(f) for f in flowable._content)
    _, h = flowable.wrap(TEXT_WIDTH, _BIG)
    return h + flowable.getSpaceBefore() + flowable.getSpaceAfter()


def whole(flowables: Sequence[Flowable]) -> Unit:
    """A unit that never splits (a chart, a panel, key figures)."""
    kept = list(flowables)
    return Unit(kept, sum(height(f) for f in kept))


def text(para: Paragraph) -> Unit:
    """A paragraph: kept whole when short, else its first lines go with the heading."""
    full = height(para)
    if full <= WHOLE:
        return Unit([KeepTogether([para])], full)
    return Unit([para], para.getSpaceBefore() + START_LINES * para.style.leading)


def table(flowables: Sequence[Flowable]) -> Unit:
    """A captioned table (caption, table, note, spacer): small ones never split.

    A long one keeps its caption with its header and first rows.
    """
    parts = list(flowables)
    full = sum(height(f) for f in parts)
    if full <= WHOLE:
        return Unit([KeepTogether(parts)], full)
    start = 0.0
    for flowable in parts:
        if isinstance(flowable, RLTable):
            rows = flowable._rowHeights[: 1 + START_ROWS]  # set by the wrap in ``height``
            start += sum(rows)
            break
        start += height(flowable)
    # The caption may not end a page: the caption and the table's start stay together.
    return Unit(parts, start)


class NeedRoom(CondPageBreak):
    """Starts a new page unless ``height`` points are left (never on an empty page)."""

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        frame = self._doctemplateAttr("frame")
        if frame is not None and getattr(frame, "_atTop", False):
            return 0, 0
        return super().wrap(availWidth, availHeight)


def is_heading(flowable: Flowable) -> bool:
    return getattr(flowable, "keep_heading", False)


def keep_with_leads(
    leads: Sequence[Flowable], unit: Unit | None, *, chapter: bool = False
) -> list[Flowable]:
    """Headings and lead-in paragraphs, then ``unit``: never split between two pages.

    A chapter (``chapter``: the leads start with a level-1 heading) also starts a
    new page when less than ``CHAPTER_ROOM`` is left.
    """
    flowables = unit.flowables if unit else []
    need = sum(height(f) for f in leads) + (unit.start if unit else 0)
    if not leads and not flowables:
        return []
    if chapter:
        need = max(need, CHAPTER_ROOM)
    return [NeedRoom(need), *leads, *flowables]
