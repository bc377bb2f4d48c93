"""Factories for warnings tests: overdue ledger items, warnings in any state, a signed-in client."""

from __future__ import annotations

from datetime import timedelta

import pytest

from riskctl.core import clock
from riskctl.core.db import db
from riskctl.rectification import operations as ledger
from riskctl.rectification.models import RectificationItem
from riskctl.warnings.models import Warning
from tests.conftest import csrf_token
from tests.factories import PASSWORD


def overdue_item(
    bureau,
    unit: str = "ZD1-1",
    *,
    ref: str = "PC-1",
    days: int = 3,
    title: str = "评查发现的文书问题未整改",
) -> RectificationItem:
    """An open ledger item whose deadline passed ``days`` calendar days ago (red)."""
    item = ledger.open_item(
        "review_finding", ref, title, bureau.units[unit].id, "张勇", 10, actor="legal"
    )
    item.deadline = clock.today() - timedelta(days=days)
    db.session.commit()
    return item


def make_warning(
    bureau,
    *,
    unit: str | None = "ZD1-1",
    rule: str = "rectification_overdue",
    subject: str = "unit:ZD1-1",
    colour: str = "red",
    status: str = "raised",
    title: str = "市容秩序第一中队有 1 项整改事项超期未销号",
    evidence: list | None = None,
) -> Warning:
    now = clock.now()
    warning = Warning(
        rule=rule,
        subject_key=subject,
        unit_id=bureau.units[unit].id if unit else None,
        colour=colour,
        title=title,
        status=status,
        raised_at=now,
        last_seen_at=now,
        evidence=evidence
        if evidence is not None
        else [
            {"label": "整改事项 1：文书问题", "kind": "rectification_item", "ref": "1", "args": {}}
        ],
        note="已约谈" if status in ("handled", "closed") else None,
        handled_at=now if status in ("handled", "closed") else None,
        closing_note="已整改" if status == "closed" else None,
        closed_at=now if status == "closed" else None,
        closed_by="discipline" if status == "closed" else None,
    )
    db.session.add(warning)
    db.session.commit()
    return warning


@pytest.fixture
def login(client, bureau):
    def sign_in(username: str):
        response = client.post(
            "/login",
            data={"username": username, "password": PASSWORD, "csrf_token": csrf_token(client)},
        )
        assert response.status_code == 302
        return client

    return sign_in
