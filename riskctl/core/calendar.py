"""The working-day calendar in force: chinesecalendar plus the schedules an administrator loaded."""

from __future__ import annotations

from datetime import date, datetime

from flask import g, has_request_context
from sqlalchemy import Boolean, Date, Integer, String, delete, select
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


def current_calendar() -> WorkCalendar:
    """The calendar for this request (built once per request)."""
    if has_request_context() and "work_calendar" in g:
        return g.work_calendar
    years = list(db.session.scalars(select(CalendarYear.year)))
    overrides = {row.day: row.workday for row in db.session.scalars(select(CalendarDay))}
    calendar = WorkCalendar(overrides=overrides, loaded_years=years)
    if has_request_context():
        g.work_calendar = calendar
    return calendar


def add_working_days(start: date, n: int) -> Deadline:
    return current_calendar().add_working_days(start, n)


def load_year(year: int, text: str, actor: str) -> int:
    """Replace a year's schedule with the parsed ``text``; returns the number of days loaded."""
    try:
        days = parse_schedule(text)
    except ScheduleError as exc:
        raise ValidationFailed.field("schedule", exc.message) from exc
    outside = sorted(d for d in days if d.year != year)
    if outside:
        raise ValidationFailed.field("schedule", f"日期 {outside[0].isoformat()} 不属于 {year} 年")
    db.session.execute(delete(CalendarDay).where(CalendarDay.year == year))
    db.session.merge(CalendarYear(year=year, loaded_by=actor, loaded_at=clock.now()))
    db.session.add_all(CalendarDay(day=d, year=year, workday=w) for d, w in days.items())
    db.session.flush()
    audit.record("calendar.load", "calendar_year", year, {"days": len(days)})
    if has_request_context():
        g.pop("work_calendar", None)
    return len(days)
