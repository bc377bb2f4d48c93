"""抽查计划: create, lock (freeze the manifest), draw once, re-draw with a leader's approval.

The draw itself is the shared flow of ``riskctl.draws``; this module decides what
goes into the manifest (``sampling``) and turns the selections into tasks.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select, update

from riskctl.accounts.models import Unit, User
from riskctl.accounts.queries import inactive_codes
from riskctl.core import audit, clock
from riskctl.core.db import db
from riskctl.core.errors import Conflict, ValidationFailed
from riskctl.draws import operations as draws
from riskctl.draws import redraws
from riskctl.draws.models import Draw, DrawManifest, DrawSelection
from riskctl.inspections import bulk
from riskctl.inspections.models import (
    PLAN_STATUSES,
    InspectionItem,
    Inspector,
    Plan,
    RedrawRequest,
    Target,
    Task,
    TaskInspector,
)
from riskctl.inspections.plans.sampling import PlanRules, manifest_lists

KIND = "inspection"
_CHUNK = 5000


def _locked(plan: Plan) -> Plan:
    """The plan row, locked until commit (PostgreSQL): concurrent lock/draw requests queue here."""
    return db.session.execute(
        select(Plan)
        .where(Plan.id == plan.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()


def _rules(data: dict[str, Any]) -> dict[str, Any]:
    """A plan's own fields from checked input (``InspectionPlanInSchema``), items and units
    checked against the database."""
    units = data.get("units") or None
    if units:
        known = set(db.session.scalars(select(Unit.code).where(Unit.code.in_(units))))
        unknown = [u for u in units if u not in known]
        if unknown:
            raise ValidationFailed.field("units", f"单位 {'、'.join(unknown)} 不存在")
        stopped = inactive_codes(units)
        if stopped:
            names = "、".join(f"“{name}”" for name in stopped.values())
            raise ValidationFailed.field("units", f"单位{names}已停用，不能再纳入抽查计划")
    return {
        "name": data["name"],
        "items": _items(data.get("items") or []),
        "ratios": {k: str(v) for k, v in data["ratios"].items()},
        "quotas": data.get("quotas") or None,
        "team_size": data["team_size"],
        "cap": data.get("cap"),
        "exclude_recent_months": data["exclude_recent_months"],
        "lookback_months": data["lookback_months"],
        "cross_unit": data["cross_unit"],
        "units": units,
    }


def _summary(plan: Plan) -> dict[str, Any]:
    return {
        "name": plan.name,
        "items": [i.code for i in plan.items],
        "ratios": plan.ratios,
        "quotas": plan.quotas,
        "team_size": plan.team_size,
        "cap": plan.cap,
        "exclude_recent_months": plan.exclude_recent_months,
        "lookback_months": plan.lookback_months,
        "cross_unit": plan.cross_unit,
        "units": plan.units,
    }


def create_plan(data: dict[str, Any], actor: str) -> Plan:
    """Save a draft plan from checked input (``InspectionPlanInSchema``)."""
    if db.session.scalar(select(Plan.id).where(Plan.code == data["code"])):
        raise Conflict(f"计划编号 {data['code']} 已存在")
    plan = Plan(code=data["code"], status="draft", created_by=actor, **_rules(data))
    db.session.add(plan)
    db.session.flush()
    audit.record(
        "inspection.plan.create", "inspection_plan", plan.code, _summary(plan), actor=actor
    )
    return plan


def update_plan(plan: Plan, data: dict[str, Any], actor: str) -> Plan:
    """A draft plan's rules changed (its code stays); refused once it is locked."""
    plan = _locked(plan)
    if plan.status != "draft":
        label = PLAN_STATUSES.get(plan.status, plan.status)
        raise Conflict(f"计划 {plan.code} {label}，只有草稿可以修改")
    before = _summary(plan)
    for key, value in _rules(data).items():
        setattr(plan, key, value)
    db.session.flush()
    after = _summary(plan)
    changed = {k: {"from": before[k], "to": v} for k, v in after.items() if before[k] != v}
    audit.record("inspection.plan.update", "inspection_plan", plan.code, changed, actor=actor)
    return plan


def _items(codes: list[str]) -> list[InspectionItem]:
    items = list(db.session.scalars(select(InspectionItem).where(InspectionItem.code.in_(codes))))
    found = {i.code for i in items}
    unknown = [c for c in codes if c not in found]
    if unknown:
        raise ValidationFailed.field("items", f"抽查事项 {'、'.join(unknown)} 不存在")
    retired = [i.code for i in items if not i.active]
    if retired:
        raise ValidationFailed.field("items", f"抽查事项 {'、'.join(retired)} 已停用")
    return items


def cancel_plan(plan: Plan, reason: str, actor: str) -> Plan:
    """A draft that will not be drawn is cancelled with a reason (作废), never deleted."""
    plan = _locked(plan)
    if plan.status != "draft":
        raise Conflict(f"计划 {plan.code} 已锁定，锁定后的计划不能作废")
    plan.status, plan.cancelled_reason = "cancelled", reason
    db.session.flush()
    audit.record(
        "inspection.plan.cancel", "inspection_plan", plan.code, {"reason": reason}, actor=actor
    )
    return plan


def _refuse_unless_draft(plan: Plan) -> None:
    if plan.status == "cancelled":
        raise Conflict(f"计划 {plan.code} 已作废")
    if plan.status != "draft":
        raise Conflict(f"计划 {plan.code} 已于 {plan.locked_at:%Y-%m-%d %H:%M} 锁定，不能重复锁定")


def _freeze(
    plan: Plan, actor: User, previous: DrawManifest | None = None
) -> tuple[DrawManifest, dict[str, Any]]:
    """The plan's manifest from the rosters as they are now, frozen (a new version of
    ``previous`` when re-locking)."""
    lists = manifest_lists(PlanRules.of(plan))
    manifest = draws.freeze_manifest(
        KIND,
        plan.code,
        plan=plan.code,
        targets=lists["targets"],
        quotas=lists["quotas"],
        inspectors=lists["inspectors"],
        conflicts=lists["conflicts"],
        team_size=plan.team_size,
        cap=lists["cap"],
        actor=actor,
        previous=previous,
    )
    return manifest, lists


def lock_plan(plan: Plan, actor: User) -> DrawManifest:
    """Freeze the manifest (rosters, 回避, quotas, team size, cap) and publish its digests."""
    plan = _locked(plan)
    _refuse_unless_draft(plan)
    manifest, lists = _freeze(plan, actor)
    plan.status, plan.locked_at, plan.manifest_id = "locked", clock.now(), manifest.id
    plan.frame = lists["frame"]
    db.session.flush()
    audit.record(
        "inspection.plan.lock",
        "inspection_plan",
        plan.code,
        {
            "manifest_id": manifest.id,
            "digests": manifest.digests,
            "quotas": lists["quotas"],
            "targets": len(lists["targets"]),
            "inspectors": len(lists["inspectors"]),
            "conflicts": len(lists["conflicts"]),
            "cap": lists["cap"],
        },
        actor=actor.username,
    )
    return manifest


def draw_plan(plan: Plan, entropy: str, entropy_source: str, actor: User) -> Draw:
    """Run the plan's draw, once: a second request gets 409, even at the same moment."""
    plan = _locked(plan)
    if plan.status in ("draft", "cancelled"):
        raise Conflict(f"计划 {plan.code} 尚未锁定，须先锁定（公布抽取清单摘要）再录入随机数抽取")
    if plan.status == "drawn":
        raise Conflict(
            f"计划 {plan.code} 已抽取，不能再次抽取；确需重抽的，须提出重抽申请并经局领导批准"
        )
    manifest = db.session.get(DrawManifest, plan.manifest_id)
    draw = draws.perform_draw(manifest, entropy, entropy_source, actor)
    created = _create_tasks(plan, draw)
    plan.status, plan.draw_id, plan.drawn_at = "drawn", draw.id, draw.drawn_at
    db.session.flush()
    audit.record(
        "inspection.plan.draw",
        "inspection_plan",
        plan.code,
        {
            "draw_id": draw.id,
            "round": draw.round,
            "tasks": created,
            "result_digest": draw.result_digest,
        },
        actor=actor.username,
    )
    return draw


def _ids_by_code(model: type, codes: list[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for start in range(0, len(codes), _CHUNK):
        chunk = codes[start : start + _CHUNK]
        out.update(bulk.fetch_rows(select(model.code, model.id).where(model.code.in_(chunk))))
    return out


def _selections(draw: Draw) -> list[tuple[int, str, str, list[str]]]:
    """(position, target id, stratum, team) of a draw, read as plain rows."""
    table = DrawSelection.__table__
    rows = bulk.fetch_rows(
        select(table.c.position, table.c.target_id, table.c.stratum, table.c.inspectors)
        .where(table.c.draw_id == draw.id)
        .order_by(table.c.position)
    )
    teams = [team for *_, team in rows]
    if teams and isinstance(teams[0], str):
        # SQLite hands the JSON column back as text: one parse for all of them.
        teams = json.loads("[" + ",".join(teams) + "]")
    return [(p, t, s, team) for (p, t, s, _), team in zip(rows, teams, strict=True)]


def _create_tasks(plan: Plan, draw: Draw) -> int:
    """One task per selected target, with its team in pick order (bulk, no ORM objects)."""
    chosen = _selections(draw)
    targets = _ids_by_code(Target, [target for _, target, _, _ in chosen])
    target_ids = [targets[target] for _, target, _, _ in chosen]
    bulk.insert_columns(
        Task.__table__,
        {
            "position": [position for position, *_ in chosen],
            "target_id": target_ids,
            "stratum": [stratum for _, _, stratum, _ in chosen],
        },
        {"plan_id": plan.id, "draw_id": draw.id, "superseded": False, "due_provisional": False},
    )
    task_of = dict(bulk.fetch_rows(select(Task.target_id, Task.id).where(Task.draw_id == draw.id)))
    people = dict(bulk.fetch_rows(select(Inspector.code, Inspector.id)))
    members = [
        (task_of[target_id], people[code], k)
        for target_id, (*_, team) in zip(target_ids, chosen, strict=True)
        for k, code in enumerate(team)
    ]
    if members:
        task_ids, inspector_ids, positions = (list(column) for column in zip(*members, strict=True))
        bulk.insert_columns(
            TaskInspector.__table__,
            {"task_id": task_ids, "inspector_id": inspector_ids, "position": positions},
            {},
        )
    return len(chosen)


def _refuse_if_results(plan: Plan) -> None:
    entered = db.session.scalar(
        select(Task.id).where(Task.draw_id == plan.draw_id, Task.result_code.is_not(None)).limit(1)
    )
    if entered:
        raise Conflict(f"计划 {plan.code} 已录入检查结果，不能重抽")


def request_redraw(plan: Plan, kind: str, reason: str, actor: str) -> RedrawRequest:
    """Ask for a re-draw (重抽) with its kind and reason; a leader approves or refuses it."""
    redraws.check_request(kind, reason)
    plan = _locked(plan)
    if plan.status != "drawn":
        raise Conflict(f"计划 {plan.code} 尚未抽取，无需重抽")
    _refuse_if_results(plan)
    redraws.refuse_open_request(RedrawRequest, RedrawRequest.plan_id == plan.id)
    request = RedrawRequest(
        plan=plan,
        draw_id=plan.draw_id,
        kind=kind,
        reason=reason.strip(),
        requested_by=actor,
        status="pending",
    )
    db.session.add(request)
    db.session.flush()
    audit.record(
        "inspection.redraw.request",
        "inspection_redraw",
        request.id,
        {"plan": plan.code, "draw_id": plan.draw_id, "kind": kind, "reason": request.reason},
        actor=actor,
    )
    return request


def decide_redraw(request: RedrawRequest, approve: bool, note: str, leader: User) -> RedrawRequest:
    """A leader's decision on a re-draw request; final once made."""
    redraws.decide(request, approve, note, leader, "inspection_redraw")
    return request


def relock_for_redraw(request: RedrawRequest, actor: User) -> DrawManifest:
    """抽取清单有误: re-lock the plan with the corrected rosters as a new manifest version,
    whose digests are public before any new entropy can be entered."""
    plan = _locked(request.plan)
    db.session.refresh(request)
    redraws.check_relock(request)
    _refuse_if_results(plan)
    manifest, lists = _freeze(plan, actor, db.session.get(DrawManifest, plan.manifest_id))
    request.manifest_id = manifest.id
    plan.manifest_id, plan.frame = manifest.id, lists["frame"]
    db.session.flush()
    audit.record(
        "inspection.redraw.relock",
        "inspection_redraw",
        request.id,
        {"plan": plan.code, "manifest_id": manifest.id, "digests": manifest.digests},
        actor=actor.username,
    )
    return manifest


def run_redraw(request: RedrawRequest, entropy: str, entropy_source: str, actor: User) -> Draw:
    """The approved re-draw: a new round (same manifest, or the re-locked one); the old
    round stays public."""
    plan = _locked(request.plan)
    db.session.refresh(request)  # a request run by another worker meanwhile is "used" now
    if request.status == "approved" and request.draw_id != plan.draw_id:
        raise Conflict(f"重抽申请第 {request.id} 号针对的抽取结果已被替代")
    _refuse_if_results(plan)
    old_id = plan.draw_id
    draw = redraws.run(request, entropy, entropy_source, actor)
    db.session.execute(update(Task).where(Task.draw_id == old_id).values(superseded=True))
    created = _create_tasks(plan, draw)
    plan.draw_id, plan.drawn_at = draw.id, draw.drawn_at
    db.session.flush()
    audit.record(
        "inspection.redraw.run",
        "inspection_plan",
        plan.code,
        {
            "request": request.id,
            "kind": request.kind,
            "old_draw_id": old_id,
            "draw_id": draw.id,
            "round": draw.round,
            "tasks": created,
            "result_digest": draw.result_digest,
        },
        actor=actor.username,
    )
    return draw
