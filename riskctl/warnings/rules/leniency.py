"""首违不罚 rules: leniency rates far above the bureau median, and one officer deciding for
the same party again and again. Officers are named by name
(the gathered ``person``).

Rates are those of ``riskctl.leniency.stats`` (a unit's decisions per officer taking part,
an officer's decisions), per quarter: the quarter before today's and today's own."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from riskctl.warnings.rules.base import MAX_EVIDENCE, RED, YELLOW, Evidence, Signal, doubling


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


# The same party, again and again ------------------------------------------------


@dataclass(frozen=True)
class PartyRepeat:
    officer: str
    party_key: str
    party: str  # masked id and name
    unit: str  # unit of the latest decision
    records: tuple[tuple[int, date], ...]  # (id, occurred_on), oldest first
    person: str = ""  # the officer's name from the roster, when known


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
