"""Quarters (季度): which ones a report may be issued for, and their dates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from riskctl.core.errors import ValidationFailed

# The bureau kept paper ledgers before this; earlier years have no records to report.
FIRST_YEAR = 2000
NUMERALS = "一二三四"


@dataclass(frozen=True, order=True)
class Quarter:
    """A calendar quarter; ``number`` 1 to 4."""

    year: int
    number: int

    @property
    def start(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def end(self) -> date:
        following = (
            date(self.year + 1, 1, 1)
            if self.number == 4
            else date(self.year, 3 * self.number + 1, 1)
        )
        return following - timedelta(days=1)

    @property
    def label(self) -> str:
        """``2026年第四季度``."""
        return f"{self.year}年第{NUMERALS[self.number - 1]}季度"

    @property
    def key(self) -> str:
        """``2026-Q4``: file names and URLs."""
        return f"{self.year}-Q{self.number}"

    def previous(self) -> Quarter:
        return (
            Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)
        )

    def as_of(self, today: date) -> date:
        """The day the figures are counted up to: the quarter's end, or today while it runs."""
        return min(self.end, today)


def quarter_of(day: date) -> Quarter:
    return Quarter(day.year, (day.month - 1) // 3 + 1)


def checked_quarter(year: object, number: object, today: date) -> Quarter:
    """The quarter a report may be issued for; 422 naming the field otherwise.

    The running quarter is allowed (its figures are counted up to today); a quarter
    that has not begun is not.
    """
    if isinstance(number, bool) or not isinstance(number, int) or not 1 <= number <= 4:
        raise ValidationFailed.field("quarter", f"季度须为 1 到 4 之间的整数，收到 {number!r}")
    if isinstance(year, bool) or not isinstance(year, int) or year < FIRST_YEAR:
        raise ValidationFailed.field("year", f"年份须为不早于 {FIRST_YEAR} 年的整数，收到 {year!r}")
    if year > today.year or Quarter(year, number).start > today:
        label = f"{year}年第{NUMERALS[number - 1]}季度"
        raise ValidationFailed.field(
            "quarter", f"{label}尚未开始（今天是 {today.isoformat()}），不能签发报告"
        )
    return Quarter(year, number)
