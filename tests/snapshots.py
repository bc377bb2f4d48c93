"""Copies of fixture data: a bureau or a seed is built once in a worker, then written back.

The database is emptied after every test (``clean``); building the bureau (audited
operations) or a module's seed again each time was most of a small test's time. The
first build's rows are copied (``tests.demo_data.take``) and later tests that start from
the same state get that copy written back: the same ids, tokens and audit chain.
``tests/conftest.py`` holds the fixtures (``bureau``, ``app_context``); modules call
``seed_once`` from their own fixtures.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import DBAPIError

from riskctl.accounts.models import Unit, User
from riskctl.core import clock, writes
from riskctl.core.db import db
from tests.demo_data import FILE_ROOTS, Copy, restore, take
from tests.factories import Bureau, make_bureau


def filled_tables(conn) -> set[str]:
    """The tables that hold at least one row, found by one query."""
    tables = [t.name for t in db.metadata.sorted_tables]
    query = " UNION ALL ".join(f"SELECT '{t}' WHERE EXISTS (SELECT 1 FROM \"{t}\")" for t in tables)
    return set(conn.exec_driver_sql(query).scalars())


def is_empty() -> bool:
    """Whether no table holds a row."""
    if db.engine.dialect.name == "postgresql":
        with _autocommit() as conn:
            return conn.exec_driver_sql("SELECT riskctl_test_empty()").scalar_one()
    with db.engine.connect() as conn:
        return not filled_tables(conn)


def clean(app: Flask) -> None:
    """Empty the database (:func:`_empty`); its commit makes no data version (nothing is
    cached until the next write makes one)."""
    with writes.quiet():
        _empty(app)


def _empty(app: Flask) -> None:
    """Empty every table a test filled, and start the ids again from 1.

    Only the tables that hold rows are emptied (DELETE, children first), whoever wrote
    them (this process, a live server's threads, a concurrency test's worker
    processes), and only the sequences that were used restart: a TRUNCATE of all
    tables rewrites each table's files and was most of a small test's time; it remains
    the fallback (PostgreSQL) should a delete ever be refused.
    """
    _in_force.clear()
    with app.app_context():
        db.session.remove()
        tables = [t.name for t in reversed(db.metadata.sorted_tables)]
        if db.engine.dialect.name == "postgresql":
            with _autocommit() as conn:
                try:
                    conn.exec_driver_sql("SELECT riskctl_test_clean()")
                except DBAPIError:
                    conn.exec_driver_sql(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
            return
        with db.engine.begin() as conn:
            filled = filled_tables(conn)
            for table in tables:
                if table in filled:
                    conn.exec_driver_sql(f'DELETE FROM "{table}"')
            if conn.execute(
                text("SELECT name FROM sqlite_master WHERE name='sqlite_sequence'")
            ).first():
                conn.execute(text("DELETE FROM sqlite_sequence"))


def install(app: Flask) -> None:
    """On PostgreSQL, create the test database's two helper functions (once per run).

    ``riskctl_test_clean()`` is ``clean`` in one call: it deletes the tables that hold
    rows, children first, and moves the used sequences back to their start
    (``setval(..., false)``: as ``ALTER SEQUENCE ... RESTART`` but without a new file
    for the sequence); ``riskctl_test_empty()`` says whether no table holds a row. A
    function keeps its plans in the connection: a clean of ~8 round trips (BEGIN, the
    query, SAVEPOINT, the deletes, ..., COMMIT) was ~10 ms of every test.
    """
    if db.engine.dialect.name != "postgresql":
        return
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    deletes = "".join(
        f'IF EXISTS (SELECT FROM "{t}") THEN DELETE FROM "{t}"; END IF;\n' for t in tables
    )
    empty = " AND ".join(f'NOT EXISTS (SELECT FROM "{t}")' for t in tables)
    with _autocommit() as conn:
        conn.exec_driver_sql(
            "CREATE FUNCTION riskctl_test_clean() RETURNS void LANGUAGE plpgsql AS $clean$ BEGIN\n"
            + deletes
            + "PERFORM setval(quote_ident(schemaname) || '.' || quote_ident(sequencename),"
            " start_value, false) FROM pg_sequences WHERE last_value IS NOT NULL;\n"
            "END $clean$"
        )
        conn.exec_driver_sql(
            "CREATE FUNCTION riskctl_test_empty() RETURNS boolean LANGUAGE plpgsql"
            f" AS $empty$ BEGIN RETURN {empty}; END $empty$"
        )


def _autocommit():
    """A connection that sends each statement in its own transaction: no BEGIN or COMMIT
    round trips around a single call."""
    return db.engine.execution_options(isolation_level="AUTOCOMMIT").connect()


def bureau(app: Flask, request: pytest.FixtureRequest) -> Bureau:
    """The ``bureau`` fixture's value: built through the operations (audited) the first
    time in a worker; later tests get a copy of those rows written back (same ids,
    tokens and audit chain) when the database is empty and the clock reads the same
    day as when the copy was made, and not an earlier moment: a test whose clock was
    moved (``instant``) to just before the copy's moment goes on from that moment, as
    if it had built the bureau itself; otherwise the bureau is built again.
    """
    copy = _bureau_copy.get(clock.today())
    empty = is_empty()
    moved = "time_machine" in request.fixturenames
    if copy and empty and moved and timedelta(0) < copy.made - clock.now() < BUILD_TIME:
        request.getfixturevalue("time_machine").move_to(copy.made, tick=True)
    if copy is None or not empty or clock.now() < copy.made or clock.today() != copy.day:
        built = make_bureau()
        if not empty:
            return built
        copy = BureauCopy(take(app, files=False), dict(built.tokens), clock.now(), clock.today())
        _bureau_copy[copy.day] = copy
    else:
        restore(copy.rows)
    _in_force["bureau"] = copy
    return _refreshed(Bureau(tokens=dict(copy.tokens)))


def _refreshed(bureau: Bureau) -> Bureau:
    """``bureau`` with its units and users loaded again (the session was removed)."""
    db.session.remove()
    bureau.units.update({u.code: u for u in db.session.scalars(select(Unit))})
    bureau.users.update({u.username: u for u in db.session.scalars(select(User))})
    return bureau


def seed_once(app, request, bureau: Bureau, name: str, build: Callable[[], Any]) -> Any:
    """``build()`` (it writes on top of ``bureau``) the first time; later, a copy of its rows.

    The copy is written back (after an emptying of the database) only when the database
    holds exactly the rows of the bureau copy it was built on, on the same day and not
    at an earlier moment (a moved clock goes on from the copy's moment, as for
    ``bureau``), and in the same storage backend. ``build`` returns a value whose ORM
    objects sit in dicts or dataclass fields (they are loaded again by primary key). A
    build that writes files is never copied.
    """
    base = _in_force.get("bureau")
    key = (name, clock.today(), app.config["STORAGE"])
    seeded = _seeded.get(key)
    untouched = base is not None and _counts() == base.counts
    moved = "time_machine" in request.fixturenames
    ahead = seeded is not None and timedelta(0) < seeded.made - clock.now() < BUILD_TIME
    if seeded and seeded.base is base and untouched and moved and ahead:
        request.getfixturevalue("time_machine").move_to(seeded.made, tick=True)
    if (
        seeded is None
        or seeded.base is not base
        or not untouched
        or clock.now() < seeded.made
        or clock.today() != key[1]
    ):
        files = _stored_files(app)
        value = build()
        db.session.commit()
        if untouched and _stored_files(app) == files and clock.today() == key[1]:
            keys = _keys(value)
            _seeded[key] = Seeded(base, take(app, files=False), keys, clock.now())
            _refreshed(bureau)
            return _loaded(keys)
        return value
    db.session.remove()
    clean(app)
    restore(seeded.rows)
    _refreshed(bureau)
    return _loaded(seeded.value)


@dataclass(frozen=True)
class Seeded:
    base: BureauCopy  # the bureau copy it was built on
    rows: Copy
    value: Any  # build()'s value, its ORM objects as _Row
    made: datetime


@dataclass(frozen=True)
class _Row:
    model: type
    identity: tuple


_seeded: dict[tuple[str, date, str], Seeded] = {}
# The bureau copy the database holds since the last clean (seed_once builds on it).
_in_force: dict[str, BureauCopy] = {}


def _counts() -> dict[str, int]:
    """Every table's number of rows, by one query."""
    tables = [t.name for t in db.metadata.sorted_tables]
    query = "SELECT " + ", ".join(f'(SELECT count(*) FROM "{t}")' for t in tables)
    with db.engine.connect() as conn:
        return dict(zip(tables, conn.exec_driver_sql(query).one(), strict=True))


def _stored_files(app: Flask) -> dict[Path, tuple[int, int]]:
    return {
        path: (path.stat().st_size, path.stat().st_mtime_ns)
        for root in FILE_ROOTS
        for path in Path(app.config[root]).rglob("*")
        if path.is_file()
    }


def _keys(value: Any) -> Any:
    """``value`` with each ORM object replaced by its model and primary key."""
    if isinstance(value, dict):
        return {k: _keys(v) for k, v in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.replace(
            value, **{f.name: _keys(getattr(value, f.name)) for f in dataclasses.fields(value)}
        )
    state = inspect(value, raiseerr=False)
    if state is not None and getattr(state, "identity", None) is not None:
        return _Row(type(value), state.identity)
    return value


def _loaded(value: Any) -> Any:
    """``value`` with each ``_Row`` loaded again in the session."""
    if isinstance(value, _Row):
        return db.session.get(value.model, value.identity)
    if isinstance(value, dict):
        return {k: _loaded(v) for k, v in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.replace(
            value, **{f.name: _loaded(getattr(value, f.name)) for f in dataclasses.fields(value)}
        )
    return value


# Longer than building the bureau ever takes: a moved clock is only ever moved on by that.
BUILD_TIME = timedelta(seconds=5)


@dataclass(frozen=True)
class BureauCopy:
    rows: Copy
    tokens: dict[str, str]
    made: datetime  # clock.now() once the bureau was committed
    day: date  # clock.today() then

    @property
    def counts(self) -> dict[str, int]:
        return {name: len(rows) for name, rows in self.rows.rows.items()}


# The bureau of this worker, by the bureau's day it was made on (``instant`` gives three).
_bureau_copy: dict[date, BureauCopy] = {}
