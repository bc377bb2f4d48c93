"""The risk matrix, level labels and review intervals: pure rules and their settings."""

from datetime import date

import pytest

from riskctl.core import settings
from riskctl.core.errors import ValidationFailed
from riskctl.risks.options import (
    MATRIX_KEY,
    REVIEW_KEY,
    STYLE_KEY,
    validate_matrix,
    validate_review_days,
)
from riskctl.risks.rules import (
    DEFAULT_MATRIX,
    STYLE_GRADED,
    STYLE_PLAIN,
    Matrix,
    level_label,
    next_review,
    parse_level,
)

DEFAULT = Matrix(tuple(tuple(row) for row in DEFAULT_MATRIX))


@pytest.mark.parametrize(
    ("likelihood", "impact", "level"),
    [
        (1, 1, "低"),
        (1, 2, "低"),
        (2, 1, "低"),
        (1, 3, "中"),
        (3, 1, "中"),
        (2, 2, "中"),
        (2, 3, "高"),
        (3, 2, "高"),
        (3, 3, "高"),
    ],
)
def test_the_default_matrix_is_the_product_rule(likelihood, impact, level):
    # score = likelihood × impact: ≥6 高, 3–4 中, ≤2 低
    assert DEFAULT.level(likelihood, impact) == level


def test_a_pair_outside_the_matrix_has_no_level():
    assert DEFAULT.level(7, 1) is None
    assert DEFAULT.level(0, 2) is None


def test_levels_read_as_grades_when_the_bureau_prefers():
    assert [level_label(lv, STYLE_GRADED) for lv in ("高", "中", "低")] == ["一级", "二级", "三级"]
    assert level_label("高", STYLE_PLAIN) == "高"
    assert level_label(None, STYLE_PLAIN) == "—"


@pytest.mark.parametrize(
    ("text", "level"),
    [("高", "高"), ("一级", "高"), ("中风险", "中"), (" 三级 ", "低"), ("严重", None), ("", None)],
)
def test_levels_are_understood_in_either_style(text, level):
    assert parse_level(text) == level


def test_next_review_adds_the_interval_of_the_level():
    intervals = {"高": 90, "中": 180, "低": 360}
    assert next_review(date(2026, 1, 1), "高", intervals) == date(2026, 4, 1)
    assert next_review(date(2026, 1, 1), "低", intervals) == date(2026, 12, 27)
    assert next_review(date(2026, 1, 1), None, intervals) == date(2026, 4, 1)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ([["低"]], "2×2 到 5×5"),
        ([["低", "中"], ["中"]], "第 2 行须有 2 格"),
        ([["低", "极高"], ["中", "高"]], "“极高”"),
        ([["中", "低"], ["中", "高"]], "影响程度越大等级不能越低"),
        ([["低", "中"], ["低", "低"]], "可能性越大等级不能越低"),
    ],
)
def test_a_bad_matrix_is_refused_with_the_reason(app, value, message):
    with pytest.raises(ValueError, match=message):
        validate_matrix(value)


def test_a_4x4_matrix_is_accepted(app):
    cells = [
        ["低", "低", "中", "中"],
        ["低", "中", "中", "高"],
        ["中", "中", "高", "高"],
        ["中", "高", "高", "高"],
    ]
    assert validate_matrix(cells) == cells


def test_review_days_need_every_level_as_whole_days():
    assert validate_review_days({"高": 30, "中": 60, "低": 90}) == {"高": 30, "中": 60, "低": 90}
    with pytest.raises(ValueError, match="高风险"):
        validate_review_days({"高": 0, "中": 60, "低": 90})
    with pytest.raises(ValueError):
        validate_review_days({"高": 30})


def test_the_settings_are_defined_with_their_defaults(app, bureau):
    assert settings.get(MATRIX_KEY) == DEFAULT_MATRIX
    assert settings.get(STYLE_KEY) == STYLE_PLAIN
    assert settings.get(REVIEW_KEY) == {"高": 90, "中": 180, "低": 360}
    with pytest.raises(ValidationFailed, match="风险等级显示方式"):
        settings.change(STYLE_KEY, "ABC", actor="admin")
