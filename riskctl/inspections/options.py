"""Settings of 双随机 inspections an administrator can change, and their defaults."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from riskctl.core import settings
from riskctl.core.settings import positive_int
from riskctl.inspections.models import CREDIT_CLASSES

# Sampling ratio bands by credit-risk class (信用风险分类监管): a ratio outside its
# band is allowed but flagged in the plan preview.
RATIO_BANDS = {
    "A": (Decimal("0"), Decimal("0.05")),
    "B": (Decimal("0.05"), Decimal("0.20")),
    "C": (Decimal("0.21"), Decimal("0.60")),
    "D": (Decimal("0.61"), Decimal("1")),
}


def parse_ratio(value: Any, label: str) -> Decimal:
    """A sampling ratio from 0 to 1 with at most four decimals; ValueError(中文) otherwise."""
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise ValueError(f"{label}应为 0 到 1 之间的数字")
    try:
        ratio = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(f"{label}“{value}”不是数字，应为 0 到 1 之间的数字") from None
    if not ratio.is_finite() or not Decimal(0) <= ratio <= Decimal(1):
        raise ValueError(f"{label} {value} 超出范围，应为 0 到 1 之间的数字（如 0.05 表示 5%）")
    if ratio.as_tuple().exponent < -4:
        raise ValueError(f"{label} {value} 最多保留四位小数")
    return ratio


def _ratios(value: Any) -> dict[str, str]:
    if not isinstance(value, dict) or not value:
        raise ValueError('应为信用等级到抽查比例的对应，如 {"A": 0.05}')
    out = {}
    for key, ratio in value.items():
        if key not in CREDIT_CLASSES:
            raise ValueError(f"信用等级“{key}”无效，应为 A、B、C、D 之一")
        out[key] = str(parse_ratio(ratio, f"{key} 类抽查比例"))
    return out


def _months(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 120:
        raise ValueError("应为 0 到 120 之间的整数（月）")
    return value


DEFAULT_RATIOS = settings.define(
    "inspection.default_ratios",
    "双随机抽查默认比例（按信用风险等级）",
    {"A": "0.05", "B": "0.1", "C": "0.3", "D": "0.7"},
    _ratios,
)
LOOKBACK_MONTHS = settings.define(
    "inspection.lookback_months",
    "回避：同一对象此前若干月内的检查人员不再派往（月）",
    12,
    _months,
)
PUBLICATION_DAYS = settings.define(
    "inspection.publication_days",
    "抽查结果公示期限（检查之日起工作日）",
    20,
    positive_int,
)
ATTACHMENT_MAX_MB = settings.define(
    "inspection.attachment_max_mb",
    "抽查结果附件大小上限（MB）",
    10,
    positive_int,
)
MAX_CONFLICT_PAIRS = settings.define(
    "inspection.max_conflict_pairs",
    "一次抽查回避关系的最多条数（交叉执法按单位生成）",
    1_000_000,
    positive_int,
)
