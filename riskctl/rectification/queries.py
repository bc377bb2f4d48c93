"""Reading the ledger: filters, colours and the aggregates reports and cards use."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, select
from sqlalchemy.orm import joinedload, selectinload

from riskctl.accounts.models import Unit, User
from riskctl.accounts.queries import visible_unit_ids
from riskctl.core import settings
from riskctl.core.calendar import current_calendar
from riskctl.core.db import db
from riskctl.core.errors import NotFound
from riskctl.rectification.models import RectificationItem
from riskctl.rectification.options import YELLOW_DAYS
from riskctl.rectification.rules import colour_for, yellow_cutoff

Item = RectificationItem


def cutoff(today: date) -> date:
    return yellow_cutoff(current_calendar(), today, settings.get(YELLOW_DAYS.key))


def colour(item: RectificationItem, today: date) -> str:
    """The item's colour on ``today``: red, yellow, green or closed."""
    return colour_for(item.status, item.deadline, today, cutoff(today))


def colourer(today: date) -> Callable[[RectificationItem], str]:
    """colour() for many items, with the calendar consulted once."""
    bound = cutoff(today)
    return lambda item: colour_for(item.status, item.deadline, today, bound)


def colour_clause(name: str, today: date) -> ColumnElement[bool]:
    """The SQL condition for items of colour ``name`` on ``today``."""
    is_open = Item.status == "open"
    bound = cutoff(today)
    clauses = {
        "red": and_(is_open, Item.deadline < today),
        "yellow": and_(is_open, Item.deadline >= today, Item.deadline < bound),
        "green": and_(is_open, Item.deadline >= bound),
        "closed": Item.status == "closed",
    }
    return clauses[name]


def scoped(query: Select, user: User | None) -> Select:
    ids = visible_unit_ids(user)
    return query if ids is None else query.where(Item.unit_id.in_(ids))


def items_query(user: User | None, today: date, **filters: Any) -> Select:
    """:func:`items_in` of the units the user may see."""
    return items_in(visible_unit_ids(user), today, **filters)


def items_in(
    unit_ids: list[int] | None,
    today: date,
    *,
    unit: Unit | None = None,
    status: str | None = None,
    colour: str | None = None,
    source: str | None = None,
    q: str | None = None,
    load: bool = True,
) -> Select:
    """Ledger items of the units ``unit_ids`` (None: the whole bureau), filtered; most
    urgent first (``load``: with their unit; a lean page reads its own columns)."""
    query = select(Item).options(joinedload(Item.unit)) if load else select(Item)
    if unit_ids is not None:
        query = query.where(Item.unit_id.in_(unit_ids))
    if unit is not None:
        query = query.join(Unit, Unit.id == Item.unit_id).where(Unit.path.startswith(unit.path))
    if status:
        query = query.where(Item.status == status)
    if colour:
        query = query.where(colour_clause(colour, today))
    if source:
        query = query.where(Item.source == source)
    if q:
        like = f"%{q}%"
        query = query.where(Item.title.like(like) | Item.source_ref.like(like))
    return query.order_by(case((Item.status == "open", 0), else_=1), Item.deadline, Item.id)


def item_for(item_id: int, user: User | None) -> RectificationItem:
    """An item the user may see; 404 otherwise (its existence is not revealed)."""
    item = db.session.scalar(scoped(select(Item).where(Item.id == item_id), user))
    if item is None:
        raise NotFound(f"整改事项 {item_id} 不存在")
    return item


def open_item_for(source: str, source_ref: str) -> RectificationItem | None:
    return db.session.scalar(
        select(Item).where(
            Item.source == source, Item.source_ref == source_ref, Item.status == "open"
        )
    )


def items_for_source(source: str, source_ref: str) -> list[RectificationItem]:
    query = select(Item).where(Item.source == source, Item.source_ref == source_ref)
    return list(db.session.scalars(query.order_by(Item.id)))


def _colour_sums(today: date) -> list:
    return [
        func.coalesce(func.sum(case((colour_clause(name, today), 1), else_=0)), 0).label(name)
        for name in ("red", "yellow", "green", "closed")
    ]


def colour_counts(today: date, unit_ids: list[int] | None = None) -> dict[str, int]:
    """{red, yellow, green, closed}: one aggregate query, no page view needed."""
    query = select(*_colour_sums(today)).select_from(Item)
    if unit_ids is not None:
        query = query.where(Item.unit_id.in_(unit_ids))
    row = db.session.execute(query).one()
    return {name: int(row._mapping[name]) for name in ("red", "yellow", "green", "closed")}


def colour_counts_by_unit(
    today: date, source: str | None = None, unit_ids: list[int] | None = None
) -> list[dict]:
    """Per owning unit: its code, name and the colour counts (units with items only)."""
    query = (
        select(Unit.code, Unit.name, *_colour_sums(today))
        .select_from(Item)
        .join(Unit, Unit.id == Item.unit_id)
        .group_by(Unit.code, Unit.name, Unit.path)
        .order_by(Unit.path)
    )
    if source:
        query = query.where(Item.source == source)
    if unit_ids is not None:
        query = query.where(Item.unit_id.in_(unit_ids))
    return [dict(row._mapping) for row in db.session.execute(query)]


def progress(start: date, end: date, source: str | None = None) -> dict[str, int]:
    """Items opened in [start, end]: how many, closed so far, closed by their deadline."""
    query = select(
        func.count().label("opened"),
        func.coalesce(func.sum(case((Item.status == "closed", 1), else_=0)), 0).label("closed"),
        func.coalesce(
            func.sum(
                case((and_(Item.status == "closed", Item.closed_on <= Item.deadline), 1), else_=0)
            ),
            0,
        ).label("closed_on_time"),
    ).where(Item.opened_on >= start, Item.opened_on <= end)
    if source:
        query = query.where(Item.source == source)
    row = db.session.execute(query).one()
    return {key: int(value) for key, value in row._mapping.items()}


def open_items(today: date, colour: str | None = None, limit: int = 200) -> list[RectificationItem]:
    """Open items, most overdue first (the report's list of 未销号 items)."""
    query = select(Item).options(selectinload(Item.unit)).where(Item.status == "open")
    if colour:
        query = query.where(colour_clause(colour, today))
    return list(db.session.scalars(query.order_by(Item.deadline, Item.id).limit(limit)))
