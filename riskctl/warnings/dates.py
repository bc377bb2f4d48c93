"""The bureau's clock: record dates and times shown are Beijing's (Asia/Shanghai)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from riskctl.core.db import as_utc

LOCAL_TZ = ZoneInfo("Asia/Shanghai")


def local_today() -> date:
    return datetime.now(LOCAL_TZ).date()


def local_time(moment: datetime | None) -> str:
    """A stored moment as the bureau reads it, e.g. 2026-11-21 16:30."""
    return "" if moment is None else as_utc(moment).astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M")
