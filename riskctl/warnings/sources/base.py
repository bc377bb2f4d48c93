"""A warning rule as the scan runs it: its settings, its ``gather`` and its ``evaluate``.

``gather`` (the modules of this package) reads the records with SQL aggregates and
returns plain data, moments converted to the bureau's time; ``evaluate`` is the pure
function of ``riskctl.warnings.rules`` from that data and the thresholds to signals.
Each rule's thresholds and its on/off switch are settings an administrator changes; the
scan reads them afresh at the rule's turn.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from dateutil.relativedelta import relativedelta
from sqlalchemy import select

from riskctl.core import clock, settings
from riskctl.core.db import db
from riskctl.core.setting_kinds import Integer, Kind, Number, Switch
from riskctl.core.settings import Setting, SettingDef
from riskctl.warnings.rules.base import Signal


@dataclass(frozen=True)
class ScanContext:
    today: date


@dataclass(frozen=True)
class Rule:
    key: str
    label: str
    description: str
    gather: Callable[[ScanContext, Mapping[str, Any]], Any]
    evaluate: Callable[..., list[Signal]]
    enabled: SettingDef
    thresholds: dict[str, SettingDef] = field(default_factory=dict)
    # What to register when no risk point covers the condition (建议新增的风险点).
    proposal: str = ""

    def is_enabled(self) -> bool:
        return bool(read_fresh([self.enabled])[self.enabled.key])

    def params(self) -> dict[str, Any]:
        values = read_fresh(list(self.thresholds.values()))
        return {name: values[d.key] for name, d in self.thresholds.items()}


def read_fresh(definitions: Sequence[SettingDef]) -> dict[str, Any]:
    """Values in force now, read from the database rather than the session's identity map,
    so a change committed while a scan runs is seen at the next rule's turn."""
    keys = [d.key for d in definitions]
    stored = dict(
        db.session.execute(select(Setting.key, Setting.value).where(Setting.key.in_(keys))).all()
    )
    return {d.key: json.loads(stored[d.key]) if d.key in stored else d.default for d in definitions}


def since(today: date, months: int) -> datetime:
    """The bureau's midnight ``months`` before ``today``, in UTC."""
    return clock.day_start(today - relativedelta(months=months))


# Threshold kinds: each validates a setting's value and tells the settings page how to show it.


def whole(low: int, high: int, unit: str = "") -> Integer:
    return Integer(low, high, unit)


def number(low: float, high: float, unit: str = "") -> Number:
    return Number(low, high, unit)


switch = Switch()


def lookback_months(text: str = "统计期间", default: int = 12) -> tuple[str, int, Kind]:
    """The look-back threshold most rules share: 1 to 120 months."""
    return (text, default, whole(1, 120, "个月"))


def lookback_days(text: str, default: int = 365) -> tuple[str, int, Kind]:
    """A look-back threshold in days: 1 to 3650."""
    return (text, default, whole(1, 3650, "天"))


def define_rule(
    key: str,
    label: str,
    description: str,
    *,
    gather: Callable[[ScanContext, Mapping[str, Any]], Any],
    evaluate: Callable[..., list[Signal]],
    thresholds: Mapping[str, tuple[str, Any, Kind]] | None = None,
    proposal: str = "",
) -> Rule:
    """A rule with its settings ``warnings.<key>.enabled`` and ``warnings.<key>.<threshold>``."""
    enabled = settings.define(
        f"warnings.{key}.enabled",
        f"预警规则「{label}」是否启用",
        True,
        switch,
        help=description,
        section=label,
        short="是否启用",
    )
    defined = {
        name: settings.define(
            f"warnings.{key}.{name}",
            f"预警「{label}」：{text}",
            default,
            validate,
            section=label,
            short=text,
        )
        for name, (text, default, validate) in (thresholds or {}).items()
    }
    return Rule(key, label, description, gather, evaluate, enabled, defined, proposal)
