"""The working-day calendar in force: chinesecalendar plus the schedules an administrator loaded."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Boolean, Date, Integer, String, delete, select
from sqlalchemy.orm import Mapped, mapped_column

from riskctl.core import audit, clock, stamps
from riskctl.core.db import UTCDateTime, db
from riskctl.core.errors import ValidationFailed
from riskctl.core.workdays import Deadline, ScheduleError, WorkCalendar, parse_schedule


class CalendarYear(db.Model):
    """A year whose official schedule (国务院办公厅放假安排) an administrator loaded."""

    __tablename__ = "calendar_years"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    loaded_by: Mapped[str] = mapped_column(String(60))


class CalendarDay(db.Model):
    """A holiday (workday false) or a make-up working day (workday true) of a loaded year."""

    __tablename__ = "calendar_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    workday: Mapped[bool] = mapped_column(Boolean)


# The shared stamp (``core.stamps``): a loaded schedule moves it, and each worker keeps
# the calendar (and its per-year working-day index) built for the version it last saw.
CalendarStamp = stamps.Stamp

_cache_lock = threading.Lock()
# database URL -> (stamp version, calendar built from the schedules of that version)
_built: dict[str, tuple[int, WorkCalendar]] = {}


def current_calendar() -> WorkCalendar:
    """The calendar in force: built once per version of the shared stamp (read once per
    request, by the bearer-token statement on the API)."""
    version = stamps.current()
    key = str(db.engine.url)
    cached = _built.get(key)
    if cached is not None and cached[0] == version:
        return cached[1]
    years = list(db.session.scalars(select(CalendarYear.year)))
    overrides = {row.day: row.workday for row in db.session.scalars(select(CalendarDay))}
    calendar = WorkCalendar(overrides=overrides, loaded_years=years)
    with _cache_lock:
        _built[key] = (version, calendar)
    return calendar


@dataclass(frozen=True)
class LoadedYear:
    year: int
    holidays: list[date]
    workdays: list[date]
    loaded_at: datetime
    loaded_by: str


def loaded_years() -> list[LoadedYear]:
    """Each loaded year with its holidays and make-up working days, newest first."""
    days: dict[int, list[CalendarDay]] = {}
    for row in db.session.scalars(select(CalendarDay).order_by(CalendarDay.day)):
        days.setdefault(row.year, []).append(row)
    return [
        LoadedYear(
            y.year,
            [d.day for d in days.get(y.year, []) if not d.workday],
            [d.day for d in days.get(y.year, []) if d.workday],
            y.loaded_at,
            y.loaded_by,
        )
        for y in db.session.scalars(select(CalendarYear).order_by(CalendarYear.year.desc()))
    ]


def add_working_days(start: date, n: int) -> Deadline:
    return current_calendar().add_working_days(start, n)


def load_year(year: int, text: str, actor: str) -> int:
    """Replace a year's schedule with the parsed ``text``; returns the number of days loaded."""
    try:
        days = parse_schedule(text, year)
    except ScheduleError as exc:
        count = len(exc.problems)
        message = f"安排有 {count} 处错误，未载入：{exc.message}"
        raise ValidationFailed(message, {"schedule": exc.problems}) from exc
    db.session.execute(delete(CalendarDay).where(CalendarDay.year == year))
    db.session.merge(CalendarYear(year=year, loaded_by=actor, loaded_at=clock.now()))
    db.session.add_all(CalendarDay(day=d, year=year, workday=w) for d, w in days.items())
    stamps.bump()
    db.session.flush()
    audit.record("calendar.load", "calendar_year", year, {"days": len(days)})
    return len(days)
