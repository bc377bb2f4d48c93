"""Settings of the rectification ledger (整改台账) an administrator can change."""

from __future__ import annotations

from riskctl.core import settings
from riskctl.core.setting_kinds import Integer

YELLOW_DAYS = settings.define(
    "rectification.yellow_days",
    "整改事项黄色预警",
    3,
    Integer(1, 30, "个工作日"),
    help="距整改期限还剩这么多个工作日（含）时，台账中标为黄色",
)


DEFAULT_DAYS = settings.define(
    "rectification.default_days", "整改事项默认期限", 15, Integer(1, 250, "个工作日")
)
