"""Settings of the rectification ledger (整改台账) an administrator can change."""

from __future__ import annotations

from typing import Any

from riskctl.core import settings


def _days(limit: int):
    def validate(value: Any) -> int:
        value = settings.positive_int(value)
        if value > limit:
            raise ValueError(f"不能超过 {limit} 个工作日")
        return value

    return validate


YELLOW_DAYS = settings.define(
    "rectification.yellow_days", "整改事项黄色预警：剩余工作日数（含）", 3, _days(30)
)


DEFAULT_DAYS = settings.define(
    "rectification.default_days", "整改事项默认期限（工作日）", 15, _days(250)
)
