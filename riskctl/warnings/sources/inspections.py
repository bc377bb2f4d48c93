"""双随机 rules: what they read (plans, tasks, inspectors) and their settings."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dateutil.relativedelta import relativedelta
from sqlalchemy import and_, case, func, or_, select

from riskctl.accounts.models import Unit
from riskctl.core.db import db
from riskctl.inspections.models import Inspector, Plan, Target, Task, TaskInspector
from riskctl.warnings.rules.base import MAX_EVIDENCE
from riskctl.warnings.rules.inspections import (
    LatePublication,
    TargetRepeat,
    late_signals,
    repeat_signals,
)
from riskctl.warnings.sources.base import ScanContext, define_rule, lookback_months, since, whole


def _gather_repeats(ctx: ScanContext, params: Mapping[str, Any]) -> list[TargetRepeat]:
    drawn = and_(Task.superseded.is_(False), Plan.drawn_at >= since(ctx.today, params["months"]))
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
