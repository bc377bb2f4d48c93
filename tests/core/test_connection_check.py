"""A pooled PostgreSQL connection is checked at checkout only after sitting idle
(riskctl/core/connection_check.py): a lost one is replaced before a request sees it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from sqlalchemy.pool import NullPool

from riskctl.core import connection_check
from riskctl.core.connection_check import CHECKS, IDLE_SINCE


@pytest.fixture
def pg_url(database_url, is_postgres) -> str:
    if not is_postgres:
        pytest.skip("PostgreSQL: SQLite has no server connection to lose")
    return database_url


@contextmanager
def _engine(url: str, idle: float) -> Iterator[Engine]:
    """One pooled connection, checked after ``idle`` seconds; disposed afterwards."""
    engine = create_engine(url, pool_size=1, max_overflow=0)
    connection_check.install(engine, idle)
    try:
        yield engine
    finally:
        engine.dispose()


def _pid(engine) -> int:
    with engine.connect() as connection:
        return connection.execute(text("SELECT pg_backend_pid()")).scalar_one()


def _kill(url: str, pid: int) -> None:
    other = create_engine(url, poolclass=NullPool)
    try:
        with other.connect() as connection:
            assert connection.execute(
                text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}
            ).scalar_one()
            connection.commit()
    finally:
        other.dispose()


def _record(engine):
    with engine.connect() as connection:
        return connection.connection._connection_record


def test_a_connection_used_moments_ago_is_not_checked(pg_url):
    with _engine(pg_url, idle=60) as engine:
        _pid(engine)
        for _ in range(5):
            _pid(engine)
        # A new connection is fresh, and each checkin restarts its idle time.
        assert _record(engine).info.get(CHECKS, 0) == 0


def test_an_idle_connection_is_checked_and_a_lost_one_replaced(pg_url):
    with _engine(pg_url, idle=60) as engine:
        first = _pid(engine)
        record = _record(engine)
        _kill(pg_url, first)
        record.info[IDLE_SINCE] -= 61  # it sat idle past the window
        second = _pid(engine)  # the check found it dead: a new connection answers
        assert second != first


def test_within_the_window_a_lost_connection_fails_its_next_statement_once(pg_url):
    """What the check saves an idle connection from (and the window's documented cost):
    unchecked, the lost connection fails; the pool then replaces it."""
    from sqlalchemy.exc import OperationalError

    with _engine(pg_url, idle=60) as engine:
        first = _pid(engine)
        _kill(pg_url, first)
        with pytest.raises(OperationalError):
            _pid(engine)
        assert _pid(engine) != first


def test_zero_checks_at_every_checkout(pg_url):
    with _engine(pg_url, idle=0) as engine:
        first = _pid(engine)
        _kill(pg_url, first)
        assert _pid(engine) != first  # checked at once, replaced, no error
        before = _record(engine).info.get(CHECKS, 0)
        _pid(engine)
        assert _record(engine).info.get(CHECKS, 0) == before + 2  # _record checks out too


def test_the_app_checks_its_postgresql_connections(app, pg_url):
    from riskctl.core.db import db

    assert db.engine._riskctl_checked
    assert "pool_pre_ping" not in app.config["SQLALCHEMY_ENGINE_OPTIONS"]
    assert app.config["DB_CHECK_IDLE_SECONDS"] == 10
