"""Recording 首违不罚 decisions and moving them through their lifecycle.

Verbs flush and write the audit entry in the caller's transaction; the request (or
``run_command``) commits. The one exception is a refused repeat: see ``_refuse``.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from flask import has_request_context, url_for
from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from riskctl.accounts.models import Unit, User
from riskctl.accounts.queries import can_see_unit, inactive_message
from riskctl.accounts.roles import DISCIPLINE, LEGAL
from riskctl.core import audit, clock
from riskctl.core.calendar import add_working_days
from riskctl.core.db import db, is_postgres
from riskctl.core.errors import Conflict, Forbidden, ValidationFailed
from riskctl.inspections.models import Inspector
from riskctl.leniency import options, party, rules
from riskctl.leniency.models import LeniencyItem, LeniencyRecord, LeniencyRefusal, RecordOfficer
from riskctl.leniency.queries import item_by_code, priors, roster_entries

# Clocks of field devices run a little fast; a few minutes ahead is not "the future".
_CLOCK_SKEW = timedelta(minutes=5)
# Namespace of the two-key advisory locks that serialise one party's records for one item.
_REPEAT_LOCK_NS = 0x4C4E  # "LN"
# Roles that read party ids in full, and so may search by one (每次检索均记入审计日志).
FULL_ID_ROLES = (LEGAL, DISCIPLINE)


def record_leniency(
    data: dict[str, Any], actor: User, now: datetime | None = None
) -> LeniencyRecord:
    """Record a decision (``data`` as loaded by ``LeniencyRecordIn``); 409 for a repeat 首违."""
    now = now or clock.now()
    unit = _recording_unit(data.get("unit"), actor)
    item = _usable_item(data["item_code"])
    officers = roster_numbers(data["officers"], "officers")
    _officers_of_unit(officers, unit)
    occurred_at = clock.from_local(data["occurred_at"])
    if occurred_at > now + _CLOCK_SKEW:
        raise ValidationFailed.field("occurred_at", "违法行为发生时间不能晚于当前时间")
    occurred_on = clock.local_date(occurred_at)
    deadline, provisional = _correction_deadline(data.get("correction_deadline"), occurred_on)
    followup_due = add_working_days(deadline, options.followup_grace())
    protected = party.protect(data["party_id"])

    lock_party_item(protected.key, item.id)
    months = options.lookback_months()
    start, end = rules.lookback_window(occurred_on, months)
    earlier = priors(protected.key, item.id, start, end)
    _refuse_repeat(
        data["ground"], occurred_on, earlier, months, protected, item, unit, officers, actor
    )
    held = rules.held_for_review(data["ground"], occurred_on, earlier, months)

    record = LeniencyRecord(
        party_kind=protected.kind,
        party_key=protected.key,
        party_cipher=protected.cipher,
        party_masked=protected.masked,
        party_name=data["party_name"],
        item=item,
        item_version=item.versions[-1],
        ground=data["ground"],
        unit=unit,
        occurred_at=occurred_at,
        occurred_on=occurred_on,
        place=data["place"],
        facts=data["facts"],
        education=data["education"],
        correction_deadline=deadline,
        followup_due=followup_due.date,
        followup_due_provisional=provisional or followup_due.provisional,
        status=rules.PENDING_REVIEW if held else rules.RECORDED,
        review_prior_id=held.record_id if held else None,
        created_by=actor.username,
        officers=[RecordOfficer(position=i, number=n) for i, n in enumerate(officers, 1)],
    )
    db.session.add(record)
    db.session.flush()
    audit.record(
        "leniency.record",
        "leniency_record",
        record.id,
        {
            "item": item.code,
            "item_version": item.version,
            "ground": record.ground,
            "unit": unit.code,
            "party": protected.masked,
            "occurred_on": occurred_on,
            "officers": officers,
            "correction_deadline": deadline,
            "status": record.status,
            "held_for_review_because_of": held.record_id if held else None,
        },
    )
    return record


def _officers_of_unit(officers: list[str], unit: Unit) -> None:
    """The handling officers belong to the recording unit or a unit under it (422 naming them).

    Per-officer statistics and warnings rest on who handled a decision: naming
    inspectors of another squad would spread one's decisions over people who were
    never there.
    """
    rows = db.session.execute(
        select(Inspector.code, Inspector.name, Unit.name, Unit.path)
        .join(Unit, Unit.id == Inspector.unit_id)
        .where(Inspector.code.in_(officers))
    ).all()
    outside = [
        f"{code}（{name}，{unit_name}）"
        for code, name, unit_name, path in rows
        if not path.startswith(unit.path)
    ]
    if outside:
        raise ValidationFailed.field(
            "officers",
            f"执法人员 {'、'.join(outside)} 不属于作出决定的单位{unit.name}（{unit.code}）"
            "或其下属单位，不能作为承办人员",
        )


def _recording_unit(code: str | None, actor: User) -> Unit:
    """The unit the record belongs to; officers record only within their own unit."""
    if not code:
        if actor.unit is None:
            raise ValidationFailed.field("unit", "请选择作出决定的单位")
        return actor.unit
    unit = db.session.query(Unit).filter_by(code=code).one_or_none()
    if unit is None:
        raise ValidationFailed.field("unit", f"单位 {code} 不存在")
    if not unit.active:
        raise ValidationFailed.field("unit", inactive_message(unit))
    if not can_see_unit(actor, unit.id):
        own = actor.unit.name if actor.unit else "本单位"
        raise Forbidden(f"只能为本单位（{own}）录入免罚记录，不能为{unit.name}（{unit.code}）录入")
    return unit


def roster_numbers(numbers: list[str], field: str) -> list[str]:
    """The roster's own numbers for ``numbers``: each an active 执法检查人员, or 422."""
    found = roster_entries(numbers)
    codes = []
    for number in numbers:
        rows = found.get(number.upper(), [])
        if not rows:
            raise ValidationFailed.field(field, f"执法人员编号 {number} 不在执法检查人员名录库中")
        if len(rows) > 1:
            raise ValidationFailed.field(field, f"执法人员编号 {number} 在名录库中对应多人，请核对")
        code, name, active = rows[0]
        if not active:
            raise ValidationFailed.field(field, f"执法人员 {code}（{name}）已停用，不能承办")
        codes.append(code)
    return codes


def _usable_item(code: str) -> LeniencyItem:
    item = item_by_code(code)
    if item is None:
        raise ValidationFailed.field("item_code", f"免罚清单中没有编号为 {code} 的事项")
    if not item.active:
        raise ValidationFailed.field(
            "item_code", f"免罚清单事项 {code}（{item.name}）已停用，不能再适用"
        )
    return item


def _correction_deadline(given: date | None, occurred_on: date) -> tuple[date, bool]:
    if given is None:
        default = add_working_days(occurred_on, options.correction_days())
        return default.date, default.provisional
    if given < occurred_on:
        raise ValidationFailed.field(
            "correction_deadline",
            f"整改期限 {given.isoformat()} 早于违法行为发生日期 {occurred_on.isoformat()}",
        )
    return given, False


def lock_party_item(party_key: str, item_id: int) -> None:
    """Hold the (party, item) pair until commit so that check and insert are one step.

    PostgreSQL: a transaction-scoped advisory lock on the pair; another party or item
    is never held up. SQLite has one writer at a time anyway: a no-op write takes the
    database write lock now instead of at the insert, so two workers cannot both pass
    the check before either has written.
    """
    if is_postgres():
        db.session.execute(
            text("SELECT pg_advisory_xact_lock(:ns, hashtext(:pair))"),
            {"ns": _REPEAT_LOCK_NS, "pair": f"{party_key}:{item_id}"},
        )
    else:
        db.session.execute(
            update(LeniencyItem)
            .where(LeniencyItem.id == item_id)
            .values(version=LeniencyItem.version)
            .execution_options(synchronize_session=False)
        )


def _refuse_repeat(
    ground: str,
    occurred_on: date,
    found: list[rules.Prior],
    months: int,
    protected: party.ProtectedParty,
    item: LeniencyItem,
    unit: Unit,
    officers: list[str],
    actor: User,
) -> None:
    earlier = rules.repeat_conflict(ground, occurred_on, found, months)
    if earlier is None:
        return
    refusal = LeniencyRefusal(
        party_key=protected.key,
        party_masked=protected.masked,
        item_id=item.id,
        unit_id=unit.id,
        earlier_record_id=earlier.record_id,
        occurred_on=occurred_on,
        officers=",".join(officers),
        attempted_by=actor.username,
    )
    summary = {
        "item": item.code,
        "unit": unit.code,
        "party": protected.masked,
        "earlier_record": earlier.record_id,
        "officers": officers,
    }
    _refuse(refusal, summary, actor.username)
    raise Conflict(
        rules.repeat_message(earlier, months),
        {
            "earlier_record": {
                "id": earlier.record_id,
                "occurred_on": earlier.occurred_on.isoformat(),
                "unit": earlier.unit_code,
                "unit_name": earlier.unit_name,
                "party_id": earlier.party_masked,
                "ground": earlier.ground,
                "url": record_url(earlier.record_id),
            }
        },
    )


def record_url(record_id: int) -> str | None:
    """The page of a record, where a request is there to build it."""
    return url_for("leniency.record", record_id=record_id) if has_request_context() else None


def _refuse(refusal: LeniencyRefusal, summary: dict[str, Any], actor: str) -> None:
    """Keep the refused attempt although the request that made it fails with 409.

    The request's own transaction is rolled back by the after_request hook, so the
    refusal is written by a transaction of its own, committed here. The request's
    transaction is ended first: it holds the pair lock (and on SQLite the database
    write lock) that the refusal's transaction would otherwise wait for, and nothing
    in it may survive anyway.
    """
    db.session.rollback()
    with Session(db.engine) as session:
        session.add(refusal)
        session.flush()
        audit.record(
            "leniency.repeat_refused",
            "leniency_refusal",
            refusal.id,
            summary,
            actor=actor,
            session=session,
        )
        session.commit()


# Lifecycle ---------------------------------------------------------------------------


def _step(check, *args: Any) -> None:
    try:
        check(*args)
    except rules.StateError as exc:
        raise Conflict(exc.message) from exc


def _date_in_range(
    field: str, label: str, value: date, record: LeniencyRecord, today: date
) -> None:
    if value > today:
        raise ValidationFailed.field(field, f"{label}不能晚于今天")
    if value < record.occurred_on:
        raise ValidationFailed.field(
            field, f"{label}不能早于违法行为发生日期 {record.occurred_on.isoformat()}"
        )


def sign_commitment(
    record: LeniencyRecord, data: dict[str, Any], today: date | None = None
) -> None:
    """登记告知承诺书: the party signed the commitment to correct by the deadline."""
    _step(rules.check_commitment, record.status)
    _date_in_range(
        "signed_on", "告知承诺书签署日期", data["signed_on"], record, today or clock.today()
    )
    record.commitment_signed_on = data["signed_on"]
    record.commitment_document_no = data.get("document_no") or None
    record.status = rules.COMMITTED
    _audit(
        record,
        "leniency.commitment",
        {"signed_on": data["signed_on"], "document_no": record.commitment_document_no},
    )


def record_followup(
    record: LeniencyRecord, data: dict[str, Any], actor: User, today: date | None = None
) -> None:
    """复查: corrected by the deadline (passed) or not (failed)."""
    _step(rules.check_followup, record.status)
    today = today or clock.today()
    _date_in_range("checked_on", "复查日期", data["checked_on"], record, today)
    if record.commitment_signed_on and data["checked_on"] < record.commitment_signed_on:
        raise ValidationFailed.field("checked_on", "复查日期不能早于告知承诺书签署日期")
    officer = roster_numbers([data["officer"]], "officer")[0]
    record.followup_on, record.followup_result = data["checked_on"], data["result"]
    record.followup_officer, record.followup_note = officer, data.get("note") or None
    record.followup_by = actor.username
    record.status = rules.status_after_followup(data["result"])
    _audit(
        record,
        "leniency.followup",
        {"checked_on": data["checked_on"], "result": data["result"], "officer": officer},
    )


def sign_off(record: LeniencyRecord, data: dict[str, Any], actor: User) -> None:
    """法制审核: the legal office confirms the decision."""
    _step(rules.check_signoff, record.status, record.signed_off_at is not None)
    record.signed_off_at, record.signed_off_by = clock.now(), actor.username
    record.signoff_opinion = data["opinion"]
    _audit(record, "leniency.signoff", {"opinion": data["opinion"]})


def refer(record: LeniencyRecord, data: dict[str, Any], today: date | None = None) -> None:
    """转一般程序: leniency no longer applies; the case goes to a normal penalty procedure."""
    _step(rules.check_referral, record.status)
    _date_in_range("referred_on", "移送日期", data["referred_on"], record, today or clock.today())
    record.referred_on, record.referral_case_no = data["referred_on"], data["case_no"]
    record.referral_reason = data["reason"]
    record.status = rules.REFERRED
    _audit(
        record,
        "leniency.referral",
        {"referred_on": data["referred_on"], "case_no": data["case_no"], "reason": data["reason"]},
    )


def close(record: LeniencyRecord, data: dict[str, Any], actor: User) -> None:
    """结案: only after a passed 复查 and the legal office's sign-off."""
    _step(rules.check_close, record.status, record.signed_off_at is not None)
    record.closed_at, record.closed_by = clock.now(), actor.username
    record.closing_note = data.get("note") or None
    record.status = rules.CLOSED
    _audit(record, "leniency.close", {"note": record.closing_note})


def review_held(record: LeniencyRecord, data: dict[str, Any], actor: User) -> None:
    """法制审核 of a record held for review: approved, it takes effect (已登记); not approved,
    it never does. Either way the reason is recorded."""
    _step(rules.check_review, record.status)
    note = data["note"].strip()
    if not note:
        raise ValidationFailed.field("note", "请填写审核意见（同意或不同意的理由）")
    record.status = rules.RECORDED if data["approve"] else rules.REVIEW_REFUSED
    record.reviewed_at, record.reviewed_by, record.review_note = clock.now(), actor.username, note
    _audit(
        record,
        "leniency.review",
        {"approve": data["approve"], "note": note, "earlier_record": record.review_prior_id},
    )


def _audit(record: LeniencyRecord, action: str, summary: dict[str, Any]) -> None:
    db.session.flush()
    audit.record(action, "leniency_record", record.id, {"status": record.status, **summary})
