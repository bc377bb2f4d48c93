"""首违不罚 statistics for a period: SQL aggregates the page, the quarterly report and
the warnings read.

Leniency rate (免罚率), the figure compared with the bureau median:
- of an officer: the number of decisions in the period on which they are one of the
  (at least two) officers;
- of a unit: its decisions in the period divided by the number of distinct officers
  who took part in them, i.e. decisions per officer, so that large and small units
  compare fairly.
The median is taken over the units (officers) with at least one decision in the period.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Select, case, func, select

from riskctl.accounts.models import Unit
from riskctl.core.db import db
from riskctl.leniency.models import LeniencyItem, LeniencyRecord, LeniencyRefusal, RecordOfficer
from riskctl.leniency.rules import (
    COMMITTED,
    FIRST_OFFENCE,
    NOT_PASSED,
    PASSED,
    PENDING_REVIEW,
    RECORDED,
    REVIEW_REFUSED,
)

R = LeniencyRecord
# Parties per IN (...) list: well under SQLite's limit of bound parameters.
_IN_CHUNK = 5000


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    @property
    def label(self) -> str:
        return f"{self.start.isoformat()} 至 {self.end.isoformat()}"


def quarter(year: int, number: int) -> Period:
    if number not in (1, 2, 3, 4):
        raise ValueError("季度应为 1 到 4")
    start = date(year, 3 * number - 2, 1)
    end = date(year + 1, 1, 1) if number == 4 else date(year, 3 * number + 1, 1)
    return Period(start, date.fromordinal(end.toordinal() - 1))


def quarter_of(day: date) -> Period:
    return quarter(day.year, (day.month - 1) // 3 + 1)


@dataclass(frozen=True)
class Count:
    key: str
    label: str
    total: int
    first_offence: int
    minor: int


@dataclass(frozen=True)
class Correction:
    passed: int
    failed: int
    pending: int
    overdue: int
    rate: float | None  # passed / (passed + failed); None before any 复查


@dataclass(frozen=True)
class Rate:
    key: str
    label: str
    decisions: int
    officers: int
    rate: float
    ratio: float | None  # rate / bureau median
    flagged: bool


@dataclass(frozen=True)
class RateTable:
    median: float | None
    rows: list[Rate] = field(default_factory=list)


@dataclass(frozen=True)
class PartyRepeat:
    """One officer on several decisions for the same party (a 预警 signal)."""

    officer: str
    party_masked: str
    decisions: int
    record_ids: list[int]


def _in(period: Period) -> object:
    """Decisions in force in the period: one held for 法制审核, or not approved, is none yet."""
    return R.occurred_on.between(period.start, period.end) & R.status.not_in(
        (PENDING_REVIEW, REVIEW_REFUSED)
    )


def _count_columns() -> tuple:
    first = func.sum(case((R.ground == FIRST_OFFENCE, 1), else_=0))
    return func.count(), first


def _counts(query: Select) -> list[Count]:
    rows = db.session.execute(query).all()
    counts = [
        Count(str(key), label, total, int(first or 0), total - int(first or 0))
        for key, label, total, first in rows
    ]
    return sorted(counts, key=lambda c: (-c.total, c.key))


def by_item(period: Period) -> list[Count]:
    total, first = _count_columns()
    per_item = (
        select(R.item_id, total.label("n"), first.label("f"))
        .where(_in(period))
        .group_by(R.item_id)
        .subquery()
    )
    return _counts(
        select(LeniencyItem.code, LeniencyItem.name, per_item.c.n, per_item.c.f).join(
            per_item, per_item.c.item_id == LeniencyItem.id
        )
    )


def by_unit(period: Period) -> list[Count]:
    total, first = _count_columns()
    per_unit = (
        select(R.unit_id, total.label("n"), first.label("f"))
        .where(_in(period))
        .group_by(R.unit_id)
        .subquery()
    )
    return _counts(
        select(Unit.code, Unit.name, per_unit.c.n, per_unit.c.f).join(
            per_unit, per_unit.c.unit_id == Unit.id
        )
    )


@dataclass(frozen=True)
class OfficerUnit:
    """An officer's decisions in one unit: by_officer and the unit rates both read these."""

    unit: str
    number: str
    total: int
    first_offence: int


def officer_units(period: Period) -> list[OfficerUnit]:
    """One join of the officers to the period's records, grouped by unit and officer."""
    total, first = _count_columns()
    rows = db.session.execute(
        select(Unit.code, RecordOfficer.number, total, first)
        .join(R, R.id == RecordOfficer.record_id)
        .join(Unit, Unit.id == R.unit_id)
        .where(_in(period))
        .group_by(Unit.code, RecordOfficer.number)
    )
    return [OfficerUnit(unit, number, n, int(f or 0)) for unit, number, n, f in rows]


def by_officer(period: Period, rows: list[OfficerUnit] | None = None) -> list[Count]:
    """``rows``: ``officer_units(period)`` when the caller has them already."""
    sums: dict[str, list[int]] = {}
    for row in officer_units(period) if rows is None else rows:
        acc = sums.setdefault(row.number, [0, 0])
        acc[0] += row.total
        acc[1] += row.first_offence
    counts = [Count(n, n, total, first, total - first) for n, (total, first) in sums.items()]
    return sorted(counts, key=lambda c: (-c.total, c.key))


def correction(period: Period, today: date) -> Correction:
    open_ = R.status.in_((RECORDED, COMMITTED))
    row = db.session.execute(
        select(
            func.sum(case((R.followup_result == PASSED, 1), else_=0)),
            func.sum(case((R.followup_result == NOT_PASSED, 1), else_=0)),
            func.sum(case((open_, 1), else_=0)),
            func.sum(case((open_ & (R.followup_due < today), 1), else_=0)),
        ).where(_in(period))
    ).one()
    passed, failed, pending, overdue = (int(v or 0) for v in row)
    rate = passed / (passed + failed) if passed + failed else None
    return Correction(passed, failed, pending, overdue, rate)


def refusals_by_unit(period: Period) -> list[tuple[str, str, int]]:
    rows = db.session.execute(
        select(Unit.code, Unit.name, func.count(LeniencyRefusal.id))
        .join(LeniencyRefusal, LeniencyRefusal.unit_id == Unit.id)
        .where(LeniencyRefusal.occurred_on.between(period.start, period.end))
        .group_by(Unit.code, Unit.name)
        .order_by(func.count(LeniencyRefusal.id).desc(), Unit.code)
    )
    return [(code, name, count) for code, name, count in rows]


def _rate_table(rows: list[tuple[str, str, int, int]], warn_ratio: float) -> RateTable:
    """rows: (key, label, decisions, officers) → rates against the median."""
    rates = [(key, label, n, k, n / k if k else float(n)) for key, label, n, k in rows]
    if not rates:
        return RateTable(None, [])
    median = statistics.median(r[4] for r in rates)
    table = []
    for key, label, n, k, rate in rates:
        ratio = round(rate / median, 3) if median else None
        table.append(
            Rate(key, label, n, k, round(rate, 3), ratio, ratio is not None and ratio >= warn_ratio)
        )
    table.sort(key=lambda r: (-r.rate, r.key))
    return RateTable(round(median, 3), table)


def unit_rates(
    period: Period,
    warn_ratio: float,
    counts: list[Count] | None = None,
    rows: list[OfficerUnit] | None = None,
) -> RateTable:
    """``counts`` (by_unit) and ``rows`` (officer_units) when the caller has them already."""
    counts = by_unit(period) if counts is None else counts
    officers: dict[str, int] = {}
    for row in officer_units(period) if rows is None else rows:
        officers[row.unit] = officers.get(row.unit, 0) + 1
    return _rate_table(
        [(c.key, c.label, c.total, officers.get(c.key, 0)) for c in counts], warn_ratio
    )


def officer_rates(
    period: Period, warn_ratio: float, counts: list[Count] | None = None
) -> RateTable:
    """``counts``: ``by_officer(period)`` when the caller has it already."""
    counts = by_officer(period) if counts is None else counts
    return _rate_table([(c.key, c.label, c.total, 1) for c in counts], warn_ratio)


def same_party_repeats(period: Period, min_count: int = 2) -> list[PartyRepeat]:
    """Officers who decided for the same party ``min_count`` times or more in the period.

    Only the parties with that many records at all are joined to their officers (few
    are); they are looked up first, on their own, so that the grouping runs once.
    """
    parties = list(
        db.session.scalars(
            select(R.party_key)
            .where(_in(period))
            .group_by(R.party_key)
            .having(func.count() >= min_count)
        )
    )
    found: dict[tuple[str, str], tuple[str, list[int]]] = {}
    for chunk in range(0, len(parties), _IN_CHUNK):
        rows = db.session.execute(
            select(RecordOfficer.number, R.party_key, R.party_masked, R.id)
            .join(R, R.id == RecordOfficer.record_id)
            .where(_in(period), R.party_key.in_(parties[chunk : chunk + _IN_CHUNK]))
        )
        for number, key, masked, record_id in rows:
            found.setdefault((number, key), (masked, []))[1].append(record_id)
    repeats = [
        PartyRepeat(number, masked, len(ids), sorted(ids))
        for (number, _), (masked, ids) in found.items()
        if len(ids) >= min_count
    ]
    return sorted(repeats, key=lambda r: (-r.decisions, r.officer, r.record_ids[0]))


@dataclass(frozen=True)
class Summary:
    """Everything the statistics page and the quarterly report show for a period."""

    period: Period
    total: int
    first_offence: int
    minor: int
    items: list[Count]
    units: list[Count]
    officers: list[Count]
    correction: Correction
    refused: int
    refused_by_unit: list[tuple[str, str, int]]
    unit_rates: RateTable
    officer_rates: RateTable
    repeats: list[PartyRepeat]


def summary(period: Period, today: date, warn_ratio: float) -> Summary:
    units, per_officer_unit = by_unit(period), officer_units(period)
    officers = by_officer(period, per_officer_unit)
    refused = refusals_by_unit(period)
    return Summary(
        period=period,
        total=sum(c.total for c in units),
        first_offence=sum(c.first_offence for c in units),
        minor=sum(c.minor for c in units),
        items=by_item(period),
        units=units,
        officers=officers,
        correction=correction(period, today),
        refused=sum(n for _, _, n in refused),
        refused_by_unit=refused,
        unit_rates=unit_rates(period, warn_ratio, units, per_officer_unit),
        officer_rates=officer_rates(period, warn_ratio, officers),
        repeats=same_party_repeats(period),
    )
