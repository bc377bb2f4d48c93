"""Life steps racing each other: of two people closing one warning at the same moment,
exactly one succeeds; the other is told it is already closed."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from riskctl.core.audit import AuditEntry, verify_chain
from riskctl.core.db import db
from riskctl.core.errors import Conflict
from riskctl.warnings import operations
from riskctl.warnings.models import Warning
from tests.conftest import worker_context
from tests.factories.warnings import make_warning


def _close_worker(url: str, warning_id: int, barrier, results) -> None:
    from riskctl import create_app
    from riskctl.accounts.queries import user_by_username

    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "x", "PII_KEY": "y", "ENV": "testing"}
    )
    with app.app_context():
        warning = db.session.get(Warning, warning_id)
        actor = user_by_username("discipline")
        barrier.wait()
        try:
            operations.close(warning, "整改到位", actor)
            db.session.commit()
            results.put("closed")
        except Conflict as exc:
            db.session.rollback()
            results.put(exc.message)


@pytest.mark.postgres_only
def test_two_people_closing_one_warning_at_once_close_it_once(database_url, is_postgres, bureau):
    if not is_postgres:
        pytest.skip("SQLite serialises writers itself; the race needs PostgreSQL's concurrency")
    warning = make_warning(bureau, status="handled")
    ctx = worker_context()
    barrier, results = ctx.Barrier(3), ctx.Queue()
    workers = [
        ctx.Process(target=_close_worker, args=(database_url, warning.id, barrier, results))
        for _ in range(3)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
    outcomes = sorted(results.get(timeout=5) for _ in workers)
    assert outcomes.count("closed") == 1
    assert all("不能重复关闭" in o for o in outcomes if o != "closed")
    closes = db.session.scalar(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "warning.close")
    )
    assert closes == 1 and verify_chain()[1] is None


def test_a_step_on_a_stale_copy_is_refused_with_the_state_now_in_force(bureau):
    warning = make_warning(bureau, status="handled")
    stale = db.session.get(Warning, warning.id)
    db.session.execute(
        Warning.__table__.update().values(
            status="closed",
            closing_note="他人已关闭",
            closed_by="jiwei",
            closed_at=warning.raised_at,
        )
    )
    with pytest.raises(Conflict, match="由 jiwei 关闭，不能重复关闭"):
        operations.close(stale, "再关一次", bureau.users["discipline"])
    db.session.rollback()
