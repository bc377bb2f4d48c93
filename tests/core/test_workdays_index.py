"""The per-year working-day index answers exactly what counting day by day answers.

The reference below walks the calendar one day at a time with the same sources
(loaded schedule, then chinesecalendar, then weekdays); WorkCalendar answers from
cumulative counts built once per year.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta

import chinese_calendar
import pytest
from sqlalchemy import select

from riskctl.core import calendar as core_calendar
from riskctl.core.calendar import CalendarStamp, current_calendar, load_year
from riskctl.core.db import db
from riskctl.core.workdays import Deadline, WorkCalendar, parse_schedule

ONE = timedelta(days=1)
SCHEDULE_2027 = parse_schedule(
    "2027-09-26,班\n2027-10-01,休\n2027-10-04,休\n2027-10-05,休\n2027-10-09,班\n"
)
# A loaded year the package also knows: the upload wins over chinesecalendar.
SCHEDULE_2025 = parse_schedule("2025-10-01,班\n2025-10-11,休\n2025-12-31,休\n")


def status(day: date, overrides: dict[date, bool], loaded: set[int]) -> tuple[bool, bool]:
    if day.year in loaded:
        return overrides.get(day, day.weekday() < 5), True
    try:
        return chinese_calendar.is_workday(day), True
    except NotImplementedError:
        return day.weekday() < 5, False


# Each day's status, asked once per calendar: the reference still counts day by day.
_SEEN: dict[tuple[frozenset, frozenset], dict[date, tuple[bool, bool]]] = {}


def statuses(overrides, loaded) -> Callable[[date], tuple[bool, bool]]:
    seen = _SEEN.setdefault((frozenset(overrides.items()), frozenset(loaded)), {})

    def of(day: date) -> tuple[bool, bool]:
        if day not in seen:
            seen[day] = status(day, overrides, loaded)
        return seen[day]

    return of


def between_by_day(a: date, b: date, overrides, loaded) -> int:
    if b < a:
        return -between_by_day(b, a, overrides, loaded)
    of = statuses(overrides, loaded)
    count, day = 0, a
    while day < b:
        day += ONE
        count += of(day)[0]
    return count


def add_by_day(start: date, n: int, overrides, loaded) -> Deadline:
    of = statuses(overrides, loaded)
    day, provisional = start, False
    while n:
        day += ONE
        working, known = of(day)
        provisional = provisional or not known
        n -= working
    return Deadline(day, provisional)


CASES = [
    pytest.param({}, set(), id="package-and-weekdays"),
    pytest.param(SCHEDULE_2027, {2027}, id="loaded-2027"),
    pytest.param(
        {**SCHEDULE_2025, **SCHEDULE_2027}, {2025, 2027, 2030}, id="loaded-2025-2027-2030"
    ),
]


@pytest.mark.parametrize(("overrides", "loaded"), CASES)
def test_index_equals_day_by_day_count(overrides, loaded):
    cal = WorkCalendar(overrides=overrides, loaded_years=loaded)
    rng = random.Random(16)
    first = date(2002, 12, 1)  # before chinesecalendar's first year (2004)
    span = (date(2031, 1, 31) - first).days  # past its last one
    starts = [first + timedelta(days=rng.randrange(span)) for _ in range(400)]
    # Every year's edges, where the index changes year.
    starts += [date(y, 12, 31) for y in range(2002, 2031)] + [
        date(y, 1, 1) for y in range(2003, 2031)
    ]
    for start in starts:
        for n in (0, 1, 2, 5, 15, 60, rng.randrange(0, 800)):
            assert cal.add_working_days(start, n) == add_by_day(start, n, overrides, loaded), (
                start,
                n,
            )
        other = start + timedelta(days=rng.randrange(-900, 900))
        assert cal.working_days_between(start, other) == between_by_day(
            start, other, overrides, loaded
        ), (start, other)
        assert cal.is_working_day(start) == status(start, overrides, loaded)[0]
        assert cal.is_known(start) == status(start, overrides, loaded)[1]


def test_every_day_of_a_loaded_year_and_its_neighbours():
    loaded = {2027}
    cal = WorkCalendar(overrides=SCHEDULE_2027, loaded_years=loaded)
    start = date(2026, 12, 1)
    day = start
    while day < date(2028, 2, 1):
        assert cal.working_days_between(start, day) == between_by_day(
            start, day, SCHEDULE_2027, loaded
        )
        assert cal.add_working_days(day, 3) == add_by_day(day, 3, SCHEDULE_2027, loaded)
        day += ONE


def test_provisional_only_for_days_after_the_start():
    cal = WorkCalendar()
    last_known = max(y for y in range(2004, 2100) if _known(y))
    # From the last known year's last day the first counted day is in an unknown year.
    assert cal.add_working_days(date(last_known, 12, 31), 1).provisional is True
    # From an unknown year's last day into a known one: not provisional (2003 → 2004).
    assert cal.add_working_days(date(2003, 12, 31), 1) == Deadline(date(2004, 1, 2), False)
    assert cal.add_working_days(date(2003, 12, 30), 5).provisional is True


def _known(year: int) -> bool:
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def test_loading_a_schedule_replaces_the_calendar_every_worker_builds(app):
    before = current_calendar()
    assert before.working_days_between(date(2027, 9, 30), date(2027, 10, 8)) == 6
    # Another request of the same worker, same stamp: the same built calendar.
    assert current_calendar() is before
    load_year(2027, "2027-10-01,休\n2027-10-04,休\n2027-10-05,休\n", "admin")
    db.session.commit()
    stamp = db.session.scalar(select(CalendarStamp.version))
    assert stamp
    after = current_calendar()
    assert after is not before
    assert after.working_days_between(date(2027, 9, 30), date(2027, 10, 8)) == 3
    # A worker that built its calendar before the load sees the stamp move on.
    key = str(db.engine.url)
    core_calendar._built[key] = (0, before)
    assert current_calendar().working_days_between(date(2027, 9, 30), date(2027, 10, 8)) == 3
    # Loading the year again with other days moves the stamp again.
    load_year(2027, "2027-10-01,休\n", "admin")
    db.session.commit()
    assert db.session.scalar(select(CalendarStamp.version)) != stamp
    assert current_calendar().working_days_between(date(2027, 9, 30), date(2027, 10, 8)) == 5
