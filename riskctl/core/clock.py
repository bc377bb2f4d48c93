"""The bureau's clock: one source of "now", "today" and of the bounds of a day, month, quarter.

The bureau's day is Beijing's day whatever the server's clock or ``TZ`` says:

- ``now()`` is the moment, aware and in UTC; that is what is stored.
- ``today()`` is the bureau's calendar date (``RISKCTL_TIMEZONE``, default
  ``Asia/Shanghai``). Deadlines, overdue counts, look-back windows and report
  periods count from it, never from the server's ``date.today()``.
- ``day_bounds`` / ``month_bounds`` / ``quarter_bounds`` turn the bureau's dates
  into half-open UTC ranges ``[start, end)`` for timestamp columns: statistics
  cut at the bureau's midnights in every module.
- ``display`` is the one way a moment is shown to people (pages, PDFs,
  workbooks, CSV, the audit log): the bureau's wall-clock time.

Nothing else in the code base calls ``datetime.now()``, ``date.today()`` or
``datetime.utcnow()`` (ruff's DTZ rules and a banned-API list enforce it), so
tests move the whole application in time with ``time-machine``.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import current_app, has_app_context

DEFAULT_TIMEZONE = "Asia/Shanghai"
ENV_VAR = "RISKCTL_TIMEZONE"
# Zones that keep China Standard Time: the people read them as 北京时间.
_BEIJING_ZONES = {"Asia/Shanghai", "Asia/Chongqing", "Asia/Chungking", "Asia/Harbin", "PRC"}
STYLES = {"date": "%Y-%m-%d", "minute": "%Y-%m-%d %H:%M", "second": "%Y-%m-%d %H:%M:%S"}


def load_zone(name: str | None) -> ZoneInfo:
    """The zone called ``name`` (IANA key); ValueError naming it when there is none."""
    key = (name or DEFAULT_TIMEZONE).strip()
    try:
        return ZoneInfo(key)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"{ENV_VAR}={key!r} is not an IANA time zone") from exc


def zone() -> ZoneInfo:
    """The bureau's time zone: the app's ``TIMEZONE`` or, outside an app, the environment."""
    if has_app_context():
        configured = current_app.config.get("TIMEZONE")
        if isinstance(configured, ZoneInfo):
            return configured
        return load_zone(configured)
    return load_zone(os.environ.get(ENV_VAR))


def zone_label() -> str:
    """How pages and reports name the zone: ``北京时间`` (or the IANA key elsewhere)."""
    key = zone().key
    return "北京时间" if key in _BEIJING_ZONES else key


def now() -> datetime:
    """The current moment, aware, in UTC."""
    return datetime.now(UTC)


def today() -> date:
    """The bureau's date now."""
    return now().astimezone(zone()).date()


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"naive datetime {moment!r}: every stored moment is aware (UTC)")
    return moment


def local(moment: datetime) -> datetime:
    """An aware moment in the bureau's time zone."""
    return _aware(moment).astimezone(zone())


def local_date(moment: datetime) -> date:
    """The bureau's calendar date of an aware moment."""
    return local(moment).date()


def from_local(moment: datetime) -> datetime:
    """A moment people typed without a zone (e.g. ``datetime-local``) read as the bureau's
    wall-clock time, as aware UTC; an aware moment is only converted."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone())
    return moment.astimezone(UTC)


def day_start(day: date) -> datetime:
    """The bureau's midnight that starts ``day``, in UTC."""
    return datetime.combine(day, time(), tzinfo=zone()).astimezone(UTC)


def day_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """``[start 00:00, end + 1 day 00:00)`` of the bureau's days, in UTC (``end`` inclusive)."""
    return day_start(start), day_start(end + timedelta(days=1))


def month_bounds(year: int, month: int) -> tuple[datetime, datetime]:
    """The bureau's calendar month as ``[first midnight, next month's first midnight)`` in UTC."""
    following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return day_start(date(year, month, 1)), day_start(following)


def quarter_bounds(year: int, quarter: int) -> tuple[datetime, datetime]:
    """The bureau's calendar quarter (1–4) as a half-open UTC range."""
    if quarter not in (1, 2, 3, 4):
        raise ValueError(f"quarter must be 1–4, not {quarter}")
    first = 3 * quarter - 2
    low, _ = month_bounds(year, first)
    _, high = month_bounds(year, first + 2)
    return low, high


def display(moment: datetime | None, style: str = "minute") -> str:
    """A moment as people read it, in the bureau's time: ``2026-12-04 01:35``.

    ``style`` is ``date``, ``minute`` (default) or ``second``; None shows as "".
    Registered as the template filter ``local_time``; PDFs, workbooks, CSV and the
    audit log use it too.
    """
    if moment is None:
        return ""
    return local(moment).strftime(STYLES[style])


def iso(moment: datetime | None, timespec: str = "seconds") -> str | None:
    """ISO 8601 with the bureau's offset, e.g. ``2026-12-04T01:35:00+08:00`` (None stays None)."""
    return None if moment is None else local(moment).isoformat(timespec=timespec)
