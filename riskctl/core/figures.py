"""Arithmetic that every module's statistics and the quarterly report share."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation


def share(part: int | float, whole: int | float) -> float | None:
    """``part`` as a percentage of ``whole`` with one decimal; None when there is no whole."""
    return round(100 * part / whole, 1) if whole else None


def percent_text(ratio: Decimal | float | str) -> str:
    """A ratio as the percentage a form shows: 0.155 -> "15.5", "0.05" -> "5"."""
    value = Decimal(str(ratio))
    if not value.is_finite():
        return str(value)
    return format((value * 100).normalize(), "f")


def ratio_of_percent(text: str, places: int = 2) -> Decimal:
    """A percentage typed in a form ("15", "7.5%") as the ratio 0–1 it stands for.

    ValueError(中文) unless it is a number from 0 to 100 with at most ``places`` decimals.
    """
    typed = text.strip().removesuffix("%").strip()
    try:
        percent = Decimal(typed)
    except InvalidOperation:
        raise ValueError(f"“{text.strip()}”不是数字，请填写 0 到 100 之间的百分数") from None
    if not percent.is_finite() or not 0 <= percent <= 100:
        raise ValueError(f"{typed}% 超出范围，请填写 0 到 100 之间的百分数")
    if percent.as_tuple().exponent < -places:
        raise ValueError(f"{typed}% 最多保留 {places} 位小数")
    return (percent / 100).normalize()
