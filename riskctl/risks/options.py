"""Settings of the register an administrator can change: the risk matrix, the level
labels, the review intervals (defined once, at import; read once per request).

The matrix's own checks (square, 2..5, monotone) are here; that no point uses a larger
scale than the new matrix is checked by ``operations.change_matrix``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import has_request_context, request

from riskctl.core import settings
from riskctl.core.setting_kinds import Choice, Grid, Integer, Keyed
from riskctl.risks.rules import (
    DEFAULT_MATRIX,
    DEFAULT_REVIEW_DAYS,
    LEVELS,
    MAX_SCALE,
    STYLE_GRADED,
    STYLE_PLAIN,
    Matrix,
    check_monotone,
)

MATRIX_KEY, STYLE_KEY, REVIEW_KEY = "risks.matrix", "risks.level_style", "risks.review_days"


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
            if cell not in LEVELS:
                raise ValueError(f"第 {number} 行有“{cell}”，每格只能是 高、中、低")
    check_monotone(value)
    return [list(row) for row in value]


def validate_review_days(value: Any) -> dict[str, int]:
    return REVIEW_DAYS(value)


REVIEW_DAYS = Keyed({level: f"{level}风险" for level in LEVELS}, Integer(1, 3650, "天"))
STYLE = Choice({STYLE_PLAIN: f"{STYLE_PLAIN}（默认）", STYLE_GRADED: STYLE_GRADED})

settings.define(
    MATRIX_KEY,
    "廉政风险矩阵",
    DEFAULT_MATRIX,
    Grid(LEVELS, MAX_SCALE, validate_matrix),
    help="每行一个可能性（从低到高），每列一个影响程度（从低到高），每格为该组合的风险等级",
)
settings.define(STYLE_KEY, "风险等级显示方式", STYLE_PLAIN, STYLE)
settings.define(
    REVIEW_KEY,
    "风险点复评周期",
    DEFAULT_REVIEW_DAYS,
    REVIEW_DAYS,
    help="风险点上次评估后，按风险等级每隔这么多天须复评",
)


def _cached(key: str, build: Callable[[Any], Any] = lambda value: value) -> Any:
    # One settings read (and one ``build`` of it) per request: a list page computes the
    # level of every row.
    if not has_request_context():
        return build(settings.get(key))
    cache = request.environ.setdefault("riskctl.risks.settings", {})
    if key not in cache:
        cache[key] = build(settings.get(key))
    return cache[key]


def prefetch_levels() -> None:
    """The matrix and the display style in one read (a list shows both on every row)."""
    settings.prefetch(MATRIX_KEY, STYLE_KEY)


def current_matrix() -> Matrix:
    return _cached(MATRIX_KEY, lambda grid: Matrix(tuple(tuple(row) for row in grid)))


def current_style() -> str:
    return _cached(STYLE_KEY)


def review_intervals() -> dict[str, int]:
    return dict(_cached(REVIEW_KEY))
