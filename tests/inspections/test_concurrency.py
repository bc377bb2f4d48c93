"""Two requests at the same moment on PostgreSQL: a plan is locked once and drawn once."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from riskctl.core.audit import verify_chain
from riskctl.core.db import db
from riskctl.draws.models import Draw, DrawManifest
from riskctl.inspections.models import Task
from tests.conftest import worker_context
from tests.inspections.conftest import ENTROPY, SOURCE, create_plan

WORKERS = 4


def _post(url: str, token: str, path: str, body: dict | None, barrier, results) -> None:
    from riskctl import create_app

    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "x", "PII_KEY": "y", "ENV": "testing"}
    )
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    with app.app_context():
        barrier.wait()
        response = client.post(path, json=body, headers=headers)
        results.put(response.status_code)


def _race(database_url: str, token: str, path: str, body: dict | None) -> list[int]:
    ctx = worker_context()
    barrier, results = ctx.Barrier(WORKERS), ctx.Queue()
    workers = [
        ctx.Process(target=_post, args=(database_url, token, path, body, barrier, results))
        for _ in range(WORKERS)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(180)
    assert [w.exitcode for w in workers] == [0] * WORKERS
    return sorted(results.get(timeout=5) for _ in workers)


@pytest.mark.postgres_only
def test_parallel_lock_and_draw_requests_succeed_once(database_url, is_postgres, roster, api):
    if not is_postgres:
        pytest.skip(
            "SQLite serialises writers itself; the row lock and unique keys are PostgreSQL's"
        )
    token = roster.tokens["legal"]
    create_plan(api("legal"))
    path = "/api/v1/inspection/plans/SJ-T-01"
    assert _race(database_url, token, f"{path}/lock", None) == [200, 409, 409, 409]
    body = {"entropy": ENTROPY, "entropy_source": SOURCE}
    assert _race(database_url, token, f"{path}/draw", body) == [201, 409, 409, 409]
    db.session.expire_all()
    assert db.session.scalar(select(func.count(DrawManifest.id))) == 1
    assert db.session.scalar(select(func.count(Draw.id))) == 1
    assert db.session.scalar(select(func.count(Task.id))) == 15
    assert verify_chain()[1] is None
