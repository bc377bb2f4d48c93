"""Settings of the case-review audits (案卷评查) an administrator can change."""

from __future__ import annotations

from typing import Any

from riskctl.core import settings
from riskctl.core.setting_kinds import Integer, Number, Rows
from riskctl.reviews.scoring import parse_bands

GRADE_BANDS = settings.define(
    "reviews.grade_bands",
    "案卷评查等级",
    [["优秀", 90], ["合格", 70], ["不合格", 0]],
    Rows([("等级名称", str), ("最低分", float)], parse_bands, max_rows=6),
    help="从高到低填写等级名称和最低分（满分 100），最后一个等级的最低分为 0",
)
RECTIFICATION_DAYS = settings.define(
    "reviews.rectification_days", "评查问题整改期限", 20, Integer(1, 250, "个工作日")
)


THIRD_REVIEWER_MARGIN = settings.define(
    "reviews.third_reviewer_margin",
    "增抽第三名评查人员的分差",
    10,
    Number(0, 100, "分"),
    help="同一案卷两份评分表相差超过此分数时，增抽第三名评查人员",
)


def third_reviewer_margin() -> float:
    return settings.get(THIRD_REVIEWER_MARGIN.key)


def grade_bands() -> list[list[Any]]:
    return settings.get(GRADE_BANDS.key)


def rectification_days() -> int:
    return settings.get(RECTIFICATION_DAYS.key)
