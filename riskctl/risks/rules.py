"""The rules of the register (廉政风险点登记规则): risk matrix, level labels, review intervals.

Pure functions over plain data: no Flask, no database. The settings an administrator
can change (the matrix, the label style, the review intervals) are in ``options.py``.
The matrix is an explicit table (rows = likelihood 1..n, columns = impact 1..n)
rather than a score formula: bureaus often weight impact above likelihood, and a
table expresses that without a second setting. The default is what the score
rule ``likelihood × impact`` gives (≥6 高, 3–4 中, ≤2 低).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

HIGH, MEDIUM, LOW = "高", "中", "低"
LEVELS = (HIGH, MEDIUM, LOW)
_RANK = {LOW: 0, MEDIUM: 1, HIGH: 2}
GRADED = {HIGH: "一级", MEDIUM: "二级", LOW: "三级"}
STYLE_PLAIN, STYLE_GRADED = "高/中/低", "一级/二级/三级"
DEFAULT_MATRIX = [[LOW, LOW, MEDIUM], [LOW, MEDIUM, HIGH], [MEDIUM, HIGH, HIGH]]
DEFAULT_REVIEW_DAYS = {HIGH: 90, MEDIUM: 180, LOW: 360}
MAX_SCALE = 5


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


def check_monotone(cells: list[list[str]]) -> None:
    # A higher likelihood or impact must never give a lower level.
    size = len(cells)
    for r in range(size):
        for c in range(size):
            if c and _RANK[cells[r][c]] < _RANK[cells[r][c - 1]]:
                raise ValueError(f"可能性 {r + 1} 那一行里，影响程度越大等级不能越低")
            if r and _RANK[cells[r][c]] < _RANK[cells[r - 1][c]]:
                raise ValueError(f"影响程度 {c + 1} 那一列里，可能性越大等级不能越低")
