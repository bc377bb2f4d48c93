"""Two people editing the same point at once (PostgreSQL: row lock + unique version number)."""

import threading

import pytest
from sqlalchemy import select

from riskctl.core.db import db
from riskctl.risks.models import RiskPoint, RiskPointVersion
from tests.factories import ApiClient
from tests.risks.conftest import make_point


def _patch_together(app, token, point_id, bodies):
    """Send the PATCHes from threads released at the same moment; return their statuses."""
    barrier = threading.Barrier(len(bodies))
    statuses = [None] * len(bodies)

    def send(index, body):
        client = ApiClient(app.test_client(), token)
        barrier.wait()
        statuses[index] = client.patch(f"/api/v1/risk-points/{point_id}", json=body).status_code

    threads = [threading.Thread(target=send, args=(i, b)) for i, b in enumerate(bodies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return statuses


def _numbers(point_id):
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(RiskPointVersion.number)
            .where(RiskPointVersion.point_id == point_id)
            .order_by(RiskPointVersion.number)
        )
    )


@pytest.mark.postgres_only
def test_two_edits_of_the_same_version_save_one_and_refuse_the_other(app, bureau, is_postgres):
    if not is_postgres:
        pytest.skip("SQLite serialises writers itself; the row lock is PostgreSQL's")
    for round_ in range(5):
        point = make_point(title=f"并发 {round_}")
        statuses = _patch_together(
            app,
            bureau.tokens["discipline"],
            point.id,
            [
                {"responsible": "甲", "reason": "甲改", "version": 1},
                {"responsible": "乙", "reason": "乙改", "version": 1},
            ],
        )
        assert sorted(statuses) == [200, 409]
        assert _numbers(point.id) == [1, 2]


@pytest.mark.postgres_only
def test_edits_without_a_version_queue_up_and_none_is_lost(app, bureau, is_postgres):
    if not is_postgres:
        pytest.skip("SQLite serialises writers itself; the row lock is PostgreSQL's")
    point = make_point()
    statuses = _patch_together(
        app,
        bureau.tokens["discipline"],
        point.id,
        [{"indicator": f"指标 {n}", "reason": f"第 {n} 次修改"} for n in range(4)],
    )
    assert statuses == [200] * 4
    assert _numbers(point.id) == [1, 2, 3, 4, 5]
    assert db.session.get(RiskPoint, point.id).version == 5
