"""双随机抽查: drawn plans with tasks, a one-target roster, single-task plans."""

from __future__ import annotations

from datetime import date, timedelta

from riskctl.core import clock
from riskctl.core.db import db
from riskctl.inspections.models import Inspector, Plan, Target, Task, TaskInspector
from tests.factories.common import at, seq, unit
from tests.factories.draws import first_round, manifest


def plan_with_draw(code: str, drawn: date, tasks: list[dict]) -> Plan:
    """A plan drawn on ``drawn``; each task dict: class, result, inspected_on, published."""
    frozen = manifest(
        code, drawn_at=at(drawn), quotas={"A": 1}, target_count=len(tasks), selected=len(tasks)
    )
    draw = first_round(frozen)
    plan = Plan(
        code=code,
        name=f"{code} 市容环境卫生责任区检查",
        ratios={"A": "0.05"},
        created_by="legal",
        status="drawn",
        drawn_at=at(drawn),
        manifest_id=frozen.id,
        draw_id=draw.id,
    )
    db.session.add(plan)
    db.session.flush()
    for position, spec in enumerate(tasks, start=1):
        db.session.add(_task(plan, draw.id, position, spec))
    db.session.commit()
    return plan


def _task(plan: Plan, draw_id: int, position: int, spec: dict) -> Task:
    number = next(seq)
    target = Target(
        code=f"DX-{number:05d}",
        name=f"临街商户{number}",
        kind="individual",
        credit_class=spec["class"],
        unit_id=unit("ZD1-1").id,
    )
    db.session.add(target)
    db.session.flush()
    inspected = spec.get("inspected_on")
    published = spec.get("published")  # "on_time", "late" or None
    return Task(
        plan_id=plan.id,
        draw_id=draw_id,
        position=position,
        target_id=target.id,
        stratum=spec["class"],
        result_code=spec.get("result"),
        inspected_on=inspected,
        publish_due=inspected + timedelta(days=28) if inspected else None,
        published_at=at(inspected + timedelta(days=5)) if published else None,
        published_late=None if published is None else published == "late",
        entered_by="officer" if inspected else None,
    )


def roster(unit_code: str = "ZD1-1") -> tuple[Target, Inspector, Inspector]:
    """One target (DX-001) and two inspectors (ZF-0101, ZF-0102) of ``unit_code``."""
    unit_id = unit(unit_code).id
    target = Target(
        code="DX-001", name="某某餐饮店", kind="individual", credit_class="B", unit_id=unit_id
    )
    first = Inspector(code="ZF-0101", name="王五", license_no="L-0101", unit_id=unit_id)
    second = Inspector(code="ZF-0102", name="赵六", license_no="L-0102", unit_id=unit_id)
    db.session.add_all([target, first, second])
    db.session.commit()
    return target, first, second


def single_task_plan(
    target: Target,
    team: tuple[Inspector, ...],
    *,
    plan_code: str,
    days_ago: int = 30,
    due_days_ago: int | None = None,
    published_late: bool | None = None,
) -> Task:
    """A drawn plan with one task; ``due_days_ago`` sets an entered result's publish deadline."""
    draw = first_round(manifest(plan_code))
    plan = Plan(
        code=plan_code,
        name=f"计划 {plan_code}",
        ratios={"B": "0.1"},
        team_size=2,
        status="drawn",
        created_by="legal",
        drawn_at=clock.now() - timedelta(days=days_ago),
        draw_id=draw.id,
        manifest_id=draw.manifest_id,
    )
    db.session.add(plan)
    db.session.flush()
    task = Task(
        plan_id=plan.id,
        draw_id=draw.id,
        position=1,
        target_id=target.id,
        stratum="B",
        superseded=False,
    )
    if due_days_ago is not None:
        task.result_code, task.inspected_on = (
            "no_problem",
            clock.today() - timedelta(days=due_days_ago + 28),
        )
        task.publish_due = clock.today() - timedelta(days=due_days_ago)
        if published_late is not None:
            task.published_at, task.published_late = clock.now(), published_late
    db.session.add(task)
    db.session.flush()
    db.session.add_all(
        TaskInspector(task_id=task.id, inspector_id=i.id, position=n) for n, i in enumerate(team)
    )
    db.session.commit()
    return task
