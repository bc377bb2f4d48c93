"""整改台账: items opened through the ledger's operations, with the deadline a test needs."""

from __future__ import annotations

from datetime import date, timedelta

from riskctl.core import clock
from riskctl.core.calendar import add_working_days
from riskctl.core.db import db
from riskctl.rectification import operations
from riskctl.rectification.models import RectificationItem
from tests.factories.common import at


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
    opened: date | None = None,
    deadline: date | None = None,
    closed: date | None = None,
) -> RectificationItem:
    """An open item: ``due_in`` working days left, due ``overdue_days`` calendar days ago,
    or opened on ``opened`` and due on ``deadline``; ``closed`` closes it on that day."""
    item = operations.open_item(
        source, ref, title, bureau.units[unit].id, "张勇", days, actor="legal"
    )
    today = clock.today()
    if overdue_days:
        item.deadline = today - timedelta(days=overdue_days)
    elif due_in is not None:
        item.deadline = add_working_days(today, due_in).date if due_in else today
    if opened is not None:
        item.opened_on = opened
    if deadline is not None:
        item.deadline = deadline
    if closed is not None:
        item.status, item.closing_note = "closed", "已整改并组织学习"
        item.closed_at, item.closed_on, item.closed_by = at(closed), closed, "legal"
    db.session.commit()
    return item


def overdue_item(
    bureau,
    unit: str = "ZD1-1",
    *,
    ref: str = "PC-1",
    days: int = 3,
    title: str = "评查发现的文书问题未整改",
) -> RectificationItem:
    """An open item from a review finding whose deadline passed ``days`` days ago (red)."""
    return make_item(bureau, unit, ref=ref, source="review_finding", overdue_days=days, title=title)
