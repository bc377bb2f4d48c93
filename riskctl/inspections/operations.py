"""Changing the item list, the rosters and the 回避 records. Flush and audit; never commit."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from riskctl.core import audit, clock
from riskctl.core.db import db
from riskctl.core.errors import Conflict, NotFound, ValidationFailed
from riskctl.inspections.models import (
    ConflictDeclaration,
    InspectionItem,
    Inspector,
    RecusalRequest,
    RosterImport,
    Target,
)
from riskctl.inspections.rosters import imports as rosters

ITEM_FIELDS = ("name", "legal_basis", "ratio", "frequency", "category", "active")


def _item_view(item: InspectionItem) -> dict[str, Any]:
    return {f: str(getattr(item, f)) if f == "ratio" else getattr(item, f) for f in ITEM_FIELDS}


def create_item(data: dict[str, Any], actor: str) -> InspectionItem:
    """Add an entry to the 随机抽查事项清单."""
    if db.session.scalar(select(InspectionItem.id).where(InspectionItem.code == data["code"])):
        raise Conflict(f"抽查事项编号 {data['code']} 已存在")
    item = InspectionItem(**data)
    db.session.add(item)
    db.session.flush()
    audit.record(
        "inspection.item.create", "inspection_item", item.code, _item_view(item), actor=actor
    )
    return item


def update_item(
    item: InspectionItem, changes: dict[str, Any], reason: str, actor: str
) -> InspectionItem:
    """Change an item (a retired item is ``active`` false, never deleted); the reason is kept."""
    before = _item_view(item)
    for key, value in changes.items():
        setattr(item, key, Decimal(value) if key == "ratio" else value)
    item.updated_at = clock.now()
    db.session.flush()
    after = _item_view(item)
    diff = {k: [before[k], after[k]] for k in ITEM_FIELDS if before[k] != after[k]}
    audit.record(
        "inspection.item.update",
        "inspection_item",
        item.code,
        {"changes": diff, "reason": reason},
        actor=actor,
    )
    return item


def import_roster(
    roster: str, data: bytes, filename: str, deactivate_missing: bool | None, actor: str
) -> tuple[rosters.Analysis, RosterImport]:
    """Import a roster file: all rows or none; absent rows only deactivated when confirmed."""
    spec = rosters.ROSTERS[roster]
    analysis = rosters.analyse(spec, data, filename)
    record = rosters.apply(analysis, deactivate_missing=deactivate_missing, actor=actor, data=data)
    return analysis, record


def target_by_code(code: str) -> Target:
    target = db.session.scalar(select(Target).where(Target.code == code))
    if target is None:
        raise NotFound(f"检查对象 {code} 不存在")
    return target


def inspector_by_code(code: str) -> Inspector:
    inspector = db.session.scalar(select(Inspector).where(Inspector.code == code))
    if inspector is None:
        raise NotFound(f"检查人员 {code} 不存在")
    return inspector


def _pair(inspector_code: str, target_code: str) -> tuple[Inspector, Target]:
    try:
        inspector = inspector_by_code(inspector_code)
    except NotFound as exc:
        raise ValidationFailed.field("inspector", exc.message) from exc
    try:
        target = target_by_code(target_code)
    except NotFound as exc:
        raise ValidationFailed.field("target", exc.message) from exc
    return inspector, target


def declare_conflict(
    inspector_code: str, target_code: str, relation: str, reason: str, actor: str
) -> ConflictDeclaration:
    """Record a relationship (回避情形) that keeps the inspector away from the target."""
    inspector, target = _pair(inspector_code, target_code)
    existing = db.session.scalar(
        select(ConflictDeclaration.id).where(
            ConflictDeclaration.inspector_id == inspector.id,
            ConflictDeclaration.target_id == target.id,
            ConflictDeclaration.ended_at.is_(None),
        )
    )
    if existing:
        raise Conflict(
            f"检查人员 {inspector.code} 与对象 {target.code} "
            f"已有登记在册的回避关系（第 {existing} 号）"
        )
    declaration = ConflictDeclaration(
        inspector=inspector, target=target, relation=relation, reason=reason, recorded_by=actor
    )
    db.session.add(declaration)
    db.session.flush()
    audit.record(
        "inspection.conflict.declare",
        "inspection_conflict",
        declaration.id,
        {
            "inspector": inspector.code,
            "target": target.code,
            "relation": relation,
            "reason": reason,
        },
        actor=actor,
    )
    return declaration


def end_conflict(declaration: ConflictDeclaration, reason: str, actor: str) -> ConflictDeclaration:
    """A relationship that no longer holds is ended with a reason; the record stays."""
    if declaration.ended_at is not None:
        raise Conflict(f"回避关系第 {declaration.id} 号已于 {declaration.ended_at:%Y-%m-%d} 解除")
    declaration.ended_at, declaration.ended_by, declaration.end_reason = clock.now(), actor, reason
    db.session.flush()
    audit.record(
        "inspection.conflict.end",
        "inspection_conflict",
        declaration.id,
        {"reason": reason},
        actor=actor,
    )
    return declaration


def file_recusal(
    inspector_code: str, target_code: str, applicant: str, reason: str, filed_on: date, actor: str
) -> RecusalRequest:
    """Register a party's recusal request (当事人申请回避); a leader decides it."""
    if filed_on > clock.today():
        raise ValidationFailed.field("filed_on", "申请日期不能晚于今天")
    inspector, target = _pair(inspector_code, target_code)
    request = RecusalRequest(
        inspector=inspector,
        target=target,
        applicant=applicant,
        reason=reason,
        filed_on=filed_on,
        recorded_by=actor,
        status="pending",
    )
    db.session.add(request)
    db.session.flush()
    audit.record(
        "inspection.recusal.file",
        "inspection_recusal",
        request.id,
        {
            "inspector": inspector.code,
            "target": target.code,
            "applicant": applicant,
            "reason": reason,
            "filed_on": filed_on.isoformat(),
        },
        actor=actor,
    )
    return request


def decide_recusal(request: RecusalRequest, grant: bool, note: str, actor: str) -> RecusalRequest:
    """A leader grants or refuses a recusal request; a decision is final."""
    if request.status != "pending":
        raise Conflict(
            f"回避申请第 {request.id} 号已由 {request.decided_by} 作出决定，不能重复决定"
        )
    if not grant and not note:
        raise ValidationFailed.field("note", "不批准回避申请时须写明理由")
    request.status = "granted" if grant else "refused"
    request.decided_by, request.decided_at, request.decision_note = actor, clock.now(), note
    db.session.flush()
    audit.record(
        "inspection.recusal.decide",
        "inspection_recusal",
        request.id,
        {"decision": request.status, "note": note},
        actor=actor,
    )
    return request
