"""The rules of the register (廉政风险点登记规则): risk matrix, level labels, review intervals.

Pure functions over plain data, plus the settings an administrator can change.
The matrix is an explicit table (rows = likelihood 1..n, columns = impact 1..n)
rather than a score formula: bureaus often weight impact above likelihood, and a
table expresses that without a second setting. The default is what the score
rule ``likelihood × impact`` gives (≥6 高, 3–4 中, ≤2 低).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from flask import has_request_context, request

from riskctl.core import settings

HIGH, MEDIUM, LOW = "高", "中", "低"
LEVELS = (HIGH, MEDIUM, LOW)
_RANK = {LOW: 0, MEDIUM: 1, HIGH: 2}
GRADED = {HIGH: "一级", MEDIUM: "二级", LOW: "三级"}
STYLE_PLAIN, STYLE_GRADED = "高/中/低", "一级/二级/三级"
DEFAULT_MATRIX = [[LOW, LOW, MEDIUM], [LOW, MEDIUM, HIGH], [MEDIUM, HIGH, HIGH]]
DEFAULT_REVIEW_DAYS = {HIGH: 90, MEDIUM: 180, LOW: 360}
MAX_SCALE = 5

MATRIX_KEY, STYLE_KEY, REVIEW_KEY = "risks.matrix", "risks.level_style", "risks.review_days"


@dataclass(frozen=True)
class Matrix:
    """风险矩阵: ``cells[likelihood - 1][impact - 1]`` is the level."""

    cells: tuple[tuple[str, ...], ...]

    @property
    def size(self) -> int:
        return len(self.cells)

    def level(self, likelihood: int, impact: int) -> str | None:
        """The level, or None when a value lies outside the matrix."""
        if 1 <= likelihood <= self.size and 1 <= impact <= self.size:
            return self.cells[likelihood - 1][impact - 1]
        return None

    def by_code(self) -> dict[int, str]:
        """``{likelihood * 10 + impact: level}``, for a SQL CASE over both columns."""
        return {
            (row + 1) * 10 + col + 1: level
            for row, levels in enumerate(self.cells)
            for col, level in enumerate(levels)
        }


def level_label(level: str | None, style: str) -> str:
    """``高`` shown as ``一级`` when the bureau prefers graded labels."""
    if level is None:
        return "—"
    return GRADED[level] if style == STYLE_GRADED else level


def parse_level(text: str) -> str | None:
    """``高``/``一级``/``高风险``… → ``高``; None when the text is no level."""
    cleaned = text.strip().removesuffix("风险")
    if cleaned in _RANK:
        return cleaned
    return next((level for level, label in GRADED.items() if label == cleaned), None)


def next_review(base: date, level: str | None, intervals: Mapping[str, int]) -> date:
    """The next review date: ``base`` plus the level's interval (the shortest when unknown)."""
    days = intervals[level] if level in intervals else min(intervals.values())
    return base + timedelta(days=days)


# Settings ---------------------------------------------------------------------


def validate_matrix(value: Any) -> list[list[str]]:
    if not isinstance(value, list) or not 2 <= len(value) <= MAX_SCALE:
        raise ValueError(
            f"须为 2×2 到 {MAX_SCALE}×{MAX_SCALE} 的表格：每行一个可能性，每列一个影响程度"
        )
    size = len(value)
    for number, row in enumerate(value, 1):
        if not isinstance(row, list) or len(row) != size:
            raise ValueError(f"第 {number} 行须有 {size} 格（行数与列数相同）")
        for cell in row:
            if cell not in _RANK:
                raise ValueError(f"第 {number} 行有“{cell}”，每格只能是 高、中、低")
    _check_monotone(value)
    _check_scale_in_use(size)
    return [list(row) for row in value]


def _check_monotone(cells: list[list[str]]) -> None:
    # A higher likelihood or impact must never give a lower level.
    size = len(cells)
    for r in range(size):
        for c in range(size):
            if c and _RANK[cells[r][c]] < _RANK[cells[r][c - 1]]:
                raise ValueError(f"可能性 {r + 1} 那一行里，影响程度越大等级不能越低")
            if r and _RANK[cells[r][c]] < _RANK[cells[r - 1][c]]:
                raise ValueError(f"影响程度 {c + 1} 那一列里，可能性越大等级不能越低")


def _check_scale_in_use(size: int) -> None:
    from riskctl.risks.queries import largest_scale_in_use

    used = largest_scale_in_use()
    if used > size:
        raise ValueError(f"已有风险点的可能性或影响程度为 {used}，矩阵不能小于 {used}×{used}")


def validate_style(value: Any) -> str:
    if value not in (STYLE_PLAIN, STYLE_GRADED):
        raise ValueError(f"须为“{STYLE_PLAIN}”或“{STYLE_GRADED}”")
    return value


def validate_review_days(value: Any) -> dict[str, int]:
    if not isinstance(value, dict) or set(value) != set(LEVELS):
        raise ValueError('须为 {"高": 天数, "中": 天数, "低": 天数}')
    for level in LEVELS:
        days = value[level]
        if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= 3650:
            raise ValueError(f"{level}风险的评估周期须为 1 到 3650 之间的整数天")
    return {level: value[level] for level in LEVELS}


settings.define(
    MATRIX_KEY, "廉政风险矩阵（行：可能性，列：影响程度）", DEFAULT_MATRIX, validate_matrix
)
settings.define(STYLE_KEY, "风险等级显示方式", STYLE_PLAIN, validate_style)
settings.define(REVIEW_KEY, "风险点复评周期（天）", DEFAULT_REVIEW_DAYS, validate_review_days)


def _cached(key: str) -> Any:
    # One settings read per request: a list page computes the level of every row.
    if not has_request_context():
        return settings.get(key)
    cache = request.environ.setdefault("riskctl.risks.settings", {})
    if key not in cache:
        cache[key] = settings.get(key)
    return cache[key]


def current_matrix() -> Matrix:
    return Matrix(tuple(tuple(row) for row in _cached(MATRIX_KEY)))


def current_style() -> str:
    return _cached(STYLE_KEY)


def review_intervals() -> dict[str, int]:
    return dict(_cached(REVIEW_KEY))
