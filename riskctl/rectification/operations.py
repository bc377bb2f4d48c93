"""Changing the ledger: open, add evidence, close (销号), reopen. Flush and audit; never commit."""

from __future__ import annotations

from riskctl.accounts.models import Unit, User
from riskctl.accounts.queries import inactive_message
from riskctl.core import audit, clock, settings
from riskctl.core.auth.policy import current_actor
from riskctl.core.calendar import add_working_days
from riskctl.core.db import db
from riskctl.core.errors import Conflict, ValidationFailed
from riskctl.rectification.models import SOURCES, RectificationEvent, RectificationItem
from riskctl.rectification.options import DEFAULT_DAYS
from riskctl.rectification.queries import open_item_for

MAX_DAYS = 250


def _name(actor: User | str | None) -> str:
    """Who acts: the given user or name, else the request's user, else "system" (CLI, demo)."""
    if isinstance(actor, User):
        return actor.username
    if actor:
        return actor
    user = current_actor()
    return user.username if user is not None else "system"


def _check_days(days: int) -> None:
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        raise ValidationFailed.field("deadline_days", f"整改期限须为 1 到 {MAX_DAYS} 个工作日")


def _event(item: RectificationItem, kind: str, note: str, actor: str) -> None:
    db.session.add(RectificationEvent(item=item, kind=kind, note=note, actor=actor, at=clock.now()))


def open_item(
    source: str,
    source_ref: str,
    title: str,
    unit_id: int,
    owner: str | None,
    deadline_days: int | None = None,
    detail: str = "",
    actor: User | str | None = None,
) -> RectificationItem:
    """Open a ledger item (立项) due ``deadline_days`` working days from today.

    Idempotent per (source, source_ref): while an item for that record is open it is
    returned unchanged, so a module may call this again without doubling the ledger.
    """
    if source not in SOURCES:
        raise ValidationFailed.field("source", f"来源须为 {'、'.join(SOURCES)} 之一")
    if not source_ref.strip():
        raise ValidationFailed.field("source_ref", "来源记录编号不能为空")
    if not title.strip():
        raise ValidationFailed.field("title", "整改事项名称不能为空")
    unit = db.session.get(Unit, unit_id)
    if unit is None:
        raise ValidationFailed.field("unit", f"单位 {unit_id} 不存在")
    if not unit.active:
        raise ValidationFailed.field("unit", inactive_message(unit))
    existing = open_item_for(source, source_ref.strip())
    if existing is not None:
        return existing
    days = settings.get(DEFAULT_DAYS.key) if deadline_days is None else deadline_days
    _check_days(days)
    who = _name(actor)
    today = clock.today()
    due = add_working_days(today, days)
    item = RectificationItem(
        source=source,
        source_ref=source_ref.strip(),
        title=title.strip(),
        detail=detail,
        unit_id=unit_id,
        owner=(owner or "").strip() or None,
        opened_on=today,
        deadline_days=days,
        deadline=due.date,
        deadline_provisional=due.provisional,
        status="open",
        evidence="",
        created_by=who,
        created_at=clock.now(),
    )
    db.session.add(item)
    db.session.flush()
    _event(item, "open", title.strip(), who)
    audit.record(
        "rectification.open",
        "rectification_item",
        item.id,
        {
            "source": source,
            "source_ref": item.source_ref,
            "unit_id": unit_id,
            "deadline": due.date.isoformat(),
            "provisional": due.provisional,
        },
        actor=who,
    )
    return item


def add_evidence(item: RectificationItem, text: str, actor: User | str | None = None) -> None:
    """Append a line of evidence (整改佐证材料) to an open item."""
    text = text.strip()
    if not text:
        raise ValidationFailed.field("evidence", "整改佐证不能为空")
    if item.status != "open":
        raise Conflict(f"整改事项 {item.id} 已销号，不能再补充佐证；如需继续整改请先重新打开")
    who = _name(actor)
    item.evidence = f"{item.evidence}\n{text}".strip()
    _event(item, "evidence", text, who)
    db.session.flush()
    audit.record("rectification.evidence", "rectification_item", item.id, {"text": text}, actor=who)


def close_item(
    item: RectificationItem, note: str, evidence: str = "", actor: User | str | None = None
) -> None:
    """销号: needs a closing note saying how the problem was put right."""
    note = (note or "").strip()
    if not note:
        raise ValidationFailed.field("note", "销号必须填写销号说明（整改情况）")
    if item.status != "open":
        raise Conflict(f"整改事项 {item.id} 已于此前销号")
    if evidence.strip():
        add_evidence(item, evidence, actor)
    who = _name(actor)
    item.status, item.closing_note = "closed", note
    item.closed_at, item.closed_on, item.closed_by = clock.now(), clock.today(), who
    _event(item, "close", note, who)
    db.session.flush()
    audit.record("rectification.close", "rectification_item", item.id, {"note": note}, actor=who)


def reopen_item(
    item: RectificationItem,
    reason: str,
    deadline_days: int | None = None,
    actor: User | str | None = None,
) -> None:
    """Reopen a closed item with a reason; the new deadline counts from today."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed.field("reason", "重新打开必须填写原因")
    if item.status != "closed":
        raise Conflict(f"整改事项 {item.id} 尚未销号，无需重新打开")
    if open_item_for(item.source, item.source_ref) is not None:
        raise Conflict(f"来源记录 {item.source_ref} 已有一条整改中的事项，不能再打开本条")
    days = item.deadline_days if deadline_days is None else deadline_days
    _check_days(days)
    who = _name(actor)
    due = add_working_days(clock.today(), days)
    item.status, item.closing_note, item.closed_by = "open", None, None
    item.closed_at, item.closed_on = None, None
    item.deadline_days, item.deadline, item.deadline_provisional = days, due.date, due.provisional
    _event(item, "reopen", reason, who)
    db.session.flush()
    audit.record(
        "rectification.reopen",
        "rectification_item",
        item.id,
        {"reason": reason, "deadline": due.date.isoformat()},
        actor=who,
    )
