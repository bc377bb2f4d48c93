"""首违不罚 rules: leniency rates far above the bureau median, and one officer deciding for
the same party again and again. Officers are named by name (``people.named``).

Rates are those of ``riskctl.leniency.stats`` (a unit's decisions per officer taking part,
an officer's decisions), per quarter: the quarter before today's and today's own."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from dateutil.relativedelta import relativedelta
from sqlalchemy import func, select

from riskctl.accounts.models import Unit
from riskctl.core.db import db
from riskctl.leniency.models import LeniencyRecord, RecordOfficer
from riskctl.leniency.stats import queries as stats
from riskctl.warnings.rules.base import (
    MAX_EVIDENCE,
    RED,
    YELLOW,
    Evidence,
    ScanContext,
    Signal,
    define_rule,
    doubling,
    lookback_months,
    number,
    whole,
)
from riskctl.warnings.rules.people import named

R = LeniencyRecord


@dataclass(frozen=True)
class RateRow:
    key: str  # unit code or officer number
    unit: str | None  # the unit's code; an officer's: that of their latest decision
    unit_name: str
    decisions: int
    rate: float
    records: tuple[tuple[int, date], ...] = ()  # an officer's decisions, the latest first
    person: str = ""  # an officer's name from the roster, when known


@dataclass(frozen=True)
class PeriodRates:
    key: str  # "2026-Q4"
    label: str  # "2026年第4季度"
    start: date
    end: date
    median: float | None
    rows: tuple[RateRow, ...]


def quarters(today: date) -> list[tuple[str, str, stats.Period]]:
    """The quarter before today's and today's own, oldest first."""
    current = stats.quarter_of(today)
    previous = stats.quarter_of(current.start - relativedelta(days=1))
    found = []
    for period in (previous, current):
        year, number = period.start.year, (period.start.month - 1) // 3 + 1
        found.append((f"{year}-Q{number}", f"{year}年第{number}季度", period))
    return found


def _gather_units(ctx: ScanContext, params: Mapping[str, Any]) -> list[PeriodRates]:
    found = []
    for key, label, period in quarters(ctx.today):
        table = stats.unit_rates(period, params["factor"])
        rows = tuple(RateRow(r.key, r.key, r.label, r.decisions, r.rate) for r in table.rows)
        found.append(PeriodRates(key, label, period.start, period.end, table.median, rows))
    return found


def _officer_records(period: stats.Period, least: int) -> dict[str, RateRow]:
    """Officers with at least ``least`` decisions: their latest unit and decisions."""
    ranked = (
        select(
            RecordOfficer.number,
            Unit.code,
            Unit.name,
            R.id,
            R.occurred_on,
            func.row_number()
            .over(partition_by=RecordOfficer.number, order_by=(R.occurred_on.desc(), R.id.desc()))
            .label("n"),
            func.count().over(partition_by=RecordOfficer.number).label("total"),
        )
        .join(R, R.id == RecordOfficer.record_id)
        .join(Unit, Unit.id == R.unit_id)
        .where(R.occurred_on.between(period.start, period.end))
        .subquery()
    )
    rows = db.session.execute(
        select(
            ranked.c.number,
            ranked.c.code,
            ranked.c.name,
            ranked.c.total,
            ranked.c.id,
            ranked.c.occurred_on,
        )
        .where(ranked.c.total >= least, ranked.c.n <= MAX_EVIDENCE)
        .order_by(ranked.c.number, ranked.c.n)
    )
    found: dict[str, RateRow] = {}
    for officer, unit, name, total, record_id, day in rows:
        known = found.get(officer) or RateRow(officer, unit, name, total, float(total))
        found[officer] = RateRow(
            officer,
            known.unit,
            known.unit_name,
            total,
            float(total),
            (*known.records, (record_id, day)),
        )
    return found


def _gather_officers(ctx: ScanContext, params: Mapping[str, Any]) -> list[PeriodRates]:
    found = []
    for key, label, period in quarters(ctx.today):
        table = stats.officer_rates(period, params["factor"])
        known = _officer_records(period, params["min_decisions"])
        rows = (known.get(r.key, RateRow(r.key, None, "", r.decisions, r.rate)) for r in table.rows)
        rows = tuple(named(rows, lambda row: row.key))
        found.append(PeriodRates(key, label, period.start, period.end, table.median, rows))
    return found


def _rate_title(row: RateRow, period: PeriodRates, kind: str, ratio: float) -> str:
    if kind == "unit":
        return (
            f"{row.unit_name}{period.label}首违不罚决定 {row.decisions} 件，"
            f"人均 {row.rate:g} 件，为全局中位数 {period.median:g} 件的 {ratio:.1f} 倍"
        )
    return (
        f"执法人员{row.person or f' {row.key}'}（{row.unit_name}）{period.label}"
        f"参与首违不罚决定 {row.decisions} 件，为全局中位数 {period.median:g} 件的 {ratio:.1f} 倍"
    )


def rate_signals(
    periods: Sequence[PeriodRates], params: Mapping[str, Any], kind: str
) -> list[Signal]:
    """Rows with at least ``min_decisions`` whose rate exceeds ``factor`` × the median:
    yellow, red from twice that. ``kind`` is "unit" or "officer"."""
    factor, least = params["factor"], params["min_decisions"]
    signals = []
    for period in periods:
        if not period.median:
            continue
        for row in period.rows:
            ratio = row.rate / period.median
            if row.decisions < least or ratio <= factor:
                continue
            records = tuple(
                Evidence(f"免罚记录 #{rid}（{day.isoformat()}）", "leniency_record", str(rid))
                for rid, day in row.records
            )
            listing = Evidence(
                f"{row.unit_name} {period.label}全部免罚记录",
                "leniency_list",
                f"{row.unit}:{period.key}",
                (
                    ("unit", row.unit or ""),
                    ("from", period.start.isoformat()),
                    ("to", period.end.isoformat()),
                ),
            )
            signals.append(
                Signal(
                    f"{kind}:{row.key}:{period.key}",
                    row.unit,
                    RED if ratio > 2 * factor else YELLOW,
                    _rate_title(row, period, kind, ratio),
                    (*records, listing),
                )
            )
    return signals


_RATE_THRESHOLDS = {
    "factor": ("免罚率超过全局中位数的倍数", 2.0, number(1, 100, "倍")),
    "min_decisions": ("期间内至少作出的免罚决定数", 10, whole(1, 100000, "件")),
}

UNIT_RATE = define_rule(
    "leniency_unit_rate",
    "单位免罚率畸高",
    "单位本季度或上季度的首违不罚人均决定数超过全局中位数的设定倍数（且决定数达到下限）为黄色，"
    "超过两倍设定倍数为红色。",
    gather=_gather_units,
    evaluate=lambda data, params: rate_signals(data, params, "unit"),
    thresholds=_RATE_THRESHOLDS,
    proposal="首违不罚适用把关不严、以免罚代替处罚（职权：行政处罚；环节：决定）",
)
OFFICER_RATE = define_rule(
    "leniency_officer_rate",
    "执法人员免罚率畸高",
    "执法人员本季度或上季度参与的首违不罚决定数超过全局中位数的设定倍数（且决定数达到下限）为黄色，"
    "超过两倍设定倍数为红色。",
    gather=_gather_officers,
    evaluate=lambda data, params: rate_signals(data, params, "officer"),
    thresholds=_RATE_THRESHOLDS,
    proposal="执法人员滥用首违不罚、选择性执法（职权：行政处罚；环节：决定）",
)


# The same party, again and again ------------------------------------------------


@dataclass(frozen=True)
class PartyRepeat:
    officer: str
    party_key: str
    party: str  # masked id and name
    unit: str  # unit of the latest decision
    records: tuple[tuple[int, date], ...]  # (id, occurred_on), oldest first
    person: str = ""  # the officer's name from the roster, when known


def _gather_repeats(ctx: ScanContext, params: Mapping[str, Any]) -> list[PartyRepeat]:
    start = ctx.today - relativedelta(months=params["months"])
    window = R.occurred_on.between(start, ctx.today)
    pairs = (
        select(RecordOfficer.number, R.party_key)
        .join(R, R.id == RecordOfficer.record_id)
        .where(window)
        .group_by(RecordOfficer.number, R.party_key)
        .having(func.count() >= params["times"])
        .subquery()
    )
    rows = db.session.execute(
        select(
            RecordOfficer.number,
            R.party_key,
            R.party_masked,
            R.party_name,
            Unit.code,
            R.id,
            R.occurred_on,
        )
        .join(R, R.id == RecordOfficer.record_id)
        .join(Unit, Unit.id == R.unit_id)
        .join(pairs, (pairs.c.number == RecordOfficer.number) & (pairs.c.party_key == R.party_key))
        .where(window)
        .order_by(RecordOfficer.number, R.party_key, R.occurred_on, R.id)
    )
    found: dict[tuple[str, str], PartyRepeat] = {}
    for officer, key, masked, name, unit, record_id, day in rows:
        known = found.get((officer, key))
        records = (*known.records, (record_id, day)) if known else ((record_id, day),)
        found[(officer, key)] = PartyRepeat(officer, key, f"{masked} {name}", unit, records)
    return named(found.values(), lambda repeat: repeat.officer)


def repeat_signals(repeats: Sequence[PartyRepeat], params: Mapping[str, Any]) -> list[Signal]:
    """An officer on ``times`` or more decisions for one party in the window: yellow, red
    from twice as many."""
    times, months = params["times"], params["months"]
    signals = []
    for repeat in repeats:
        count = len(repeat.records)
        colour = doubling(count, times)
        if colour is None:
            continue
        evidence = tuple(
            Evidence(f"免罚记录 #{rid}（{day.isoformat()}）", "leniency_record", str(rid))
            for rid, day in repeat.records[-MAX_EVIDENCE:]
        )
        signals.append(
            Signal(
                f"officer:{repeat.officer}:party:{repeat.party_key}",
                repeat.unit,
                colour,
                f"执法人员{repeat.person or f' {repeat.officer} '}在 {months} 个月内 {count} 次"
                f"对同一当事人（{repeat.party}）作出免罚决定",
                evidence,
            )
        )
    return signals


SAME_PARTY = define_rule(
    "leniency_same_party",
    "同一人员反复免罚同一当事人",
    "同一执法人员在设定月数内对同一当事人作出首违不罚决定达到设定次数为黄色，达到两倍为红色。",
    gather=_gather_repeats,
    evaluate=repeat_signals,
    thresholds={
        "times": ("同一当事人的免罚决定次数", 3, whole(2, 1000, "次")),
        "months": lookback_months(),
    },
    proposal="执法人员与当事人存在利益关系、人情执法（职权：行政处罚；环节：决定）",
)


# Leniency again under the other ground ----------------------------------------------


@dataclass(frozen=True)
class OtherGround:
    record_id: int
    occurred_on: date
    status: str
    unit: str
    party: str  # masked id and name
    prior_id: int
    prior_on: date
    refusals: tuple[int, ...]  # refused 首违 attempts for the same party and item


def _gather_other_ground(ctx: ScanContext, params: Mapping[str, Any]) -> list[OtherGround]:
    from riskctl.leniency.models import LeniencyRefusal

    start = ctx.today - relativedelta(months=params["months"])
    prior = R.__table__.alias("prior")
    rows = db.session.execute(
        select(
            R.id,
            R.occurred_on,
            R.status,
            Unit.code,
            R.party_masked,
            R.party_name,
            R.party_key,
            R.item_id,
            prior.c.id,
            prior.c.occurred_on,
        )
        .join(Unit, Unit.id == R.unit_id)
        .join(prior, prior.c.id == R.review_prior_id)
        .where(R.review_prior_id.is_not(None), R.occurred_on >= start)
        .order_by(R.id)
    ).all()
    found = []
    for rid, day, status, unit, masked, name, key, item_id, prior_id, prior_on in rows:
        refused = db.session.scalars(
            select(LeniencyRefusal.id).where(
                LeniencyRefusal.party_key == key, LeniencyRefusal.item_id == item_id
            )
        ).all()
        found.append(
            OtherGround(
                rid, day, status, unit, f"{masked} {name}", prior_id, prior_on, tuple(refused)
            )
        )
    return found


def other_ground_signals(found: Sequence[OtherGround], params: Mapping[str, Any]) -> list[Signal]:
    """A 轻微不罚 record for a party that already had a leniency record for the same item:
    yellow; red when a 首违 attempt for the same party and item had been refused (the
    ground was switched after the refusal)."""
    signals = []
    for item in found:
        evidence = [
            Evidence(
                f"免罚记录 #{item.record_id}（{item.occurred_on.isoformat()}）",
                "leniency_record",
                str(item.record_id),
            ),
            Evidence(
                f"在先免罚记录 #{item.prior_id}（{item.prior_on.isoformat()}）",
                "leniency_record",
                str(item.prior_id),
            ),
        ]
        if item.refusals:
            evidence.append(Evidence("被拒绝的重复首违申请", "leniency_refusals"))
        switched = "，此前同一事项的首违申请曾被拒绝" if item.refusals else ""
        signals.append(
            Signal(
                f"record:{item.record_id}",
                item.unit,
                RED if item.refusals else YELLOW,
                f"当事人 {item.party} 在 {params['months']} 个月内就同一事项再次获得免罚，"
                f"改按轻微不罚作出（记录 #{item.record_id}，在先记录 #{item.prior_id}）{switched}",
                tuple(evidence),
            )
        )
    return signals


OTHER_GROUND = define_rule(
    "leniency_other_ground",
    "换用另一情形再次免罚",
    "当事人在设定月数内就同一事项已有首违或轻微不罚记录，又按轻微不罚作出决定的（须法制审核），为黄色；"
    "此前同一当事人同一事项的首违申请曾被拒绝的，为红色。",
    gather=_gather_other_ground,
    evaluate=other_ground_signals,
    thresholds={"months": lookback_months(default=24)},
    proposal="首违申请被拒后改按轻微不罚规避重复免罚限制（职权：行政处罚；环节：决定）",
)
