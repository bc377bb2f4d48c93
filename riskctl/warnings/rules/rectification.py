"""整改台账 rule: a unit whose rectification items are overdue (红色整改事项)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select

from riskctl.accounts.models import Unit
from riskctl.core.db import db
from riskctl.rectification.models import RectificationItem
from riskctl.warnings.rules.base import (
    MAX_EVIDENCE,
    RED,
    Evidence,
    ScanContext,
    Signal,
    define_rule,
    whole,
)

Item = RectificationItem


@dataclass(frozen=True)
class OverdueUnit:
    unit: str
    unit_name: str
    count: int
    items: tuple[tuple[int, str, date], ...]  # (id, title, deadline), most overdue first


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


def evaluate(units: Sequence[OverdueUnit], params: Mapping[str, Any]) -> list[Signal]:
    """A red signal for each unit with at least ``min_items`` overdue items."""
    min_items = params["min_items"]
    signals = []
    for unit in units:
        if unit.count < min_items:
            continue
        evidence = [
            Evidence(
                f"整改事项 {item_id}：{title}（期限 {deadline.isoformat()}）",
                "rectification_item",
                str(item_id),
            )
            for item_id, title, deadline in unit.items
        ]
        listing = Evidence(
            f"{unit.unit_name}全部超期整改事项（共 {unit.count} 项）",
            "rectification_list",
            unit.unit,
            (("unit", unit.unit), ("colour", "red")),
        )
        signals.append(
            Signal(
                subject_key=f"unit:{unit.unit}",
                unit=unit.unit,
                colour=RED,
                title=f"{unit.unit_name}有 {unit.count} 项整改事项超期未销号",
                evidence=(*evidence, listing),
            )
        )
    return signals


RULE = define_rule(
    "rectification_overdue",
    "整改超期",
    "单位有超过整改期限仍未销号的整改事项（整改台账中的红色事项）达到设定项数。",
    gather=gather,
    evaluate=evaluate,
    thresholds={"min_items": ("单位超期整改事项达到几项即预警", 1, whole(1, 1000, "项"))},
    proposal="整改落实不到位、问题整改流于形式（职权：监督管理；环节：执行）",
)
