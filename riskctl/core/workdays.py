"""Chinese working-day calendar: statutory holidays and make-up working days (调休).

A day's status comes, in order, from a schedule an administrator loaded for
its year, from the `chinesecalendar` package, or from the weekday alone. The
last case is a guess until the State Council publishes the year's schedule,
so deadlines that depend on it are marked provisional.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

import chinese_calendar

_ONE_DAY = timedelta(days=1)

_HOLIDAY_WORDS = frozenset({"休", "假", "休息", "放假", "节假日", "holiday", "off"})
_WORKDAY_WORDS = frozenset({"班", "上班", "补班", "工作日", "workday", "work"})
# date, kind, then an optional note such as the festival's name
_SCHEDULE_LINE = re.compile(r"(?P<day>[^,\t ]+)\s*[,\t ]\s*(?P<kind>[^,\t ]+)(?:\s*[,\t ].*)?")
_DAY = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")


@dataclass(frozen=True)
class Deadline:
    """A due date; `provisional` when it rests on a year no schedule covers yet."""

    date: date
    provisional: bool


class ScheduleError(ValueError):
    """An uploaded schedule with bad lines; `message` names every one of them."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        self.message = "；".join(problems)
        super().__init__(self.message)


class WorkCalendar:
    """Working days per loaded schedules, then `chinesecalendar`, then weekdays.

    `overrides` holds the loaded years' holidays (False) and make-up working
    days (True); in a loaded year every other day follows the weekday. A year
    is loaded when it is in `loaded_years` or any override falls in it.
    """

    def __init__(
        self,
        overrides: Mapping[date, bool] | None = None,
        loaded_years: Iterable[int] = (),
    ) -> None:
        self._overrides = dict(overrides or {})
        self._loaded = frozenset(loaded_years) | {day.year for day in self._overrides}
        # year -> (cumulative working days: cum[i] counts days 1..i of the year, known);
        # built once per year on first use, so every call below is O(1) in the days
        # it spans (O(years) when it spans several).
        self._years: dict[int, tuple[list[int], bool]] = {}

    def is_working_day(self, day: date) -> bool:
        cum, _ = self._year(day.year)
        index = day.timetuple().tm_yday
        return cum[index] != cum[index - 1]

    def is_known(self, day: date) -> bool:
        """Whether a loaded schedule or the package knows the day's year."""
        return self._year(day.year)[1]

    def add_working_days(self, start: date, n: int) -> Deadline:
        """The n-th working day after `start` (`start` itself is not counted)."""
        if n < 0:
            raise ValueError("n must not be negative")
        if n == 0:
            return Deadline(start, False)
        year = start.year
        cum, known = self._year(year)
        target = cum[start.timetuple().tm_yday] + n
        # Only the days after `start` count towards "provisional": from Dec 31 on,
        # the first of them is in the next year.
        provisional = not known and start != date(year, 12, 31)
        while target > cum[-1]:
            target -= cum[-1]
            year += 1
            cum, known = self._year(year)
            provisional = provisional or not known
        index = bisect_left(cum, target)
        return Deadline(date(year, 1, 1) + timedelta(days=index - 1), provisional)

    def working_days_between(self, a: date, b: date) -> int:
        """Working days after `a` up to and including `b`; negative when b < a.

        `working_days_between(today, deadline)` is the number of working days
        left; a deadline in the past gives the working days overdue (which
        can be 0 over a weekend, so judge "overdue" by the dates themselves).
        """
        if b < a:
            return -self.working_days_between(b, a)
        count = sum(self._year(year)[0][-1] for year in range(a.year, b.year))
        return (
            count
            + self._year(b.year)[0][b.timetuple().tm_yday]
            - self._year(a.year)[0][a.timetuple().tm_yday]
        )

    def _year(self, year: int) -> tuple[list[int], bool]:
        entry = self._years.get(year)
        if entry is None:
            day, cum, known = date(year, 1, 1), [0], True
            while day.year == year:
                working, day_known = self._status(day)
                cum.append(cum[-1] + working)
                known = known and day_known
                if day == date.max:
                    break
                day += _ONE_DAY
            entry = self._years[year] = (cum, known)
        return entry

    def _status(self, day: date) -> tuple[bool, bool]:
        """(working, known) for one day: the slow path that builds a year's index."""
        if day.year in self._loaded:
            return self._overrides.get(day, day.weekday() < 5), True
        try:
            return chinese_calendar.is_workday(day), True
        except NotImplementedError:
            # The package raises for years it has no data for (before 2004,
            # after its last release): fall back to weekdays, provisionally.
            return day.weekday() < 5, False


def parse_schedule(text: str, year: int | None = None) -> dict[date, bool]:
    """Parse an uploaded year schedule: one `YYYY-MM-DD,休` or `YYYY-MM-DD,班` per line.

    Blank lines, `#` comments and a header line starting with 日期 are skipped.
    Every bad line is reported at once, by line number (with ``year``: a day of
    another year too).
    """
    schedule: dict[date, bool] = {}
    first_seen: dict[date, int] = {}
    problems: list[str] = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = unicodedata.normalize("NFKC", raw).strip().lstrip("\ufeff")
        if not line or line.startswith("#") or line.startswith(("日期", "date")):
            continue
        try:
            day, working = _parse_schedule_line(line)
        except ValueError as exc:
            problems.append(f"第 {number} 行：{exc}")
            continue
        if year is not None and day.year != year:
            problems.append(f"第 {number} 行：{day.isoformat()} 不属于 {year} 年")
            continue
        if day in first_seen and schedule[day] != working:
            problems.append(f"第 {number} 行：{day.isoformat()} 与第 {first_seen[day]} 行矛盾")
            continue
        first_seen.setdefault(day, number)
        schedule[day] = working
    if problems:
        raise ScheduleError(problems)
    return schedule


def _parse_schedule_line(line: str) -> tuple[date, bool]:
    match = _SCHEDULE_LINE.fullmatch(line)
    if not match:
        raise ValueError(f"应为“日期,休”或“日期,班”，实际为“{line}”")
    day_text, kind = match["day"], match["kind"].lower()
    day_match = _DAY.fullmatch(day_text)
    if not day_match:
        raise ValueError(f"无法识别的日期“{day_text}”（应如 2027-10-01）")
    try:
        day = date(*(int(part) for part in day_match.groups()))
    except ValueError:
        raise ValueError(f"日期“{day_text}”不存在") from None
    if kind in _HOLIDAY_WORDS:
        return day, False
    if kind in _WORKDAY_WORDS:
        return day, True
    raise ValueError(f"无法识别的类型“{match['kind']}”（应为 休 或 班）")
