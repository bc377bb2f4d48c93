"""The bureau's clock: its day is Beijing's day, whatever the server's clock or TZ says."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta

import pytest

from riskctl import create_app
from riskctl.config import ConfigError
from riskctl.core import clock


def test_now_is_aware_utc(travel):
    travel(datetime(2026, 12, 3, 17, 30, tzinfo=UTC))
    now = clock.now()
    assert now.utcoffset() == timedelta(0)
    assert now - datetime(2026, 12, 3, 17, 30, tzinfo=UTC) < timedelta(minutes=1)


@pytest.mark.parametrize(
    ("utc", "beijing_day"),
    [
        (datetime(2026, 12, 3, 3, 0, tzinfo=UTC), date(2026, 12, 3)),
        (datetime(2026, 12, 3, 15, 59, tzinfo=UTC), date(2026, 12, 3)),
        (datetime(2026, 12, 3, 16, 0, tzinfo=UTC), date(2026, 12, 4)),
        (datetime(2026, 12, 3, 17, 30, tzinfo=UTC), date(2026, 12, 4)),
        (datetime(2026, 12, 31, 16, 30, tzinfo=UTC), date(2027, 1, 1)),
    ],
)
def test_today_is_beijings_date(travel, utc, beijing_day):
    travel(utc)
    assert clock.today() == beijing_day


def test_the_day_is_cut_at_beijing_midnight():
    low, high = clock.day_bounds(date(2026, 12, 4), date(2026, 12, 4))
    assert (low, high) == (
        datetime(2026, 12, 3, 16, tzinfo=UTC),
        datetime(2026, 12, 4, 16, tzinfo=UTC),
    )
    assert clock.day_start(date(2026, 12, 4)) == low


def test_months_and_quarters_are_cut_at_beijing_midnight():
    assert clock.month_bounds(2026, 12) == (
        datetime(2026, 11, 30, 16, tzinfo=UTC),
        datetime(2026, 12, 31, 16, tzinfo=UTC),
    )
    assert clock.month_bounds(2026, 2) == (
        datetime(2026, 1, 31, 16, tzinfo=UTC),
        datetime(2026, 2, 28, 16, tzinfo=UTC),
    )
    assert clock.quarter_bounds(2026, 4) == (
        datetime(2026, 9, 30, 16, tzinfo=UTC),
        datetime(2026, 12, 31, 16, tzinfo=UTC),
    )
    assert clock.quarter_bounds(2026, 1)[0] == datetime(2025, 12, 31, 16, tzinfo=UTC)
    with pytest.raises(ValueError, match="quarter"):
        clock.quarter_bounds(2026, 5)


def test_moments_are_shown_in_beijing_time():
    moment = datetime(2026, 12, 3, 17, 35, 9, tzinfo=UTC)
    assert clock.display(moment) == "2026-12-04 01:35"
    assert clock.display(moment, "date") == "2026-12-04"
    assert clock.display(moment, "second") == "2026-12-04 01:35:09"
    assert clock.display(None) == ""
    assert clock.iso(moment) == "2026-12-04T01:35:09+08:00"
    assert clock.local_date(moment) == date(2026, 12, 4)
    assert clock.zone_label() == "北京时间"


def test_a_naive_moment_is_refused_not_guessed():
    with pytest.raises(ValueError, match="naive"):
        clock.display(datetime(2026, 12, 3, 17, 35))  # noqa: DTZ001


def test_a_moment_typed_without_zone_is_beijing_wall_clock_time():
    typed = datetime(2026, 3, 1, 7, 30)  # noqa: DTZ001 (what a datetime-local input gives)
    stored = clock.from_local(typed)
    assert stored == datetime(2026, 2, 28, 23, 30, tzinfo=UTC)
    assert clock.local_date(stored) == date(2026, 3, 1)
    aware = datetime(2026, 3, 1, 7, 30, tzinfo=UTC)
    assert clock.from_local(aware) == aware


def test_the_zone_comes_from_riskctl_timezone(tmp_path, monkeypatch):
    monkeypatch.setenv("RISKCTL_TIMEZONE", "Europe/London")
    app = create_app({"INSTANCE_PATH": str(tmp_path)})
    with app.app_context():
        assert clock.zone().key == "Europe/London"
        assert clock.zone_label() == "Europe/London"
        assert clock.day_start(date(2026, 7, 1)) == datetime(2026, 6, 30, 23, tzinfo=UTC)
    monkeypatch.setenv("RISKCTL_TIMEZONE", "Mars/Olympus")
    with pytest.raises(ConfigError, match="RISKCTL_TIMEZONE"):
        create_app({"INSTANCE_PATH": str(tmp_path)})


@pytest.fixture
def server_tz(monkeypatch):
    """``server_tz("America/New_York")``: the process's own TZ, restored afterwards."""

    def set_tz(name: str) -> None:
        monkeypatch.setenv("TZ", name)
        time.tzset()

    yield set_tz
    monkeypatch.undo()
    time.tzset()


def test_the_servers_tz_does_not_matter(travel, server_tz):
    """The same dates and the same shown times with TZ=America/New_York as with UTC."""
    travel(datetime(2026, 12, 3, 17, 30, tzinfo=UTC))
    seen = []
    for tz in ("UTC", "America/New_York", "Asia/Kolkata"):
        server_tz(tz)
        moment = datetime(2026, 12, 3, 17, 35, tzinfo=UTC)
        seen.append(
            (
                clock.today(),
                clock.display(moment),
                clock.day_bounds(date(2026, 12, 4), date(2026, 12, 4)),
            )
        )
    assert seen[0][0] == date(2026, 12, 4) and seen[0][1] == "2026-12-04 01:35"
    assert seen[0] == seen[1] == seen[2]
