"""What the figure modules share: key-figure labels, day bounds, percentages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta


@dataclass(frozen=True)
class KeyFigure:
    """A figure of the summary page (主要指标): its key in the section, label and unit."""

    key: str
    label: str
    unit: str = ""


def day_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """[start 00:00, end + 1 day 00:00) for timestamp columns.

    UTC days, as the inspections statistics count them, so the figures of one
    report agree with each other at the quarter's edges.
    """
    return (
        datetime.combine(start, time(), tzinfo=UTC),
        datetime.combine(end + timedelta(days=1), time(), tzinfo=UTC),
    )


def share(part: int | float, whole: int | float) -> float | None:
    """``part`` as a percentage of ``whole`` with one decimal; None when there is no whole."""
    return round(100 * part / whole, 1) if whole else None
