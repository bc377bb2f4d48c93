"""Reading 双随机 records: lists with filters, scoped to what the user may see."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import Select, exists, or_, select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from riskctl.accounts.models import User
from riskctl.accounts.queries import visible_unit_ids
from riskctl.core import clock
from riskctl.core.db import db
from riskctl.core.errors import NotFound
from riskctl.inspections.models import (
    Attachment,
    ConflictDeclaration,
    InspectionItem,
    Inspector,
    Plan,
    RecusalRequest,
    RedrawRequest,
    RosterImport,
    Target,
    Task,
    TaskInspector,
)


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def items(active_only: bool = False) -> Select:
    query = select(InspectionItem).order_by(InspectionItem.code)
    return query.where(InspectionItem.active.is_(True)) if active_only else query


def item_by_code(code: str) -> InspectionItem:
    item = db.session.scalar(select(InspectionItem).where(InspectionItem.code == code))
    if item is None:
        raise NotFound(f"抽查事项 {code} 不存在")
    return item


def targets(user: User | None, **filters: Any) -> Select:
    """:func:`targets_in` of the units the user may see (officers: their units)."""
    return targets_in(visible_unit_ids(user), **filters)


def targets_in(
    scope: list[int] | None,
    *,
    q: str = "",
    credit_class: str = "",
    kind: str = "",
    unit_id: int | None = None,
    status: str = "active",
    load: bool = True,
) -> Select:
    """The target roster of the units ``scope`` (None: the whole bureau), searched by
    code, name or credit code; ``load``: with their unit (a lean page reads its own
    columns)."""
    query = select(Target).order_by(Target.code)
    if load:
        query = query.options(joinedload(Target.unit))
    if scope is not None:
        query = query.where(Target.unit_id.in_(scope))
    if q:
        pattern = _like(q)
        query = query.where(
            or_(
                Target.code.like(pattern, escape="\\"),
                Target.name.like(pattern, escape="\\"),
                Target.credit_code.like(pattern, escape="\\"),
            )
        )
    if credit_class:
        query = query.where(Target.credit_class == credit_class)
    if kind:
        query = query.where(Target.kind == kind)
    if unit_id:
        query = query.where(Target.unit_id == unit_id)
    if status == "active":
        query = query.where(Target.active.is_(True), Target.closed.is_(False))
    elif status == "closed":
        query = query.where(Target.active.is_(True), Target.closed.is_(True))
    elif status == "removed":
        query = query.where(Target.active.is_(False))
    return query


def inspectors(
    user: User | None, *, q: str = "", unit_id: int | None = None, status: str = "active"
) -> Select:
    query = select(Inspector).order_by(Inspector.code)
    scope = visible_unit_ids(user)
    if scope is not None:
        query = query.where(Inspector.unit_id.in_(scope))
    if q:
        pattern = _like(q)
        query = query.where(
            or_(
                Inspector.code.like(pattern, escape="\\"),
                Inspector.name.like(pattern, escape="\\"),
                Inspector.license_no.like(pattern, escape="\\"),
            )
        )
    if unit_id:
        query = query.where(Inspector.unit_id == unit_id)
    if status in ("active", "inactive"):
        query = query.where(Inspector.active.is_(status == "active"))
    return query


def imports(roster: str | None = None) -> Select:
    query = select(RosterImport).order_by(RosterImport.id.desc())
    return query.where(RosterImport.roster == roster) if roster else query


def conflicts(*, current_only: bool = True, q: str = "") -> Select:
    query = (
        select(ConflictDeclaration)
        .join(Inspector)
        .join(Target)
        .order_by(ConflictDeclaration.id.desc())
    )
    if current_only:
        query = query.where(ConflictDeclaration.ended_at.is_(None))
    if q:
        pattern = _like(q)
        query = query.where(
            or_(
                Inspector.code.like(pattern, escape="\\"),
                Inspector.name.like(pattern, escape="\\"),
                Target.code.like(pattern, escape="\\"),
                Target.name.like(pattern, escape="\\"),
            )
        )
    return query


def conflict_by_id(conflict_id: int) -> ConflictDeclaration:
    found = db.session.get(ConflictDeclaration, conflict_id)
    if found is None:
        raise NotFound(f"回避关系第 {conflict_id} 号不存在")
    return found


def recusals(status: str = "") -> Select:
    query = select(RecusalRequest).order_by(RecusalRequest.id.desc())
    return query.where(RecusalRequest.status == status) if status else query


def recusal_by_id(request_id: int) -> RecusalRequest:
    found = db.session.get(RecusalRequest, request_id)
    if found is None:
        raise NotFound(f"回避申请第 {request_id} 号不存在")
    return found


def plans(status: str = "", redraw: str = "") -> Select:
    """Plans, by status; ``redraw="pending"``: those with a re-draw awaiting a leader."""
    query = select(Plan).order_by(Plan.created_at.desc(), Plan.id.desc())
    if redraw == "pending":
        waiting = select(RedrawRequest.plan_id).where(RedrawRequest.status == "pending")
        query = query.where(Plan.id.in_(waiting))
    return query.where(Plan.status == status) if status else query


def to_enter(user: User | None) -> Select:
    """Drawn tasks of the user's units whose result is not entered yet (待录入)."""
    return tasks(user).where(Task.result_code.is_(None))


def due_soon(user: User | None, days: int = 5, today: date | None = None) -> Select:
    """Results entered, not published, due within ``days`` calendar days (临近公示期限)."""
    today = today or clock.today()
    return (
        tasks(user)
        .where(
            Task.result_code.is_not(None),
            Task.published_at.is_(None),
            Task.publish_due >= today,
            Task.publish_due <= today + timedelta(days=days),
        )
        .order_by(None)
        .order_by(Task.publish_due, Task.id)
    )


def plan_by_code(code: str) -> Plan:
    plan = db.session.scalar(select(Plan).where(Plan.code == code))
    if plan is None:
        raise NotFound(f"抽查计划 {code} 不存在")
    return plan


def redraw_requests(plan: Plan) -> list[RedrawRequest]:
    return list(
        db.session.scalars(
            select(RedrawRequest).where(RedrawRequest.plan_id == plan.id).order_by(RedrawRequest.id)
        )
    )


def redraw_by_id(request_id: int) -> RedrawRequest:
    found = db.session.get(RedrawRequest, request_id)
    if found is None:
        raise NotFound(f"重抽申请第 {request_id} 号不存在")
    return found


def _team_in(unit_ids: list[int]):
    return exists().where(
        TaskInspector.task_id == Task.id,
        TaskInspector.inspector_id == Inspector.id,
        Inspector.unit_id.in_(unit_ids),
    )


def tasks(user: User | None, **filters: Any) -> Select:
    """:func:`tasks_in` of the units the user may see: officers see the tasks whose team
    has one of their units."""
    return tasks_in(visible_unit_ids(user), **filters)


def tasks_in(
    scope: list[int] | None,
    *,
    plan: Plan | None = None,
    state: str = "",
    include_superseded: bool = False,
    load: bool = True,
) -> Select:
    """Tasks (抽中对象) in draw order of the teams with one of the units ``scope`` (None:
    every task); ``load``: with their plan, target, team and attachments (a lean page
    reads its own)."""
    query = select(Task).join(Target).order_by(Task.plan_id.desc(), Task.position)
    if load:  # one statement per relation for a whole page, not one per task
        query = query.options(
            contains_eager(Task.target),
            joinedload(Task.plan),
            selectinload(Task.inspectors).joinedload(Inspector.unit),
            selectinload(Task.attachments),
        )
    if plan is not None:
        query = query.where(Task.plan_id == plan.id)
    if not include_superseded:
        query = query.where(Task.superseded.is_(False))
    if scope is not None:
        query = query.where(_team_in(scope))
    if state == "todo":
        query = query.where(Task.result_code.is_(None))
    elif state == "entered":
        query = query.where(Task.result_code.is_not(None), Task.published_at.is_(None))
    elif state == "published":
        query = query.where(Task.published_at.is_not(None))
    return query


def task_for(user: User | None, task_id: int) -> Task:
    """A task the user may see; 404 otherwise (officers outside their units included)."""
    query = tasks(user, include_superseded=True).where(Task.id == task_id)
    task = db.session.scalar(query)
    if task is None:
        raise NotFound(f"抽查任务 {task_id} 不存在或不在本单位范围内")
    return task


def attachment_for(user: User | None, task_id: int, attachment_id: int) -> Attachment:
    """An attachment of a task the user may see (404 otherwise)."""
    found = next((a for a in task_for(user, task_id).attachments if a.id == attachment_id), None)
    if found is None:
        raise NotFound(f"附件 {attachment_id} 不存在")
    return found


def overdue(user: User | None, today: date | None = None) -> Select:
    """Results entered but not published by their deadline (逾期未公示)."""
    today = today or clock.today()
    return (
        tasks(user)
        .where(Task.result_code.is_not(None), Task.published_at.is_(None), Task.publish_due < today)
        .order_by(None)
        .order_by(Task.publish_due, Task.id)
    )
