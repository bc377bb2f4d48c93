"""Settings an administrator can change for 首违不罚 (defined once, at import)."""

from __future__ import annotations

from riskctl.core import settings
from riskctl.core.setting_kinds import Integer, Number

LOOKBACK = settings.define(
    "leniency.lookback_months",
    "首违不罚回溯期",
    24,
    Integer(1, 1200, "个月"),
    help="同一当事人在此期间内已有首违不罚决定的，不再适用首违不罚",
)
CORRECTION_DAYS = settings.define(
    "leniency.correction_working_days",
    "默认整改期限",
    10,
    Integer(1, 250, "个工作日"),
    help="录入免罚决定时，整改期限的默认值",
)
FOLLOWUP_GRACE = settings.define(
    "leniency.followup_grace_working_days",
    "整改期满后完成复查的期限",
    3,
    Integer(1, 250, "个工作日"),
)
RATE_WARNING = settings.define(
    "leniency.rate_warning_ratio",
    "免罚率高于全局中位数的预警倍数",
    2.0,
    Number(0, 1000, "倍"),
    help="免罚统计页中，比值达到此倍数的单位或人员标红",
)


def lookback_months() -> int:
    return settings.get(LOOKBACK.key)


def correction_days() -> int:
    return settings.get(CORRECTION_DAYS.key)


def followup_grace() -> int:
    return settings.get(FOLLOWUP_GRACE.key)


def rate_warning_ratio() -> float:
    return float(settings.get(RATE_WARNING.key))
