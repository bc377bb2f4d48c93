"""GET /api/v1/health: the body, a down database, and the probe's reuse window.

The database goes down for real: an app on a closed port, or on a SQLite file whose
folder is moved away (and the pool's open connections closed, as an outage would).
The clock is moved with time-machine; nothing sleeps.
"""

from __future__ import annotations

import socket
from datetime import UTC, datetime

import pytest

from riskctl import create_app
from riskctl.core.db import db
from riskctl.core.headers import HEADERS

UP = {"status": "ok", "database": "ok"}
DOWN = {"status": "error", "database": "error"}
START = datetime(2026, 12, 4, 2, 0, tzinfo=UTC)


def test_health_reports_the_database(client):
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.get_json() == UP
    assert response.data == b'{"database":"ok","status":"ok"}\n'  # what jsonify writes
    assert response.mimetype == "application/json"
    assert "Set-Cookie" not in response.headers
    for name, value in HEADERS.items():
        assert response.headers[name] == value


def _app_on(url: str, tmp_path, seconds: float):
    """An app on ``url``, probing at most once per ``seconds``."""
    return create_app(
        {
            "TESTING": True,
            "ENV": "testing",
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "s",
            "PII_KEY": "p",
            "HEALTH_PROBE_SECONDS": seconds,
        }
    )


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again when the block ends: nobody listens


@pytest.mark.parametrize("seconds", [0, 1])
def test_health_answers_503_when_the_database_is_unreachable(tmp_path, seconds):
    url = f"postgresql+psycopg://postgres@127.0.0.1:{_closed_port()}/none?connect_timeout=5"
    client = _app_on(url, tmp_path, seconds).test_client()
    for _ in range(2):  # a failed probe is not reused
        response = client.get("/api/v1/health")
        assert response.status_code == 503
        assert response.get_json() == DOWN
        assert response.headers["X-Frame-Options"] == "DENY"


class _Database:
    """A SQLite file that can be taken away (its folder moved) and brought back."""

    def __init__(self, tmp_path, seconds: float) -> None:
        self.home, self.away = tmp_path / "db", tmp_path / "db-away"
        self.home.mkdir()
        self.app = _app_on(f"sqlite:///{self.home / 'health.sqlite3'}", tmp_path, seconds)

    def down(self) -> None:
        self.home.rename(self.away)
        with self.app.app_context():
            db.engine.dispose()  # the connections it held are gone with it

    def up(self) -> None:
        self.away.rename(self.home)


def test_health_reuses_a_good_probe_within_the_interval_only(tmp_path, time_machine):
    time_machine.move_to(START, tick=False)
    database = _Database(tmp_path, 1)
    client = database.app.test_client()
    assert client.get("/api/v1/health").get_json() == UP  # probed: up
    database.down()
    time_machine.shift(0.5)
    response = client.get("/api/v1/health")  # the probe of 0.5 s ago
    assert (response.status_code, response.get_json()) == (200, UP)
    time_machine.shift(0.5)
    response = client.get("/api/v1/health")  # the interval is over: probed again
    assert (response.status_code, response.get_json()) == (503, DOWN)
    assert client.get("/api/v1/health").status_code == 503  # a failed probe is not reused
    database.up()
    assert client.get("/api/v1/health").status_code == 200  # up again: seen at once


def test_health_probes_again_when_the_clock_is_set_back(tmp_path, time_machine):
    time_machine.move_to(START, tick=False)
    database = _Database(tmp_path, 1)
    client = database.app.test_client()
    assert client.get("/api/v1/health").status_code == 200
    database.down()
    time_machine.shift(-3600)  # before the probe: it says nothing about now
    assert client.get("/api/v1/health").status_code == 503


def test_health_with_interval_0_probes_every_call(tmp_path, time_machine):
    time_machine.move_to(START, tick=False)
    database = _Database(tmp_path, 0)
    client = database.app.test_client()
    assert client.get("/api/v1/health").status_code == 200
    database.down()  # at the same instant: only a new probe can tell
    assert client.get("/api/v1/health").status_code == 503
    database.up()
    assert client.get("/api/v1/health").status_code == 200
