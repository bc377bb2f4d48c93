"""UTCDateTime: every stored moment comes back aware and in UTC, on SQLite as on PostgreSQL."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import DateTime, select, text

from riskctl.core.audit import AuditEntry
from riskctl.core.db import UTCDateTime, db
from riskctl.core.settings import Setting

BEIJING = timezone(timedelta(hours=8))


def _setting(at: datetime) -> Setting:
    row = Setting(key=f"test.at.{at.timestamp()}", value="1", updated_by="test", updated_at=at)
    db.session.add(row)
    db.session.commit()
    return row


def test_every_timestamp_column_is_a_utc_datetime(app):
    plain = [
        f"{table.name}.{column.name}"
        for table in db.metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type, DateTime) and not isinstance(column.type, UTCDateTime)
    ]
    assert plain == []


def test_no_timestamp_takes_now_from_the_database_server(app):
    """Python's clock (riskctl.core.clock) is the only one, so tests can move it."""
    from_server = [
        f"{table.name}.{column.name}"
        for table in db.metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type, UTCDateTime)
        and (column.server_default is not None or column.server_onupdate is not None)
    ]
    assert from_server == []


def test_a_moment_comes_back_aware_in_utc(app):
    at = datetime(2026, 12, 4, 1, 35, 9, 123456, tzinfo=BEIJING)
    key = _setting(at).key
    db.session.expire_all()
    back = db.session.scalar(select(Setting.updated_at).where(Setting.key == key))
    assert back == at
    assert back.tzinfo is not None and back.utcoffset() == timedelta(0)
    assert back == datetime(2026, 12, 3, 17, 35, 9, 123456, tzinfo=UTC)


def test_comparisons_and_aggregates_are_aware_too(app):
    early = _setting(datetime(2026, 12, 3, 15, 59, tzinfo=UTC)).key
    _setting(datetime(2026, 12, 3, 16, 1, tzinfo=UTC))
    midnight_beijing = datetime(2026, 12, 4, 0, 0, tzinfo=BEIJING)
    before = db.session.scalars(
        select(Setting.key).where(Setting.updated_at < midnight_beijing)
    ).all()
    assert before == [early]
    latest = db.session.scalar(select(db.func.max(Setting.updated_at)))
    assert latest == datetime(2026, 12, 3, 16, 1, tzinfo=UTC) and latest.tzinfo is not None


def test_sqlite_stores_the_utc_wall_clock(app, is_postgres):
    if is_postgres:
        pytest.skip("PostgreSQL keeps timestamptz itself")
    key = _setting(datetime(2026, 12, 4, 1, 35, tzinfo=BEIJING)).key
    raw = db.session.execute(
        text("SELECT updated_at FROM settings WHERE key = :k"), {"k": key}
    ).scalar()
    assert raw.startswith("2026-12-03 17:35:00")


def test_a_naive_moment_is_refused(app):
    db.session.add(
        Setting(key="test.naive", value="1", updated_by="test", updated_at=datetime(2026, 1, 1))  # noqa: DTZ001
    )
    with pytest.raises(Exception, match="naive"):
        db.session.flush()
    db.session.rollback()


def test_the_servers_tz_does_not_change_what_is_stored_or_read(app, monkeypatch):
    at = datetime(2026, 12, 3, 17, 30, tzinfo=UTC)
    try:
        monkeypatch.setenv("TZ", "America/New_York")
        time.tzset()
        key = _setting(at).key
        db.session.expire_all()
        back = db.session.scalar(select(Setting.updated_at).where(Setting.key == key))
    finally:
        monkeypatch.undo()
        time.tzset()
    assert back == at and back.utcoffset() == timedelta(0)


def test_the_audit_log_reads_aware_times(app, bureau):
    entry = db.session.scalars(select(AuditEntry).order_by(AuditEntry.seq)).first()
    assert entry is not None and entry.at.utcoffset() == timedelta(0)
