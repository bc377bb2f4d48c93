"""双随机 rules: one inspector sent to the same target again and again, and inspection
results published late (公示超期) or not at all after the 20 working days."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from riskctl.warnings.rules.base import MAX_EVIDENCE, RED, YELLOW, Evidence, Signal, doubling


@dataclass(frozen=True)
class TargetRepeat:
    inspector: str  # inspector number (人员编号)
    inspector_name: str
    target: str  # target number (对象编号)
    target_name: str
    unit: str  # the unit in charge of the target
    tasks: tuple[tuple[int, str], ...]  # (task id, plan code), oldest first


def repeat_signals(repeats: Sequence[TargetRepeat], params: Mapping[str, Any]) -> list[Signal]:
    """An inspector drawn ``times`` or more for one target in the window: yellow, red from
    twice as many (random draws rarely send the same person back)."""
    times, months = params["times"], params["months"]
    signals = []
    for repeat in repeats:
        count = len(repeat.tasks)
        colour = doubling(count, times)
        if colour is None:
            continue
        evidence = tuple(
            Evidence(f"抽查计划 {plan} 的检查任务 #{task_id}", "inspection_task", str(task_id))
            for task_id, plan in repeat.tasks[-MAX_EVIDENCE:]
        )
        signals.append(
            Signal(
                f"inspector:{repeat.inspector}:target:{repeat.target}",
                repeat.unit,
                colour,
                f"检查人员 {repeat.inspector_name}（{repeat.inspector}）在 {months} 个月内"
                f" {count} 次被派往同一检查对象（{repeat.target_name}）",
                evidence,
            )
        )
    return signals


# Publication of results (一公开) --------------------------------------------------


@dataclass(frozen=True)
class LatePublication:
    plan: str
    unit: str
    unit_name: str
    late: int  # published after the deadline
    overdue: int  # not published, deadline passed
    tasks: tuple[tuple[int, date], ...]  # (task id, deadline), the earliest deadline first


def late_signals(groups: Sequence[LatePublication], params: Mapping[str, Any]) -> list[Signal]:
    """A plan's results for one unit's targets: published late (yellow) or still not
    published after the deadline (red), once there are ``min_tasks`` of them."""
    signals = []
    for group in groups:
        if group.late + group.overdue < params["min_tasks"]:
            continue
        parts = [
            f"{group.overdue} 项逾期未公示" if group.overdue else "",
            f"{group.late} 项公示超期" if group.late else "",
        ]
        evidence = tuple(
            Evidence(
                f"检查任务 #{task_id}（应于 {due.isoformat()} 前公示）",
                "inspection_task",
                str(task_id),
            )
            for task_id, due in group.tasks
        )
        signals.append(
            Signal(
                f"plan:{group.plan}:unit:{group.unit}",
                group.unit,
                RED if group.overdue else YELLOW,
                f"抽查计划 {group.plan} 中{group.unit_name}的检查结果"
                f"{'、'.join(p for p in parts if p)}（超过检查后的法定公示期限）",
                (*evidence, Evidence(f"抽查计划 {group.plan}", "inspection_plan", group.plan)),
            )
        )
    return signals
