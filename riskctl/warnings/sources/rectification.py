"""整改台账 rule: what it reads (the rectification items) and its settings."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select

from riskctl.accounts.models import Unit
from riskctl.core.db import db
from riskctl.rectification.models import RectificationItem
from riskctl.warnings.rules.base import MAX_EVIDENCE
from riskctl.warnings.rules.rectification import OverdueUnit, evaluate
from riskctl.warnings.sources.base import ScanContext, define_rule, whole

Item = RectificationItem


def gather(ctx: ScanContext, params: Mapping[str, Any]) -> list[OverdueUnit]:
    """Per unit: the number of open items past their deadline and the most overdue ones."""
    overdue = (Item.status == "open") & (Item.deadline < ctx.today)
    ranked = (
        select(
            Item.unit_id,
            Item.id,
            Item.title,
            Item.deadline,
            func.row_number()
            .over(partition_by=Item.unit_id, order_by=(Item.deadline, Item.id))
            .label("n"),
            func.count().over(partition_by=Item.unit_id).label("total"),
        )
        .where(overdue)
        .subquery()
    )
    rows = db.session.execute(
        select(Unit.code, Unit.name, ranked.c.total, ranked.c.id, ranked.c.title, ranked.c.deadline)
        .join(ranked, ranked.c.unit_id == Unit.id)
        .where(ranked.c.n <= MAX_EVIDENCE)
        .order_by(Unit.code, ranked.c.n)
    )
    found: dict[str, OverdueUnit] = {}
    for code, name, total, item_id, title, deadline in rows:
        unit = found.setdefault(code, OverdueUnit(code, name, total, ()))
        found[code] = OverdueUnit(code, name, total, (*unit.items, (item_id, title, deadline)))
    return list(found.values())


RULE = define_rule(
    "rectification_overdue",
    "整改超期",
    "单位有超过整改期限仍未销号的整改事项（整改台账中的红色事项）达到设定项数。",
    gather=gather,
    evaluate=evaluate,
    thresholds={"min_items": ("单位超期整改事项达到几项即预警", 1, whole(1, 1000, "项"))},
    proposal="整改落实不到位、问题整改流于形式（职权：监督管理；环节：执行）",
)
