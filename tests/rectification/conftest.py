"""Factories for ledger tests."""

from __future__ import annotations

from datetime import date

import pytest

from riskctl.core import clock
from riskctl.core.calendar import add_working_days
from riskctl.core.db import db
from riskctl.rectification import operations
from riskctl.rectification.models import RectificationItem
from tests.conftest import csrf_token
from tests.factories import PASSWORD


def make_item(
    bureau,
    unit: str = "ZD1-1",
    *,
    ref: str = "YJ-1",
    source: str = "warning",
    due_in: int | None = None,
    overdue_days: int = 0,
    days: int = 10,
    title: str = "首违不罚适用率偏高",
) -> RectificationItem:
    """An open item; ``due_in`` working days left, or due ``overdue_days`` calendar days ago."""
    item = operations.open_item(
        source, ref, title, bureau.units[unit].id, "张勇", days, actor="legal"
    )
    today = clock.today()
    if overdue_days:
        item.deadline = date.fromordinal(today.toordinal() - overdue_days)
    elif due_in is not None:
        item.deadline = add_working_days(today, due_in).date if due_in else today
    db.session.commit()
    return item


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
