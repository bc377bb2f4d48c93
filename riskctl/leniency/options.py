"""Settings an administrator can change for 首违不罚 (defined once, at import)."""

from __future__ import annotations

from riskctl.core import settings

LOOKBACK = settings.define(
    "leniency.lookback_months", "首违不罚回溯期（月）", 24, settings.positive_int
)
CORRECTION_DAYS = settings.define(
    "leniency.correction_working_days", "默认整改期限（工作日）", 10, settings.positive_int
)
FOLLOWUP_GRACE = settings.define(
    "leniency.followup_grace_working_days",
    "整改期满后完成复查的期限（工作日）",
    3,
    settings.positive_int,
)
RATE_WARNING = settings.define(
    "leniency.rate_warning_ratio",
    "免罚率高于全局中位数的预警倍数",
    2.0,
    settings.non_negative_number,
)


def lookback_months() -> int:
    return settings.get(LOOKBACK.key)


def correction_days() -> int:
    return settings.get(CORRECTION_DAYS.key)


def followup_grace() -> int:
    return settings.get(FOLLOWUP_GRACE.key)


def rate_warning_ratio() -> float:
    return float(settings.get(RATE_WARNING.key))
