"""A pooled PostgreSQL connection is checked before use only after it sat idle.

SQLAlchemy's ``pool_pre_ping`` checks every connection at every checkout: on psycopg
that is a ``BEGIN`` and a ``SELECT 1``, two round trips on top of a request that may
need only one (its token read, ``core.direct.before_transaction``). A connection given back
moments ago by the previous request is as alive as a check would find it; the ones
that die unseen are those left idle (a server restart, a firewall's idle timeout).
So a connection idle for longer than DB_CHECK_IDLE_SECONDS (RISKCTL_DB_CHECK_IDLE_SECONDS,
10 by default; 0 checks at every checkout, as ``pool_pre_ping`` would) is checked with
``SELECT 1`` at checkout, and one that fails is replaced before the request sees it
(SQLAlchemy's documented "custom pessimistic" pattern: the pool retries on
``DisconnectionError``). A server that goes away under connections used within the
window fails the next statement on each instead; SQLAlchemy then invalidates the pool,
so every older connection is replaced at its next checkout.

SQLite needs none of this (a file, no server to lose).
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import event, exc
from sqlalchemy.engine import Engine

IDLE_SINCE = "riskctl_idle_since"
CHECKS = "riskctl_checks"


def install(engine: Engine, idle_seconds: float) -> None:
    """Check ``engine``'s connections at checkout once idle for ``idle_seconds`` (the
    listeners sit on the engine, so a pool recreated by ``dispose()`` keeps them)."""
    if engine.dialect.name == "sqlite" or getattr(engine, "_riskctl_checked", False):
        return
    engine._riskctl_checked = True  # type: ignore[attr-defined]

    def checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get(IDLE_SINCE)
        if idle_seconds > 0 and since is not None and time.monotonic() - since < idle_seconds:
            return
        check(dbapi_connection, record)

    event.listen(engine, "connect", _fresh)
    event.listen(engine, "checkin", _fresh)
    event.listen(engine, "checkout", checkout)


def _fresh(_dbapi_connection: Any, record: Any) -> None:
    if record is not None:
        record.info[IDLE_SINCE] = time.monotonic()


def check(dbapi_connection: Any, record: Any) -> None:
    """``SELECT 1`` on the connection, outside any transaction (psycopg's autocommit: one
    round trip, and the request's first statement may still run before its transaction
    begins, ``core.direct.before_transaction``); a failure makes the pool replace it."""
    record.info[CHECKS] = record.info.get(CHECKS, 0) + 1
    try:
        dbapi_connection.autocommit = True
        try:
            cursor = dbapi_connection.cursor()
            try:
                cursor.execute("SELECT 1")
            finally:
                cursor.close()
        finally:
            dbapi_connection.autocommit = False
    except Exception as error:  # the driver's error, whatever its class: replace it
        raise exc.DisconnectionError(f"a pooled connection failed its check: {error}") from error
