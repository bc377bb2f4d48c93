"""The audit chain: appended in the caller's transaction, verifiable, tamper-evident."""

from __future__ import annotations

import multiprocessing

import pytest
from sqlalchemy import func, select, text

from riskctl.core import audit
from riskctl.core.audit import AuditEntry, verify_chain
from riskctl.core.audit.chain import GENESIS
from riskctl.core.db import db
from tests.conftest import worker_context


def _append(n: int) -> None:
    for i in range(n):
        audit.record("test.write", "thing", i, {"i": i}, actor="tester")
    db.session.commit()


def test_entries_link_each_to_the_previous_one():
    _append(3)
    entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.seq)).all()
    assert [e.seq for e in entries] == [1, 2, 3]
    assert entries[0].prev_hash == GENESIS
    assert entries[1].prev_hash == entries[0].hash
    assert entries[2].prev_hash == entries[1].hash
    assert verify_chain() == (3, None)


def test_a_rolled_back_change_leaves_no_entry():
    _append(1)
    audit.record("test.write", "thing", "x", {"will": "vanish"}, actor="tester")
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 1
    _append(1)  # the chain continues from the committed tail, not the rolled-back one
    assert verify_chain() == (2, None)


def test_an_edited_row_is_named_by_verify(app):
    _append(5)
    db.session.execute(
        text("UPDATE audit_entries SET summary = :s WHERE seq = 3"), {"s": '{"i":99}'}
    )
    db.session.commit()
    count, broken = verify_chain()
    assert count == 2 and broken.seq == 3
    assert "被改动" in broken.reason

    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "第 3 条" in result.output


def test_a_deleted_row_is_named_by_verify(app):
    _append(4)
    db.session.execute(text("DELETE FROM audit_entries WHERE seq = 2"))
    db.session.commit()
    count, broken = verify_chain()
    assert (count, broken.seq) == (1, 3)
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 1 and "第 3 条" in result.output


def test_verify_command_reports_an_intact_chain(app):
    _append(2)
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 0
    assert "共 2 条" in result.output


def _worker(url: str, n: int, barrier) -> None:
    from riskctl import create_app

    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "x", "PII_KEY": "y", "ENV": "testing"}
    )
    with app.app_context():
        barrier.wait()
        for i in range(n):
            audit.record(
                "test.parallel",
                "thing",
                i,
                {"pid": multiprocessing.current_process().name},
                actor="worker",
            )
            db.session.commit()


@pytest.mark.postgres_only
def test_parallel_writers_never_fork_the_chain(database_url, is_postgres):
    if not is_postgres:
        pytest.skip("SQLite serialises writers itself; the advisory lock is PostgreSQL's")
    ctx = worker_context()
    barrier = ctx.Barrier(4)
    workers = [ctx.Process(target=_worker, args=(database_url, 25, barrier)) for _ in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(120)
    assert [w.exitcode for w in workers] == [0, 0, 0, 0]
    assert verify_chain() == (100, None)
