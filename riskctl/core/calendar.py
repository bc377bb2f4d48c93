"""The working-day calendar in force: chinesecalendar plus the schedules an administrator loaded."""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass
from datetime import date, datetime

from flask import g, has_request_context
from sqlalchemy import BigInteger, Boolean, Date, Integer, String, delete, select, update
from sqlalchemy.orm import Mapped, mapped_column

from riskctl.core import audit, clock
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


class CalendarStamp(db.Model):
    """One row: the version of the loaded schedules, a new random value at every load.

    Each worker keeps the calendar (and its per-year working-day index) built for
    the version it last saw, and rebuilds it when the stamp has moved on.
    """

    __tablename__ = "calendar_stamp"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(BigInteger, default=0)


_cache_lock = threading.Lock()
# database URL -> (stamp version, calendar built from the schedules of that version)
_built: dict[str, tuple[int, WorkCalendar]] = {}


def current_calendar() -> WorkCalendar:
    """The calendar in force: one read of the stamp per request, built once per version."""
    if has_request_context() and "work_calendar" in g:
        return g.work_calendar
    version = db.session.scalar(select(CalendarStamp.version).where(CalendarStamp.id == 1)) or 0
    key = str(db.engine.url)
    cached = _built.get(key)
    if cached is not None and cached[0] == version:
        calendar = cached[1]
    else:
        years = list(db.session.scalars(select(CalendarYear.year)))
        overrides = {row.day: row.workday for row in db.session.scalars(select(CalendarDay))}
        calendar = WorkCalendar(overrides=overrides, loaded_years=years)
        with _cache_lock:
            _built[key] = (version, calendar)
    if has_request_context():
        g.work_calendar = calendar
    return calendar


def _bump_version() -> None:
    # A fresh random stamp rather than +1: a load rolled back after some worker saw its
    # stamp must not leave that worker a calendar that a later load's stamp would match.
    version = secrets.randbits(62) + 1
    bumped = db.session.execute(
        update(CalendarStamp).where(CalendarStamp.id == 1).values(version=version)
    )
    if not bumped.rowcount:
        db.session.add(CalendarStamp(id=1, version=version))


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
    _bump_version()
    db.session.flush()
    audit.record("calendar.load", "calendar_year", year, {"days": len(days)})
    if has_request_context():
        g.pop("work_calendar", None)
    return len(days)
