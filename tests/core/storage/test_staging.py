"""Import previews wait in the store: the user's own, once, for a day, on any host."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from riskctl import create_app
from riskctl.core.db import db
from riskctl.core.errors import NotFound
from riskctl.core.storage import staging
from riskctl.core.storage.models import StagedUpload


def test_a_preview_is_confirmed_once_by_its_user_for_its_purpose(bureau, storage_backend):
    legal, other = bureau.users["legal"].id, bureau.users["discipline"].id
    token = staging.stage("roster:targets", b"code,name\n1,a\n", "../名录.csv", legal)
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


def test_a_preview_older_than_a_day_is_refused(bureau, storage_backend):
    legal = bureau.users["legal"].id
    token = staging.stage("risk-register", b"x", "a.csv", legal)
    row = db.session.scalar(select(StagedUpload))
    row.created_at = row.created_at - staging.KEEP - timedelta(minutes=1)
    db.session.commit()
    with pytest.raises(NotFound) as caught:
        staging.fetch(token, "risk-register", legal)
    assert "已过期" in caught.value.message


def test_a_preview_made_on_one_host_is_confirmed_on_another(app, bureau, database_url, tmp_path):
    """Two hosts share the database, not their disks: the database backend carries the file."""
    hosts = [
        create_app(
            {
                "TESTING": True,
                "ENV": "testing",
                "INSTANCE_PATH": str(tmp_path / name),
                "SQLALCHEMY_DATABASE_URI": database_url,
                "SECRET_KEY": "test-secret",
                "PII_KEY": "test-pii-key",
                "REPORTS_DIR": str(tmp_path / name / "reports"),
                "ATTACHMENTS_DIR": str(tmp_path / name / "attachments"),
                "STORAGE": "database",
            }
        )
        for name in ("host-a", "host-b")
    ]
    legal = bureau.users["legal"].id
    db.session.remove()
    with hosts[0].app_context():
        token = staging.stage("leniency-items", b"PK\x03\x04 preview", "清单.xlsx", legal)
        db.session.commit()
    with hosts[1].app_context():
        assert staging.fetch(token, "leniency-items", legal) == (b"PK\x03\x04 preview", "清单.xlsx")
        db.session.remove()
    for host in hosts:
        with host.app_context():
            db.engine.dispose()
    assert not (tmp_path / "host-b" / "attachments").exists()
