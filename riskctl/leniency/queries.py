"""Reading 免罚清单 items and 首违不罚 records, scoped to what the user may see."""

from __future__ import annotations

import functools
from dataclasses import astuple, dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import aliased, joinedload, selectinload

from riskctl.accounts.models import Unit, User
from riskctl.accounts.queries import visible_unit_ids
from riskctl.core import clock, lean
from riskctl.core.calendar import current_calendar
from riskctl.core.db import db
from riskctl.core.errors import NotFound
from riskctl.inspections.models import Inspector
from riskctl.leniency.models import (
    LeniencyAttachment,
    LeniencyItem,
    LeniencyItemVersion,
    LeniencyRecord,
    LeniencyRefusal,
    RecordOfficer,
)
from riskctl.leniency.rules import (
    COMMITTED,
    PENDING_REVIEW,
    RECORDED,
    Prior,
    is_open_for_followup,
)


def item_by_code(code: str) -> LeniencyItem | None:
    return db.session.scalar(select(LeniencyItem).where(LeniencyItem.code == code))


def get_item(code: str) -> LeniencyItem:
    item = item_by_code(code)
    if item is None:
        raise NotFound(f"免罚清单中没有编号为 {code} 的事项")
    return item


def items_query(active_only: bool = False) -> Select:
    query = select(LeniencyItem).order_by(LeniencyItem.code)
    return query.where(LeniencyItem.active.is_(True)) if active_only else query


def all_items(active_only: bool = False) -> list[LeniencyItem]:
    return list(db.session.scalars(items_query(active_only)))


def priors(party_key: str, item_id: int, start: date, end: date) -> list[Prior]:
    """Existing records of the party for the item with an occurrence in [start, end]."""
    rows = db.session.execute(
        select(
            LeniencyRecord.id,
            LeniencyRecord.occurred_on,
            Unit.code,
            Unit.name,
            LeniencyRecord.party_masked,
            LeniencyRecord.ground,
        )
        .join(Unit, Unit.id == LeniencyRecord.unit_id)
        .where(
            LeniencyRecord.party_key == party_key,
            LeniencyRecord.item_id == item_id,
            LeniencyRecord.occurred_on.between(start, end),
        )
    )
    return [Prior(*row) for row in rows]


@dataclass
class RecordFilter:
    """The list filters of the API and the list page (all optional)."""

    unit: str | None = None
    item: str | None = None
    ground: str | None = None
    status: str | None = None
    start: date | None = None
    end: date | None = None
    overdue: bool = False
    party_key: str | None = None
    q: str | None = None


def records_query(
    user: User | None, flt: RecordFilter, today: date | None = None, *, load: bool = True
) -> Select:
    """Records the user may see that match ``flt``, newest occurrence first (``load``: with
    their officers, unit and item; the lean list reads its own columns instead)."""
    return records_in(visible_unit_ids(user), flt, today or clock.today(), load=load)


def records_in(
    visible: list[int] | None, flt: RecordFilter, today: date, *, load: bool = True
) -> Select:
    """:func:`records_query` of the units ``visible`` (None: the whole bureau)."""
    query = select(LeniencyRecord).order_by(
        LeniencyRecord.occurred_on.desc(), LeniencyRecord.id.desc()
    )
    if load:
        query = query.options(
            selectinload(LeniencyRecord.officers),
            # Many-to-one: joined into the page's own statement, no extra round trip.
            joinedload(LeniencyRecord.unit),
            joinedload(LeniencyRecord.item),
            joinedload(LeniencyRecord.item_version),
        )
    if visible is not None:
        query = query.where(LeniencyRecord.unit_id.in_(visible))
    if flt.unit:
        unit_path = db.session.scalar(select(Unit.path).where(Unit.code == flt.unit))
        if unit_path is None:
            raise NotFound(f"单位 {flt.unit} 不存在")
        subtree = select(Unit.id).where(Unit.path.startswith(unit_path))
        query = query.where(LeniencyRecord.unit_id.in_(subtree))
    if flt.item:
        query = query.join(LeniencyItem, LeniencyItem.id == LeniencyRecord.item_id).where(
            LeniencyItem.code == flt.item
        )
    return _narrow(query, flt, today)


def _narrow(query: Select, flt: RecordFilter, today: date) -> Select:
    if flt.ground:
        query = query.where(LeniencyRecord.ground == flt.ground)
    if flt.status:
        query = query.where(LeniencyRecord.status == flt.status)
    if flt.start:
        query = query.where(LeniencyRecord.occurred_on >= flt.start)
    if flt.end:
        query = query.where(LeniencyRecord.occurred_on <= flt.end)
    if flt.overdue:
        query = query.where(
            LeniencyRecord.status.in_((RECORDED, COMMITTED)), LeniencyRecord.followup_due < today
        )
    if flt.party_key:
        query = query.where(LeniencyRecord.party_key == flt.party_key)
    if flt.q:
        query = query.where(LeniencyRecord.party_name.contains(flt.q, autoescape=True))
    return query


def get_record(record_id: int, user: User | None) -> LeniencyRecord:
    """The record, or 404 when it does not exist or lies outside the user's units."""
    record = db.session.get(LeniencyRecord, record_id)
    visible = visible_unit_ids(user)
    if record is None or (visible is not None and record.unit_id not in visible):
        raise NotFound(f"免罚记录 #{record_id} 不存在或不在您的单位范围内")
    return record


def get_attachment(record: LeniencyRecord, attachment_id: int) -> LeniencyAttachment:
    attachment = db.session.get(LeniencyAttachment, attachment_id)
    if attachment is None or attachment.record_id != record.id:
        raise NotFound(f"附件 #{attachment_id} 不存在")
    return attachment


def overdue_count(user: User | None, today: date | None = None) -> int:
    query = records_query(user, RecordFilter(overdue=True), today)
    return db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))


def pending_review_count() -> int:
    """轻微不罚 records waiting for the legal office (法制审核)."""
    return db.session.scalar(
        select(func.count(LeniencyRecord.id)).where(LeniencyRecord.status == PENDING_REVIEW)
    )


def roster_officers(unit_ids: list[int] | None) -> list[tuple[str, str]]:
    """(number, name) of the active inspectors of the units: the form's officer picker."""
    query = (
        select(Inspector.code, Inspector.name)
        .where(Inspector.active.is_(True))
        .order_by(Inspector.code)
    )
    if unit_ids is not None:
        query = query.where(Inspector.unit_id.in_(unit_ids))
    return [(code, name) for code, name in db.session.execute(query)]


def roster_entries(numbers: list[str]) -> dict[str, list[tuple[str, str, bool]]]:
    """Roster rows (code, name, active) for each number, matched ignoring case."""
    wanted = {n.upper() for n in numbers}
    rows = db.session.execute(
        select(Inspector.code, Inspector.name, Inspector.active).where(
            func.upper(Inspector.code).in_(wanted)
        )
    )
    found: dict[str, list[tuple[str, str, bool]]] = {}
    for code, name, active in rows:
        found.setdefault(code.upper(), []).append((code, name, active))
    return found


def officer_names(numbers: list[str]) -> dict[str, str]:
    rows = db.session.execute(
        select(Inspector.code, Inspector.name).where(Inspector.code.in_(numbers))
    )
    return {code: name for code, name in rows}


def refusals_query(start: date | None = None, end: date | None = None) -> Select:
    query = (
        select(LeniencyRefusal)
        .options(selectinload(LeniencyRefusal.item), selectinload(LeniencyRefusal.unit))
        .order_by(LeniencyRefusal.attempted_at.desc())
    )
    if start:
        query = query.where(LeniencyRefusal.occurred_on >= start)
    if end:
        query = query.where(LeniencyRefusal.occurred_on <= end)
    return query


def records_page(user: User | None, flt: RecordFilter, args: dict) -> dict:
    """One page of :func:`records_query` as plain rows (``riskctl.core.lean``); the
    statement of filters that read nothing from the database (all but the unit's) built
    once per value, the 复查 overdue days counted with one calendar for the page."""
    today = clock.today()
    query = _statement(user, flt, today)
    shape = _record_shape(db.engine.dialect.name)
    return lean.page(query, args, shape, functools.partial(_complete, today))


def _statement(user: User | None, flt: RecordFilter, today: date) -> Select:
    if flt.unit:  # its subtree is read from the database
        return records_query(user, flt, today, load=False)
    visible = visible_unit_ids(user)
    return _records_statement(None if visible is None else tuple(visible), astuple(flt), today)


@functools.lru_cache(maxsize=256)
def _records_statement(
    visible: tuple[int, ...] | None, flt: tuple[Any, ...], today: date
) -> Select:
    """:func:`records_in` built once per value of its arguments: a statement is a value
    of them alone (immutable), and one reused keeps its cache key, so a repeated request
    neither builds nor walks it again."""
    return records_in(
        None if visible is None else list(visible), RecordFilter(*flt), today, load=False
    )


@functools.cache
def _record_shape(dialect: str) -> lean.Shape:
    """The columns of ``LeniencyRecordListOut``: unit and item names joined in, the
    officer numbers read by the page's statement (a list column, built per dialect)."""
    unit, item, version = aliased(Unit), aliased(LeniencyItem), aliased(LeniencyItemVersion)
    record = LeniencyRecord
    columns = {
        name: getattr(record, name)
        for name in (
            "id", "party_masked", "party_kind", "party_name", "ground", "occurred_at",
            "status", "correction_deadline", "followup_due",
        )
    } | {
        "unit.code": unit.code,
        "unit.name": unit.name,
        "item.code": item.code,
        "item_version.name": version.name,
        "officer_numbers": lean.values_of(
            RecordOfficer.number, RecordOfficer.record_id == record.id,
            RecordOfficer.position, record, dialect,
        ),
    }  # fmt: skip
    joins = (
        (unit, unit.id == record.unit_id),
        (item, item.id == record.item_id),
        (version, version.id == record.item_version_id),
    )
    return lean.Shape(columns, joins)


def _complete(today: date, records: list) -> None:
    """The overdue days of the page's records (one calendar for the page)."""
    calendar = None
    for record in records:
        days = None
        if is_open_for_followup(record.status) and record.followup_due < today:
            calendar = calendar or current_calendar()
            days = calendar.working_days_between(record.followup_due, today)
        record.overdue_days = days
