"""Demo warnings: a scan over the other modules' demo records, and one warning taken in hand."""

from __future__ import annotations

from sqlalchemy import select

from riskctl.accounts.queries import user_by_username
from riskctl.core.db import db
from riskctl.warnings import operations, scan
from riskctl.warnings.models import RAISED, Warning


def load() -> str:
    report = scan.run_scan()
    handled = _take_one_in_hand()
    return f"扫描新增 {report.raised} 条预警，仍未关闭 {report.still_open} 条" + (
        f"；纪委已确认并处置预警 #{handled}" if handled else ""
    )


def _take_one_in_hand() -> int | None:
    """Show the committee's work on the board: the oldest red warning, acknowledged and
    handled, once (a demo run again finds one already handled and leaves it)."""
    committee = user_by_username("jiwei")
    touched = db.session.scalar(select(Warning.id).where(Warning.status != RAISED).limit(1))
    first = db.session.scalar(
        select(Warning)
        .where(Warning.status == RAISED, Warning.unit_id.is_not(None))
        .order_by(Warning.colour, Warning.id)
        .limit(1)
    )
    if committee is None or touched is not None or first is None:
        return None
    operations.acknowledge(first, committee)
    operations.handle(
        first,
        "已约谈该单位负责人，要求十个工作日内完成整改并报送整改情况。",
        committee,
        {"owner": "单位主要负责人", "deadline_days": 10},
    )
    return first.id
