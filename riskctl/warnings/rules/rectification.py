"""整改台账 rule: a unit whose rectification items are overdue (红色整改事项)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from riskctl.warnings.rules.base import RED, Evidence, Signal


@dataclass(frozen=True)
class OverdueUnit:
    unit: str
    unit_name: str
    count: int
    items: tuple[tuple[int, str, date], ...]  # (id, title, deadline), most overdue first


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
