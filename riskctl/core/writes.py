"""Every write moves the data version (``core.stamps``, row 2), mechanically.

A connection "wrote" once any statement that is not a read went through it: the
engine's ``before_cursor_execute`` sees every statement SQLAlchemy sends (ORM flushes,
Core statements, ``exec_driver_sql``), an INSERT / UPDATE / DELETE by its compiled kind,
text by its first word (anything but a read counts). Code that writes through the
driver's own connection (COPY, a driver ``executemany``: ``inspections/bulk.py``) calls
:func:`mark` on the SQLAlchemy connection it came from.

When a connection that wrote commits (a request's session, a CLI command, a job, a
test factory, a rate-limit counter on its own connection — every commit goes through
the engine's ``commit`` event), the data version gets a new random value in that same
transaction, just before it ends: one driver statement, late, so writers hold the
row's lock only for their commit (they already take turns on the audit chain's lock).
On SQLite the driver's count of changed rows (``total_changes``) is a second check: a
transaction whose count moved bumps even unmarked. A rollback forgets the mark. A
request that wrote, on any connection, remembers it in ``g`` (:func:`request_wrote`),
so nothing it answered is kept by the list cache.

Nobody bumps the data version by hand (tests/core/test_listcache.py writes by every
path: the API, another worker, the driver's bulk path, a factory, a CLI command).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from flask import Flask, g, has_request_context
from sqlalchemy import event, inspect, update
from sqlalchemy.engine import Connection, Engine

from riskctl.core.db import db
from riskctl.core.stamps import DATA_ROW, Stamp

_WROTE = "riskctl_wrote"
_CHANGES_AT = "riskctl_total_changes"
# Commits that must not make a version (within :func:`quiet`).
_QUIET: ContextVar[bool] = ContextVar("riskctl_writes_quiet", default=False)
_IN_G = "riskctl_request_wrote"
# First words of statements that change no data: reads, transaction control, settings.
_READS = frozenset(
    {"SELECT", "PRAGMA", "SHOW", "SET", "EXPLAIN", "BEGIN", "START", "SAVEPOINT", "RELEASE",
     "ROLLBACK", "COMMIT", "END", "VALUES", "LISTEN", "RESET", "DISCARD"}
)  # fmt: skip
_FIRST_WORD = re.compile(r"\s*\(*\s*([A-Za-z]+)")
_CHANGES = re.compile(r"\b(INSERT|UPDATE|DELETE|MERGE|TRUNCATE)\b", re.IGNORECASE)


def mark(connection: Connection) -> None:
    """``connection`` (SQLAlchemy's) wrote through its driver connection."""
    connection.info[_WROTE] = True
    _wrote_in_request()


def wrote(connection: Connection) -> bool:
    return bool(connection.info.get(_WROTE))


def unwritten(connection: Connection) -> bool:
    """Whether nothing was written through ``connection`` since its transaction began:
    no statement marked it and, on SQLite, the driver counted no changed row (what
    :func:`_on_commit` asks before it moves the version)."""
    info = connection.info
    if info.get(_WROTE):
        return False
    changes_at = info.get(_CHANGES_AT)
    return changes_at is None or connection.connection.dbapi_connection.total_changes == changes_at


def _wrote_in_request() -> None:
    if has_request_context():
        setattr(g, _IN_G, True)


def request_wrote() -> bool:
    """Whether this request wrote: any statement that writes, on any connection, since
    the request began (kept in ``g``), or a change waiting in the session."""
    if g.get(_IN_G):
        return True
    if not db.session.registry.has():
        return False
    session = db.session()
    return bool(session.new or session.dirty or session.deleted)


def is_write(statement: str) -> bool:
    """Whether text SQL changes data (its first word; a WITH by the verbs it holds)."""
    first = _FIRST_WORD.match(statement)
    if first is None:
        return True
    word = first.group(1).upper()
    if word == "WITH":
        return bool(_CHANGES.search(statement))
    return word not in _READS


def _before_cursor_execute(conn, _cursor, statement, _params, context, _many) -> None:
    if (context is not None and (context.isinsert or context.isupdate or context.isdelete)) or (
        not statement.startswith("SELECT") and is_write(statement)
    ):
        conn.info[_WROTE] = True
        _wrote_in_request()


def _bump_sql() -> str:
    version = secrets.randbits(62) + 1
    return (
        f"INSERT INTO {Stamp.__tablename__} (id, version) VALUES ({DATA_ROW}, {version}) "
        "ON CONFLICT (id) DO UPDATE SET version = excluded.version"
    )


def _begin_sqlite(conn: Connection) -> None:
    conn.info[_CHANGES_AT] = conn.connection.dbapi_connection.total_changes


def _on_commit(conn: Connection) -> None:
    info = conn.info
    driver = conn.connection.dbapi_connection
    wrote = info.pop(_WROTE, False)
    changes_at = info.pop(_CHANGES_AT, None)
    if not wrote and changes_at is not None:
        # SQLite counts the rows changed on its connection: a write that went by every
        # statement event (the driver's own, unmarked) still moves the version.
        wrote = driver.total_changes != changes_at
    if not wrote or _QUIET.get():
        return
    # The driver's own cursor: no statement event runs within the commit event.
    cursor = driver.cursor()
    try:
        cursor.execute(_bump_sql())
    finally:
        cursor.close()
    _wrote_in_request()


@contextmanager
def quiet() -> Iterator[None]:
    """Commits within make no new version: a migration (its steps may run before the
    table exists; :func:`move_existing` after them), the tests' emptying of the database
    (an empty database holds no version: nothing is cached until the next write)."""
    token = _QUIET.set(True)
    try:
        yield
    finally:
        _QUIET.reset(token)


def move_existing(connection: Connection) -> None:
    """A new data version if its row exists (a migration, after its last step)."""
    if inspect(connection).has_table(Stamp.__tablename__):
        connection.execute(
            update(Stamp).where(Stamp.id == DATA_ROW).values(version=secrets.randbits(62) + 1)
        )


def _forget(conn: Connection) -> None:
    if conn.invalidated:
        # A lost connection: its record is discarded (``_checkin`` forgets the marks), and
        # ``conn.info`` would raise here, inside the rollback that ends the request.
        return
    conn.info.pop(_WROTE, None)
    conn.info.pop(_CHANGES_AT, None)


def _checkin(_dbapi_connection: Any, record: Any) -> None:
    if record is not None:
        record.info.pop(_WROTE, None)
        record.info.pop(_CHANGES_AT, None)


def watch(engine: Engine) -> None:
    """Mark and bump on ``engine`` (once per engine)."""
    if event.contains(engine, "commit", _on_commit):
        return
    event.listen(engine, "before_cursor_execute", _before_cursor_execute)
    event.listen(engine, "commit", _on_commit)
    event.listen(engine, "rollback", _forget)
    event.listen(engine, "checkin", _checkin)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "begin", _begin_sqlite)


def install(app: Flask) -> None:
    with app.app_context():
        watch(db.engine)
