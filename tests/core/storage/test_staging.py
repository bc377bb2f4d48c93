"""Import previews wait in the store: for the roles that confirm them, once, for a week,
on any host; listed while waiting, discarded with an audit entry."""

from __future__ import annotations

import json
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from riskctl.core.db import db
from riskctl.core.errors import NotFound
from riskctl.core.storage import staging
from riskctl.core.storage.models import StagedUpload


def test_a_preview_is_confirmed_once_by_its_user_for_its_purpose(bureau, storage_backend):
    legal, other = bureau.users["legal"], bureau.users["discipline"]
    token = staging.stage("roster:targets", b"code,name\n1,a\n", "../名录.csv", legal.id)
    db.session.commit()
    assert staging.fetch(token, "roster:targets", legal) == (b"code,name\n1,a\n", "名录.csv")
    for args in (
        (token, "roster:targets", other),
        (token, "roster:inspectors", legal),
        ("0" * 32, "roster:targets", legal),
        ("../../etc/passwd", "roster:targets", legal),
    ):
        with pytest.raises(NotFound):
            staging.fetch(*args)
    staging.consume(token, "roster:targets", legal)
    db.session.commit()
    with pytest.raises(NotFound):
        staging.fetch(token, "roster:targets", legal)


def test_a_preview_older_than_a_week_is_refused_and_no_longer_listed(bureau, storage_backend):
    legal = bureau.users["legal"]
    token = staging.stage("risk-register", b"x", "a.csv", legal.id)
    row = db.session.scalar(select(StagedUpload))
    row.created_at = row.created_at - staging.KEEP - timedelta(minutes=1)
    db.session.commit()
    with pytest.raises(NotFound) as caught:
        staging.fetch(token, "risk-register", legal)
    assert "已过期" in caught.value.message
    assert db.session.scalars(staging.waiting_query(bureau.users["discipline"])).all() == []


def test_a_preview_made_on_one_host_is_confirmed_on_another(app, bureau, another_app, tmp_path):
    """Two hosts share the database, not their disks: the database backend carries the file."""
    hosts = [another_app(name, STORAGE="database") for name in ("host-a", "host-b")]
    legal = SimpleNamespace(id=bureau.users["legal"].id, role="legal")
    db.session.remove()
    with hosts[0].app_context():
        token = staging.stage("leniency-items", b"PK\x03\x04 preview", "清单.xlsx", legal.id)
        db.session.commit()
    with hosts[1].app_context():
        assert staging.fetch(token, "leniency-items", legal) == (b"PK\x03\x04 preview", "清单.xlsx")
        db.session.remove()
    assert not (tmp_path / "host-b" / "attachments").exists()


def test_waiting_imports_are_listed_for_the_role_that_confirms_them(bureau, storage_backend):
    from riskctl.core.audit import AuditEntry
    from tests.factories import make_user

    legal, discipline = bureau.users["legal"], bureau.users["discipline"]
    colleague = make_user("fazhi_b", "legal", "FZK")
    roster = staging.stage("roster:targets", b"a", "名录.csv", legal.id, "新增 2")
    register = staging.stage("risk-register", b"b", "登记表.xlsx", discipline.id, "修改 1")
    db.session.commit()

    assert [s.token for s in db.session.scalars(staging.waiting_query(colleague))] == [roster]
    assert staging.waiting_count(colleague) == 1
    assert [s.token for s in db.session.scalars(staging.waiting_query(discipline))] == [register]
    # A colleague of the same office reopens and confirms it; another office cannot.
    assert staging.fetch(roster, "roster:targets", colleague) == (b"a", "名录.csv")
    with pytest.raises(NotFound):
        staging.fetch(register, "risk-register", colleague)

    staging.discard(roster, colleague)
    db.session.commit()
    assert db.session.scalars(staging.waiting_query(legal)).all() == []
    with pytest.raises(NotFound):
        staging.fetch(roster, "roster:targets", legal)
    with pytest.raises(NotFound):
        staging.discard(roster, legal)  # once
    with pytest.raises(NotFound):
        staging.discard(register, legal)  # not the legal office's to discard
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "import.discard"))
    assert entry.object_type == "staged_import"
    assert entry.actor == "fazhi_b"
    assert json.loads(entry.summary)["file"] == "名录.csv"
    assert json.loads(entry.summary)["label"] == "检查对象名录库"
    row = db.session.scalar(select(StagedUpload).where(StagedUpload.token == roster))
    assert row.discarded_at is not None and row.used_at is None  # kept, not deleted
