"""Test fixtures: a real database built by ``upgrade head``, cleaned after every test.

SQLite by default (a real file); PostgreSQL when RISKCTL_TEST_DATABASE_URL names a
server: a fresh database is created for the run and dropped afterwards.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from flask import Flask, g
from flask_migrate import upgrade
from sqlalchemy import inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from riskctl import MODULES, create_app
from riskctl.accounts.models import Unit, User
from riskctl.core import clock
from riskctl.core.db import db
from tests.demo_data import FILE_ROOTS, Copy, restore, take
from tests.factories import PASSWORD, ApiClient, Bureau, make_bureau

PG_ENV = "RISKCTL_TEST_DATABASE_URL"
# The storage backend of the whole run (tests of the layer itself run on both).
STORAGE_ENV = "RISKCTL_TEST_STORAGE"
TEST_PASSWORD_HASH = "pbkdf2:sha256:1"
TEST_AUDIT_KEY = "test-audit-key"
# Through the environment, not an override: apps that tests start in spawned worker
# processes (concurrency tests) must sign the audit chain with the same key.
os.environ.setdefault("RISKCTL_AUDIT_KEY", TEST_AUDIT_KEY)

# Moments at which a day is cut differently in UTC and in Beijing (UTC+8). The
# date-sensitive tests run at each: a server whose clock is UTC must still count
# the bureau's days.
INSTANTS = {
    # 11:00 in Beijing, the same date as in UTC.
    "0300utc": datetime(2026, 12, 3, 3, 0, tzinfo=UTC),
    # 00:30 in Beijing on 12-04 while UTC still says 12-03.
    "1630utc": datetime(2026, 12, 3, 16, 30, tzinfo=UTC),
    # 23:59 in Beijing on the last day of a quarter (2026-12-31, Q4).
    "quarter_end_2359_beijing": datetime(2026, 12, 31, 15, 59, tzinfo=UTC),
}


# The longest tests, started first (the rest keep their order): with ``--dist worksteal``
# (``make test``) the other worker runs the rest of the suite meanwhile and takes work
# from this one's queue, instead of one long test starting last and running alone.
LONG_FIRST = (
    "tests/test_api_fuzz.py::test_schemathesis_finds_no_failure",
    "tests/web/test_daily_flows.py",
    "tests/test_hostile_sweep.py",
    "tests/leniency/test_concurrency.py",
    "tests/inspections/test_concurrency.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        return next(
            (n for n, long in enumerate(LONG_FIRST) if item.nodeid.startswith(long)),
            len(LONG_FIRST),
        )

    items.sort(key=rank)


def _fresh_postgres(base_url: str) -> tuple[str, callable]:
    import psycopg

    url = make_url(base_url)
    name = f"riskctl_test_{uuid.uuid4().hex[:10]}"
    admin = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
        # A throwaway database: a commit need not wait for its WAL to reach the disk
        # (~4 ms each here). Every connection to it, the worker processes' too, gets it;
        # locks, isolation and crash behaviour of the server are unchanged.
        conn.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off')

    def drop() -> None:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return url.set(database=name).render_as_string(hide_password=False), drop


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> Iterator[str]:
    base = os.environ.get(PG_ENV)
    if base:
        url, drop = _fresh_postgres(base)
        yield url
        drop()
    else:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'riskctl-test.sqlite3'}"


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory) -> Flask:
    base = tmp_path_factory.mktemp("instance")
    app = create_app(
        {
            "TESTING": True,
            "ENV": "testing",
            "INSTANCE_PATH": str(base),
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": "test-secret",
            "PII_KEY": "test-pii-key",
            "REPORTS_DIR": str(base / "reports"),
            "ATTACHMENTS_DIR": str(base / "attachments"),
            "STORAGE": os.environ.get(STORAGE_ENV, "filesystem"),
            # scrypt is most of the suite's CPU; production refuses anything but scrypt.
            "PASSWORD_HASH_METHOD": TEST_PASSWORD_HASH,
        }
    )
    # Each test holds one app context, and a request made inside it shares its g; a
    # server gives every request a fresh one. Start each request with an empty g, so
    # that no previous request's user, CSRF token or cache leaks into the next.
    app.before_request_funcs.setdefault(None, []).insert(0, _fresh_g)
    with app.app_context():
        upgrade()
    return app


def _fresh_g() -> None:
    vars(g).clear()


def filled_tables(conn) -> set[str]:
    """The tables that hold at least one row, found by one query."""
    tables = [t.name for t in db.metadata.sorted_tables]
    query = " UNION ALL ".join(f"SELECT '{t}' WHERE EXISTS (SELECT 1 FROM \"{t}\")" for t in tables)
    return set(conn.exec_driver_sql(query).scalars())


def _clean(app: Flask) -> None:
    """Empty every table a test filled, and start the ids again from 1.

    One query finds the tables that hold rows, whoever wrote them (this process, a live
    server's threads, a concurrency test's worker processes); only those are emptied
    (DELETE, children first). PostgreSQL restarts only the sequences that were used: a
    TRUNCATE of all tables rewrites each table's files and was most of a small test's
    time; it remains the fallback should a delete ever be refused.
    """
    _in_force.clear()
    with app.app_context():
        db.session.remove()
        tables = [t.name for t in reversed(db.metadata.sorted_tables)]
        with db.engine.begin() as conn:
            filled = filled_tables(conn)
            deletes = [f'DELETE FROM "{t}"' for t in tables if t in filled]
            if conn.dialect.name == "postgresql":
                try:
                    with conn.begin_nested():
                        if deletes:
                            conn.exec_driver_sql("; ".join(deletes))
                except DBAPIError:
                    conn.exec_driver_sql(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
                    return
                used = conn.execute(
                    text(
                        "SELECT schemaname, sequencename FROM pg_sequences"
                        " WHERE last_value IS NOT NULL"
                    )
                ).all()
                if used:
                    conn.exec_driver_sql(
                        "; ".join(f'ALTER SEQUENCE "{s}"."{n}" RESTART' for s, n in used)
                    )
            else:
                for delete in deletes:
                    conn.exec_driver_sql(delete)
                if conn.execute(
                    text("SELECT name FROM sqlite_master WHERE name='sqlite_sequence'")
                ).first():
                    conn.execute(text("DELETE FROM sqlite_sequence"))


@pytest.fixture(autouse=True)
def app_context(app) -> Iterator[None]:
    ctx = app.app_context()
    ctx.push()
    try:
        yield
    finally:
        db.session.remove()
        ctx.pop()
        _clean(app)


@pytest.fixture(params=list(INSTANTS.values()), ids=list(INSTANTS))
def instant(request, time_machine) -> datetime:
    """Run the test at each of ``INSTANTS`` (the clock ticks on from there).

    Request it before any fixture that writes (``pytestmark = pytest.mark.usefixtures(
    "instant")``), so that tokens, sessions and records are all made in the moved time.
    Only Python's clock moves: nothing may take "now" from the database server.
    """
    time_machine.move_to(request.param, tick=True)
    return request.param


@pytest.fixture
def travel(time_machine) -> Callable[[datetime], None]:
    """``travel(moment)``: move Python's clock to ``moment`` for the rest of the test."""

    def to(moment: datetime) -> None:
        time_machine.move_to(moment, tick=True)

    return to


def worker_context():
    """The multiprocessing context of the concurrency tests' worker processes.

    A fork server that has imported the app once and built one app (``create_app``
    imports a thousand more modules: pandas, openpyxl, reportlab...): each worker is
    still a fresh process with its own app and connections (nothing of the test's
    process is inherited), but it starts in milliseconds instead of importing the whole
    app again as ``spawn`` does (that import was most of each concurrency test's time).
    """
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["tests.conftest", *MODULES, "tests.forkserver_app"])
    return ctx


def continue_clock(moment: datetime) -> None:
    """In a spawned worker process: go on from the parent's (possibly moved) ``clock.now()``.

    time-machine moves the clock of one process only; a worker started with
    ``multiprocessing`` would otherwise count the machine's own day.
    """
    time_machine.travel(moment, tick=True).start()


@pytest.fixture
def is_postgres(database_url) -> bool:
    return database_url.startswith("postgresql")


@pytest.fixture(params=["filesystem", "database"])
def storage_backend(app, request, monkeypatch) -> str:
    """Run the test once on each storage backend."""
    monkeypatch.setitem(app.config, "STORAGE", request.param)
    return request.param


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def bureau(app, request) -> Bureau:
    """A small bureau: units 局 → 纪委/法制科/支队 → 中队 and one user per role.

    Built through the operations (audited) the first time in a worker; later tests get
    a copy of those rows written back (same ids, tokens and audit chain) when the
    database is empty and the clock reads the same day as when the copy was made, and
    not an earlier moment: a test whose clock was moved (``instant``) to just before
    the copy's moment goes on from that moment, as if it had built the bureau itself;
    otherwise the bureau is built again.
    """
    copy = _bureau_copy.get(clock.today())
    with db.engine.connect() as conn:
        empty = not filled_tables(conn)
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
    _clean(app)
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


@pytest.fixture
def api(app, bureau):
    """``api("legal")`` → a client that sends that role's bearer token."""

    def for_role(role: str) -> ApiClient:
        return ApiClient(app.test_client(), bureau.tokens[role])

    return for_role


@pytest.fixture
def login(app, bureau):
    """``login("legal")`` → a new browser-like client signed in through the login page."""

    def sign_in(username: str):
        client = app.test_client()
        response = client.post(
            "/login",
            data={"username": username, "password": PASSWORD, "csrf_token": csrf_token(client)},
        )
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return client

    return sign_in


def csrf_token(client) -> str:
    """The CSRF token of the client's session, read from a page as a browser would."""
    page = client.get("/login").get_data(as_text=True)
    match = re.search(r'name="csrf-token" content="([^"]+)"', page)
    assert match, "no CSRF token on the page"
    return match.group(1)
