"""The scan (预警扫描): run each enabled rule, raise new warnings, refresh the open ones.

Idempotent: a condition that already has an open warning refreshes it (last seen,
colour, evidence) and raises nothing. Two scans never interleave: on PostgreSQL a
transaction-scoped advisory lock queues the second behind the first, on SQLite the
first write does; the partial unique index on open (rule, subject) backs both.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import false, select, text, update

from riskctl.accounts.models import Unit
from riskctl.core import audit, clock
from riskctl.core.db import db, is_postgres
from riskctl.warnings.models import CLOSED, COLOUR_RANK, RAISED, Warning
from riskctl.warnings.rules.base import Signal
from riskctl.warnings.sources import RULES
from riskctl.warnings.sources.base import Rule, ScanContext

log = logging.getLogger(__name__)

_LOCK_KEY = 0x5741524E  # "WARN": one advisory lock for every scan
_CHUNK = 500


@dataclass
class RuleOutcome:
    """What one rule's turn did: ran, skipped because disabled, or failed."""

    key: str
    label: str
    state: str = "ran"
    raised: int = 0
    still_open: int = 0
    cleared: int = 0
    not_reraised: int = 0
    seconds: float = 0.0
    message: str = ""

    def line(self) -> str:
        if self.state == "disabled":
            return f"{self.label}：已停用，跳过"
        if self.state == "failed":
            return f"{self.label}：出错，已跳过（{self.message}）"
        extra = f"，条件已消除 {self.cleared} 条" if self.cleared else ""
        if self.not_reraised:
            extra += f"，已关闭且无新情况 {self.not_reraised} 条"
        return (
            f"{self.label}：新增 {self.raised} 条，仍未关闭 {self.still_open} 条{extra}"
            f"（{self.seconds:.2f} 秒）"
        )


@dataclass
class ScanReport:
    day: date
    outcomes: list[RuleOutcome] = field(default_factory=list)

    @property
    def raised(self) -> int:
        return sum(o.raised for o in self.outcomes)

    @property
    def still_open(self) -> int:
        return sum(o.still_open for o in self.outcomes)

    @property
    def skipped(self) -> list[str]:
        return [o.key for o in self.outcomes if o.state != "ran"]

    def lines(self) -> list[str]:
        head = (
            f"预警扫描（{self.day.isoformat()}）：新增 {self.raised} 条，"
            f"仍未关闭 {self.still_open} 条，跳过规则 {len(self.skipped)} 条"
        )
        return [head, *(f"  {o.line()}" for o in self.outcomes)]

    def as_dict(self) -> dict[str, Any]:
        return {
            "day": self.day.isoformat(),
            "raised": self.raised,
            "still_open": self.still_open,
            "skipped": self.skipped,
            "rules": [asdict(o) for o in self.outcomes],
            "summary": self.lines(),
        }


def run_scan(today: date | None = None, rules: Sequence[Rule] = RULES) -> ScanReport:
    """Run ``rules`` in the current transaction; the caller commits (CLI, request)."""
    _serialise()
    ctx = ScanContext(today or clock.today())
    writes = _Writes(dict(db.session.execute(select(Unit.code, Unit.id)).all()), clock.now())
    report = ScanReport(ctx.today, [_turn(rule, ctx, writes) for rule in rules])
    # The audit chain is locked from its first append to the commit: appending only now
    # keeps every other writer of the service waiting for milliseconds, not for the scan.
    for action, object_type, object_id, summary in writes.audits:
        audit.record(action, object_type, object_id, summary)
    audit.record(
        "warning.scan",
        "warning_scan",
        ctx.today.isoformat(),
        {
            "raised": report.raised,
            "still_open": report.still_open,
            "skipped": report.skipped,
            "rules": {o.key: o.line() for o in report.outcomes},
        },
    )
    return report


def _serialise() -> None:
    if is_postgres():
        db.session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})
    else:
        # SQLite: a write (matching nothing) takes the database's write lock until commit.
        db.session.execute(update(Warning).where(false()).values(status=Warning.status))


@dataclass
class _Writes:
    """What the turns share: unit ids by code, the scan's moment, audit entries to append."""

    units: dict[str, int]
    now: datetime
    audits: list[tuple[str, str, Any, dict[str, Any]]] = field(default_factory=list)


def _turn(rule: Rule, ctx: ScanContext, writes: _Writes) -> RuleOutcome:
    # The switch and thresholds are read at the rule's turn: an administrator who
    # disables a rule while a scan runs stops it from the next rule on.
    outcome = RuleOutcome(rule.key, rule.label)
    if not rule.is_enabled():
        outcome.state = "disabled"
        return outcome
    started = time.perf_counter()
    try:
        with db.session.begin_nested():  # a failing query must not abort the other rules
            params = rule.params()
            data = rule.gather(ctx, params)
        signals = rule.evaluate(data, params)
    except Exception as exc:
        log.exception("warning rule %s failed", rule.key)
        outcome.state, outcome.message = "failed", f"{type(exc).__name__}，详见服务日志"
        return outcome
    _apply(rule, signals, writes, outcome)
    outcome.seconds = round(time.perf_counter() - started, 3)
    return outcome


def _strongest(signals: Sequence[Signal]) -> dict[str, Signal]:
    found: dict[str, Signal] = {}
    for signal in signals:
        known = found.get(signal.subject_key)
        if known is None or COLOUR_RANK[signal.colour] > COLOUR_RANK[known.colour]:
            found[signal.subject_key] = signal
    return found


def _apply(rule: Rule, signals: Sequence[Signal], writes: _Writes, outcome: RuleOutcome) -> None:
    found = _strongest(signals)
    open_ = {
        w.subject_key: w
        for w in db.session.scalars(
            select(Warning).where(Warning.rule == rule.key, Warning.status != CLOSED)
        )
    }
    closed = _last_closed(rule.key, [k for k in found if k not in open_])
    pending: list[tuple[str, Warning, dict[str, Any]]] = []
    for key, signal in found.items():
        warning = open_.get(key)
        if warning is not None:
            _refresh(warning, signal, writes, pending)
            outcome.still_open += 1
        elif is_news(signal, closed.get(key)):
            _raise(rule, signal, writes, pending)
            outcome.raised += 1
        else:
            outcome.not_reraised += 1
    for key, warning in open_.items():
        if key not in found and warning.cleared_at is None:
            warning.cleared_at = writes.now
            outcome.cleared += 1
    db.session.flush()
    _audit(rule, pending, writes)
    # Every flush (each audit append is one) walks the session's identity map: thousands of
    # warnings left in it would make the appends quadratic.
    for warning in {*open_.values(), *closed.values(), *(w for _, w, _ in pending)}:
        db.session.expunge(warning)


def _audit(rule: Rule, pending: list[tuple[str, Warning, dict[str, Any]]], writes: _Writes) -> None:
    """One entry for the warnings a rule raised in this scan (like an import, the scan is
    one write: the entry names each warning), one per change of colour."""
    raised = [
        [w.id, s["subject"], s["colour"], s["unit"]] for a, w, s in pending if a == "warning.raise"
    ]
    if raised:
        writes.audits.append(
            ("warning.raise", "warning_rule", rule.key, {"count": len(raised), "warnings": raised})
        )
    writes.audits.extend(
        (action, "warning", w.id, summary)
        for action, w, summary in pending
        if action != "warning.raise"
    )


def _last_closed(rule: str, keys: list[str]) -> dict[str, Warning]:
    latest: dict[str, Warning] = {}
    for start in range(0, len(keys), _CHUNK):
        rows = db.session.scalars(
            select(Warning)
            .where(
                Warning.rule == rule,
                Warning.status == CLOSED,
                Warning.subject_key.in_(keys[start : start + _CHUNK]),
            )
            .order_by(Warning.id)
        )
        latest.update((w.subject_key, w) for w in rows)
    return latest


def is_news(signal: Signal, closed: Warning | None) -> bool:
    """A closed condition is raised again only when it got worse or rests on new records."""
    if closed is None:
        return True
    if COLOUR_RANK[signal.colour] > COLOUR_RANK[closed.colour]:
        return True
    known = {f"{e['kind']}:{e['ref']}" for e in closed.evidence}
    return any(e.key not in known for e in signal.evidence)


def _evidence(signal: Signal) -> list[dict[str, Any]]:
    return [e.as_dict() for e in signal.evidence]


def _raise(rule: Rule, signal: Signal, writes: _Writes, pending: list) -> None:
    warning = Warning(
        rule=rule.key,
        subject_key=signal.subject_key,
        unit_id=writes.units.get(signal.unit or ""),
        colour=signal.colour,
        title=signal.title,
        evidence=_evidence(signal),
        risk_point_id=signal.risk_point_id,
        proposal=None if signal.risk_point_id else rule.proposal or None,
        status=RAISED,
        raised_at=writes.now,
        last_seen_at=writes.now,
    )
    db.session.add(warning)
    pending.append(
        (
            "warning.raise",
            warning,
            {"subject": signal.subject_key, "colour": signal.colour, "unit": signal.unit},
        )
    )


def _refresh(warning: Warning, signal: Signal, writes: _Writes, pending: list) -> None:
    if signal.colour != warning.colour:
        pending.append(
            (
                "warning.colour",
                warning,
                {"from": warning.colour, "to": signal.colour, "title": signal.title},
            )
        )
        warning.colour = signal.colour
    warning.last_seen_at, warning.cleared_at = writes.now, None
    warning.title, warning.evidence = signal.title, _evidence(signal)
    warning.unit_id = writes.units.get(signal.unit or "")
