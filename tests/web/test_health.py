from riskctl.core.db import db
from riskctl.web import views


def test_health_reports_the_database(client):
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


class _Clock:
    """The health probe's monotonic clock, moved by hand; no probe remembered yet."""

    def __init__(self, app, monkeypatch) -> None:
        self.now = 1000.0
        monkeypatch.setattr(views, "_monotonic", lambda: self.now)
        monkeypatch.delitem(app.extensions, "riskctl_health_until", raising=False)


def _database_down(monkeypatch) -> None:
    def refuse():
        raise OSError("connection refused")

    monkeypatch.setattr(db.engine, "raw_connection", refuse)


def test_health_answers_503_when_the_database_is_down(app, client, monkeypatch):
    _Clock(app, monkeypatch)
    _database_down(monkeypatch)
    response = client.get("/api/v1/health")
    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "database": "error"}


def test_health_reports_a_down_database_within_the_probe_interval(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "HEALTH_PROBE_SECONDS", 1)
    clock = _Clock(app, monkeypatch)
    up = db.engine.raw_connection
    assert client.get("/api/v1/health").status_code == 200  # probed: up
    _database_down(monkeypatch)
    clock.now += 0.5
    assert client.get("/api/v1/health").status_code == 200  # the probe of 0.5 s ago
    clock.now += 0.5
    response = client.get("/api/v1/health")  # the interval is over: probed again
    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "database": "error"}
    assert client.get("/api/v1/health").status_code == 503  # a failed probe is not reused
    monkeypatch.setattr(db.engine, "raw_connection", up)
    assert client.get("/api/v1/health").status_code == 200  # up again: seen at once


def test_health_with_interval_0_probes_every_call(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "HEALTH_PROBE_SECONDS", 0)
    _Clock(app, monkeypatch)
    assert client.get("/api/v1/health").status_code == 200
    _database_down(monkeypatch)  # at the same instant: only a new probe can tell
    assert client.get("/api/v1/health").status_code == 503
