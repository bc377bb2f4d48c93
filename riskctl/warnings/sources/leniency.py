"""首违不罚 rules: what they read (the leniency records and their statistics, per quarter:
the quarter before today's and today's own) and their settings."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from dateutil.relativedelta import relativedelta
from sqlalchemy import func, select

from riskctl.accounts.models import Unit
from riskctl.core.db import db
from riskctl.leniency.models import LeniencyRecord, RecordOfficer
from riskctl.leniency.stats import queries as stats
from riskctl.warnings.rules.base import MAX_EVIDENCE
from riskctl.warnings.rules.leniency import (
    OtherGround,
    PartyRepeat,
    PeriodRates,
    RateRow,
    other_ground_signals,
    rate_signals,
    repeat_signals,
)
from riskctl.warnings.sources.base import ScanContext, define_rule, lookback_months, number, whole
from riskctl.warnings.sources.people import named

R = LeniencyRecord


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
