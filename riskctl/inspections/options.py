"""Settings of 双随机 inspections an administrator can change, and their defaults."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from riskctl.core import settings
from riskctl.core.setting_kinds import Integer, Keyed, Percent
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


DEFAULT_RATIOS = settings.define(
    "inspection.default_ratios",
    "双随机抽查默认比例",
    {"A": "0.05", "B": "0.1", "C": "0.3", "D": "0.7"},
    Keyed({c: f"{c} 类" for c in CREDIT_CLASSES}, Percent(as_text=True), required=False),
    help="按信用风险分类（A 类风险最低）；新建抽查计划时预填，留空的类别不抽查",
)
LOOKBACK_MONTHS = settings.define(
    "inspection.lookback_months",
    "回避期限",
    12,
    Integer(0, 120, "个月"),
    help="同一检查对象此前这么多个月内的检查人员不再派往；0 表示不回避",
)
PUBLICATION_DAYS = settings.define(
    "inspection.publication_days",
    "抽查结果公示期限",
    20,
    Integer(1, 250, "个工作日"),
    help="自检查之日起计算",
)
ATTACHMENT_MAX_MB = settings.define(
    "inspection.attachment_max_mb",
    "抽查结果附件大小上限",
    10,
    Integer(1, 1024, "MB"),
)
MAX_CONFLICT_PAIRS = settings.define(
    "inspection.max_conflict_pairs",
    "一次抽查回避关系的最多条数",
    1_000_000,
    Integer(1, 100_000_000, "条"),
    help="交叉执法按单位生成回避关系，超过此条数的抽查计划不能锁定",
)
