"""双随机 rules: one inspector sent to the same target again and again, and inspection
results published late (公示超期) or not at all after the 20 working days."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from dateutil.relativedelta import relativedelta
from sqlalchemy import and_, case, func, or_, select

from riskctl.accounts.models import Unit
from riskctl.core import clock
from riskctl.core.db import db
from riskctl.inspections.models import Inspector, Plan, Target, Task, TaskInspector
from riskctl.warnings.rules.base import (
    MAX_EVIDENCE,
    RED,
    YELLOW,
    Evidence,
    ScanContext,
    Signal,
    define_rule,
    doubling,
    lookback_months,
    whole,
)


def _since(today: date, months: int) -> datetime:
    """The bureau's midnight ``months`` before ``today``, in UTC."""
    return clock.day_start(today - relativedelta(months=months))


@dataclass(frozen=True)
class TargetRepeat:
    inspector: str  # inspector number (人员编号)
    inspector_name: str
    target: str  # target number (对象编号)
    target_name: str
    unit: str  # the unit in charge of the target
    tasks: tuple[tuple[int, str], ...]  # (task id, plan code), oldest first


def _gather_repeats(ctx: ScanContext, params: Mapping[str, Any]) -> list[TargetRepeat]:
    drawn = and_(Task.superseded.is_(False), Plan.drawn_at >= _since(ctx.today, params["months"]))
    pairs = (
        select(TaskInspector.inspector_id, Task.target_id)
        .join(Task, Task.id == TaskInspector.task_id)
        .join(Plan, Plan.id == Task.plan_id)
        .where(drawn)
        .group_by(TaskInspector.inspector_id, Task.target_id)
        .having(func.count() >= params["times"])
        .subquery()
    )
    rows = db.session.execute(
        select(
            Inspector.code, Inspector.name, Target.code, Target.name, Unit.code, Task.id, Plan.code
        )
        .select_from(TaskInspector)
        .join(Task, Task.id == TaskInspector.task_id)
        .join(Plan, Plan.id == Task.plan_id)
        .join(Inspector, Inspector.id == TaskInspector.inspector_id)
        .join(Target, Target.id == Task.target_id)
        .join(Unit, Unit.id == Target.unit_id)
        .join(
            pairs,
            (pairs.c.inspector_id == TaskInspector.inspector_id)
            & (pairs.c.target_id == Task.target_id),
        )
        .where(drawn)
        .order_by(Inspector.code, Target.code, Plan.drawn_at, Task.id)
    )
    found: dict[tuple[str, str], TargetRepeat] = {}
    for inspector, name, target, target_name, unit, task_id, plan in rows:
        known = found.get((inspector, target))
        tasks = (*known.tasks, (task_id, plan)) if known else ((task_id, plan),)
        found[(inspector, target)] = TargetRepeat(inspector, name, target, target_name, unit, tasks)
    return list(found.values())


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


SAME_TARGET = define_rule(
    "inspection_same_target",
    "同一人员反复检查同一对象",
    "同一检查人员在设定月数内被派往同一检查对象达到设定次数为黄色，达到两倍为红色（以抽取时间计，"
    "不含已被重抽替代的任务）。",
    gather=_gather_repeats,
    evaluate=repeat_signals,
    thresholds={
        "times": ("同一检查对象的检查次数", 3, whole(2, 1000, "次")),
        "months": lookback_months(),
    },
    proposal="检查人员与检查对象关系固化、选择性检查（职权：行政检查；环节：执行）",
)


# Publication of results (一公开) --------------------------------------------------


@dataclass(frozen=True)
class LatePublication:
    plan: str
    unit: str
    unit_name: str
    late: int  # published after the deadline
    overdue: int  # not published, deadline passed
    tasks: tuple[tuple[int, date], ...]  # (task id, deadline), the earliest deadline first


def _gather_late(ctx: ScanContext, params: Mapping[str, Any]) -> list[LatePublication]:
    unpublished = and_(Task.published_at.is_(None), Task.publish_due < ctx.today)
    late = and_(Task.published_at.is_not(None), Task.published_late.is_(True))
    group = (Task.plan_id, Target.unit_id)
    ranked = (
        select(
            Task.plan_id,
            Target.unit_id,
            Task.id,
            Task.publish_due,
            func.row_number()
            .over(partition_by=group, order_by=(Task.publish_due, Task.id))
            .label("n"),
            func.sum(case((late, 1), else_=0)).over(partition_by=group).label("late"),
            func.sum(case((unpublished, 1), else_=0)).over(partition_by=group).label("overdue"),
        )
        .join(Target, Target.id == Task.target_id)
        .where(
            Task.superseded.is_(False),
            Task.result_code.is_not(None),
            Task.inspected_on >= ctx.today - relativedelta(months=params["months"]),
            or_(late, unpublished),
        )
        .subquery()
    )
    rows = db.session.execute(
        select(
            Plan.code,
            Unit.code,
            Unit.name,
            ranked.c.late,
            ranked.c.overdue,
            ranked.c.id,
            ranked.c.publish_due,
        )
        .join(Plan, Plan.id == ranked.c.plan_id)
        .join(Unit, Unit.id == ranked.c.unit_id)
        .where(ranked.c.n <= MAX_EVIDENCE)
        .order_by(Plan.code, Unit.code, ranked.c.n)
    )
    found: dict[tuple[str, str], LatePublication] = {}
    for plan, unit, name, n_late, n_overdue, task_id, due in rows:
        known = found.get((plan, unit))
        tasks = (*known.tasks, (task_id, due)) if known else ((task_id, due),)
        found[(plan, unit)] = LatePublication(plan, unit, name, int(n_late), int(n_overdue), tasks)
    return list(found.values())


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


LATE_PUBLICATION = define_rule(
    "inspection_late_publication",
    "抽查结果公示超期",
    "抽查计划中某单位的检查结果超过公示期限（检查后 20 个工作日，节假日顺延）才公示为黄色，"
    "逾期仍未公示为红色。",
    gather=_gather_late,
    evaluate=late_signals,
    thresholds={
        "min_tasks": ("同一计划同一单位超期公示的结果数", 1, whole(1, 100000, "条")),
        "months": lookback_months("统计期间（按检查日期）"),
    },
    proposal="抽查结果不按时公示、“一公开”落实不到位（职权：行政检查；环节：执行）",
)
