"""Arithmetic that every module's statistics and the quarterly report share."""

from __future__ import annotations


def share(part: int | float, whole: int | float) -> float | None:
    """``part`` as a percentage of ``whole`` with one decimal; None when there is no whole."""
    return round(100 * part / whole, 1) if whole else None
