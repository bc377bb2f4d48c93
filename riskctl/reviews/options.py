"""Settings of the case-review audits (案卷评查) an administrator can change."""

from __future__ import annotations

from typing import Any

from riskctl.core import settings
from riskctl.reviews.scoring import parse_bands


def _rectification_days(value: Any) -> int:
    value = settings.positive_int(value)
    if value > 250:
        raise ValueError("不能超过 250 个工作日")
    return value


GRADE_BANDS = settings.define(
    "reviews.grade_bands",
    "案卷评查等级（名称与最低分，从高到低）",
    [["优秀", 90], ["合格", 70], ["不合格", 0]],
    parse_bands,
)
RECTIFICATION_DAYS = settings.define(
    "reviews.rectification_days", "评查问题整改期限（工作日）", 20, _rectification_days
)


def _margin(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 100:
        raise ValueError("须为 0 到 100 之间的分数")
    return value


THIRD_REVIEWER_MARGIN = settings.define(
    "reviews.third_reviewer_margin",
    "评分表相差超过此分数时增抽第三名评查人员",
    10,
    _margin,
)


def third_reviewer_margin() -> float:
    return settings.get(THIRD_REVIEWER_MARGIN.key)


def grade_bands() -> list[list[Any]]:
    return settings.get(GRADE_BANDS.key)


def rectification_days() -> int:
    return settings.get(RECTIFICATION_DAYS.key)
