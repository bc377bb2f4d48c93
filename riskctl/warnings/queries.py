"""Reading warnings: the board's filters, one warning, and the aggregates the home page and
the quarterly report use."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import joinedload, selectinload

from riskctl.accounts.models import Unit, User
from riskctl.accounts.queries import visible_unit_ids
from riskctl.core import clock
from riskctl.core.db import db
from riskctl.core.errors import NotFound
from riskctl.warnings.models import CLOSED, OPEN_STATUSES, Warning
from riskctl.warnings.sources import RULES

# What the board shows unless asked otherwise: every warning not yet closed.
OPEN = "open"


@dataclass(frozen=True)
class WarningFilter:
    colour: str | None = None
    unit: Unit | None = None
    rule: str | None = None
    status: str | None = OPEN


def scoped(query: Select, unit_ids: list[int] | None) -> Select:
    return query if unit_ids is None else query.where(Warning.unit_id.in_(unit_ids))


def warnings_query(user: User | None, flt: WarningFilter, *, load: bool = True) -> Select:
    """Warnings the user may see (officers: their units), red first, then the oldest
    (``load``: with their unit; a lean page reads its own columns)."""
    return warnings_in(visible_unit_ids(user), flt, load=load)


def warnings_in(unit_ids: list[int] | None, flt: WarningFilter, *, load: bool = True) -> Select:
    """:func:`warnings_query` of the units ``unit_ids`` (None: the whole bureau)."""
    query = select(Warning).options(joinedload(Warning.unit)) if load else select(Warning)
    query = scoped(query, unit_ids)
    if flt.status == OPEN:
        query = query.where(Warning.status != CLOSED)
    elif flt.status:
        query = query.where(Warning.status == flt.status)
    if flt.colour:
        query = query.where(Warning.colour == flt.colour)
    if flt.unit is not None:
        subtree = select(Unit.id).where(Unit.path.startswith(flt.unit.path))
        query = query.where(Warning.unit_id.in_(subtree))
    if flt.rule:
        query = query.where(Warning.rule == flt.rule)
    red_first = case((Warning.colour == "red", 0), else_=1)
    return query.order_by(
        case((Warning.status == CLOSED, 1), else_=0), red_first, Warning.raised_at, Warning.id
    )


def warning_for(warning_id: int, user: User | None) -> Warning:
    """A warning the user may see; 404 otherwise (its existence is not revealed)."""
    query = scoped(select(Warning).where(Warning.id == warning_id), visible_unit_ids(user))
    warning = db.session.scalar(query)
    if warning is None:
        raise NotFound(f"预警 #{warning_id} 不存在或不在您的单位范围内")
    return warning


def _colour_sums() -> list:
    return [
        func.coalesce(func.sum(case((Warning.colour == colour, 1), else_=0)), 0).label(colour)
        for colour in ("red", "yellow")
    ]


def open_counts(unit_ids: list[int] | None = None) -> dict[str, int]:
    """{"red", "yellow", "total"} of open warnings, in one aggregate."""
    query = scoped(select(*_colour_sums()).where(Warning.status != CLOSED), unit_ids)
    red, yellow = db.session.execute(query).one()
    return {"red": int(red), "yellow": int(yellow), "total": int(red) + int(yellow)}


def open_warnings_summary(unit_ids: list[int] | None = None) -> dict[str, Any]:
    """Open warnings by colour, by unit and by rule (the board's heads and the report's table)."""
    open_ = Warning.status != CLOSED
    by_unit = db.session.execute(
        scoped(
            select(Unit.code, Unit.name, *_colour_sums())
            .select_from(Warning)
            .join(Unit, Unit.id == Warning.unit_id, isouter=True)
            .where(open_)
            .group_by(Unit.code, Unit.name, Unit.path)
            .order_by(Unit.path.asc().nulls_last()),
            unit_ids,
        )
    )
    by_rule = dict(
        (key, (red, yellow))
        for key, red, yellow in db.session.execute(
            scoped(
                select(Warning.rule, *_colour_sums()).where(open_).group_by(Warning.rule), unit_ids
            )
        )
    )
    return {
        **open_counts(unit_ids),
        "by_unit": [
            {
                "unit": code,
                "name": name or "（未关联单位）",
                "red": int(red),
                "yellow": int(yellow),
                "total": int(red) + int(yellow),
            }
            for code, name, red, yellow in by_unit
        ],
        "by_rule": [
            {
                "rule": rule.key,
                "label": rule.label,
                "red": int(red),
                "yellow": int(yellow),
                "total": int(red) + int(yellow),
            }
            for rule in RULES
            for red, yellow in [by_rule.get(rule.key, (0, 0))]
        ],
    }


def open_warnings(unit_ids: list[int] | None = None, limit: int = 200) -> list[dict[str, Any]]:
    """Open warnings as plain rows, red first and oldest first (the report's list)."""
    query = scoped(
        select(Warning)
        .options(selectinload(Warning.unit))
        .where(Warning.status.in_(OPEN_STATUSES)),
        unit_ids,
    )
    red_first = case((Warning.colour == "red", 0), else_=1)
    rows = db.session.scalars(query.order_by(red_first, Warning.raised_at, Warning.id).limit(limit))
    labels = {rule.key: rule.label for rule in RULES}
    return [
        {
            "id": w.id,
            "rule": w.rule,
            "rule_label": labels.get(w.rule, w.rule),
            "colour": w.colour,
            "colour_label": w.colour_label,
            "title": w.title,
            "unit": w.unit.code if w.unit else None,
            "unit_name": w.unit.name if w.unit else None,
            "status": w.status,
            "status_label": w.status_label,
            "raised_at": clock.display(w.raised_at),
            "risk_point_id": w.risk_point_id,
            "proposal": w.proposal,
        }
        for w in rows
    ]
