"""Test fixtures: a real database built by ``upgrade head``, cleaned after every test.

SQLite by default (a real file); PostgreSQL when RISKCTL_TEST_DATABASE_URL names a
server: a fresh database is created for the run and dropped afterwards.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest
import time_machine
from flask import Flask, g
from flask_migrate import upgrade
from sqlalchemy.engine import make_url

from riskctl import MODULES, create_app
from riskctl.core.db import db
from tests import snapshots
from tests.factories import PASSWORD, ApiClient, Bureau

# The worker's Chromium (one per worker, a fresh context per test).
pytest_plugins = ("tests.browsers",)

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
        snapshots.install(app)
    return app


def _fresh_g() -> None:
    vars(g).clear()


@pytest.fixture(autouse=True)
def app_context(app) -> Iterator[None]:
    ctx = app.app_context()
    ctx.push()
    try:
        yield
    finally:
        db.session.remove()
        ctx.pop()
        snapshots.clean(app)


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
def another_app(app, tmp_path) -> Iterator[Callable[..., Flask]]:
    """``another_app("host-b", STORAGE="database")`` → a second instance of the service
    over the same database with the same keys: another worker or host. Its own instance,
    reports and attachments folders under ``tmp_path``; its engine disposed afterwards."""
    made: list[Flask] = []

    def make(name: str, **overrides) -> Flask:
        folder = tmp_path / name
        other = create_app(
            {
                "TESTING": True,
                "ENV": "testing",
                "INSTANCE_PATH": str(folder),
                "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                "SECRET_KEY": app.config["SECRET_KEY"],
                "PII_KEY": app.config["PII_KEY"],
                "REPORTS_DIR": str(folder / "reports"),
                "ATTACHMENTS_DIR": str(folder / "attachments"),
                "PASSWORD_HASH_METHOD": app.config["PASSWORD_HASH_METHOD"],
                **overrides,
            }
        )
        made.append(other)
        return other

    yield make
    for other in made:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def bureau(app, request) -> Bureau:
    """A small bureau: units 局 → 纪委/法制科/支队 → 中队 and one user per role.

    Built through the operations (audited) the first time in a worker, later written
    back from a copy (``tests/snapshots.py`` says when).
    """
    return snapshots.bureau(app, request)


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
