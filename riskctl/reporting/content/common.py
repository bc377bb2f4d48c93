"""Formatting shared by the section writers: numbered headings, percentages, dates."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from riskctl.core import clock
from riskctl.reporting.pdf import Heading

NUMERALS = "一二三四五六七八九十"


def numeral(n: int) -> str:
    """Chinese numerals for heading numbers 1 to 19 (一 … 十九)."""
    return NUMERALS[n - 1] if n <= 10 else f"十{NUMERALS[n - 11]}"


class Subheadings:
    """Level-2 headings numbered （一）（二）… in the order they are asked for."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, text: str) -> Heading:
        self.count += 1
        return Heading(f"（{numeral(self.count)}）{text}", 2)


def pct(value: float | None) -> str | None:
    """``66.7%``; None (shown as —) when there was nothing to divide by."""
    if value is None:
        return None
    return f"{value:g}%" if float(value).is_integer() else f"{value:.1f}%"


def cn_date(text: str) -> str:
    """``2026-09-30`` → ``2026年9月30日``."""
    day = date.fromisoformat(text[:10])
    return f"{day.year}年{day.month}月{day.day}日"


def moment(text: str) -> str:
    """A snapshot's timestamp (ISO 8601 with offset) as people read it: ``2026-09-30 14:05``."""
    return clock.display(datetime.fromisoformat(text))


CHART_UNITS = 12


def chart_rows(
    rows: list[dict], weight: Callable[[dict], float], title: str, ranked_by: str = "数量"
) -> tuple[list, str]:
    """The rows a bar chart draws: the ``CHART_UNITS`` heaviest, in their original order.

    A chart over a province's hundred squads is unreadable; the table next to it
    lists every unit, and the title says when the chart shows only the first ones.
    """
    if len(rows) <= CHART_UNITS:
        return rows, title
    heaviest = sorted(range(len(rows)), key=lambda i: -weight(rows[i]))[:CHART_UNITS]
    return [rows[i] for i in sorted(heaviest)], f"{title}（{ranked_by}居前的 {CHART_UNITS} 个单位）"
