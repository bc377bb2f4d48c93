"""The scoring rule (评分规则): vetoes, group floors, refused deductions, grade bands."""

from __future__ import annotations

import copy
from decimal import Decimal

import pytest

from riskctl.reviews.defaults import default_rubric_body
from riskctl.reviews.scoring import (
    GROUP_NAMES,
    ScoringError,
    Vote,
    decide,
    grade_for,
    parse_bands,
    parse_rubric,
    score_sheet,
)

BANDS = [["优秀", 90], ["合格", 70], ["不合格", 0]]
RUBRIC = parse_rubric(default_rubric_body())


def d(code: str, points, note: str = "发现问题") -> dict:
    return {"code": code, "points": points, "note": note}


def score(deductions=(), vetoes=(), bands=BANDS):
    return score_sheet(RUBRIC, list(vetoes), list(deductions), bands)


# The default rubric ------------------------------------------------------------------


def test_the_default_rubric_has_the_seven_groups_totalling_100_and_eight_vetoes():
    assert [g.name for g in RUBRIC.groups] == list(GROUP_NAMES)
    assert sum(g.points for g in RUBRIC.groups) == 100
    assert [v.text for v in RUBRIC.veto] == [
        "主体不合法",
        "无执法资格",
        "执法人员少于2人",
        "事实不清",
        "证据不充分",
        "适用法律错误",
        "程序违法",
        "应移送未移送",
    ]


def test_every_default_item_fits_in_its_group():
    for group in RUBRIC.groups:
        assert all(item.max <= group.points for item in group.items)


# Scores -------------------------------------------------------------------------------


def test_a_clean_file_scores_100_and_is_excellent():
    result = score()
    assert (result.score, result.grade, result.vetoed) == (100, "优秀", False)


def test_deductions_are_subtracted_from_their_groups():
    result = score([d("CX1", 3), d("WS2", "0.5"), d("FL1", 2)])
    assert result.score == Decimal("94.5")
    assert result.group_scores["程序"] == 22
    assert result.group_scores["文书"] == Decimal("9.5")
    assert result.group_scores["法律适用"] == 13
    assert result.grade == "优秀"


def test_a_group_never_goes_below_zero():
    # 裁量 is worth 10; 5 + 8 + 4 = 17 deducted there still costs only 10 points.
    result = score([d("CL1", 5), d("CL2", 8), d("CL3", 4)])
    assert result.group_scores["裁量"] == 0
    assert result.score == 90


def test_floors_apply_per_group_not_across_groups():
    result = score([d("CL1", 5), d("CL2", 8), d("LJ1", 2), d("LJ2", 2), d("LJ3", 2)])
    assert (result.group_scores["裁量"], result.group_scores["立卷归档"]) == (0, 0)
    assert result.score == 85


@pytest.mark.parametrize(
    ("total", "grade"),
    [
        (Decimal(90), "优秀"),
        (Decimal("89.5"), "合格"),
        (Decimal(70), "合格"),
        (Decimal("69.5"), "不合格"),
        (Decimal(0), "不合格"),
    ],
)
def test_grade_band_edges(total, grade):
    assert grade_for(total, BANDS) == grade


def test_a_file_at_70_passes_and_below_fails():
    deductions = [d("SZ2", 8), d("SZ4", 7), d("SZ1", 5), d("CX2", 8), d("CX3", 2)]
    assert score(deductions).score == 70 and score(deductions).grade == "合格"
    deductions[-1] = d("CX3", "2.5")
    assert score(deductions).score == Decimal("69.5") and score(deductions).grade == "不合格"


def test_any_veto_makes_the_file_fail_with_zero():
    result = score([d("WS2", 1)], [{"code": "F03", "note": "现场检查笔录仅一名执法人员签名"}])
    assert (result.score, result.grade, result.vetoed) == (0, "不合格", True)
    assert [m.code for m in result.vetoes] == ["F03"]
    assert [m.code for m in result.deductions] == ["WS2"]  # kept as findings


def test_grade_bands_are_configurable():
    bands = [["好", 95], ["中", 80], ["差", 60], ["很差", 0]]
    assert score([d("CX1", 5)], bands=bands).grade == "好"
    assert score([d("CX1", 5), d("CX2", 8)], bands=bands).grade == "中"
    assert score([], [{"code": "F01", "note": "越权"}], bands=bands).grade == "很差"


# Refused input ------------------------------------------------------------------------


def test_a_deduction_larger_than_its_group_is_refused():
    with pytest.raises(ScoringError) as caught:
        score([d("CL2", 12)])
    assert caught.value.details == {"CL2": ["扣分 12 分超过“裁量”分组总分 10 分"]}


def test_a_deduction_larger_than_its_item_maximum_is_refused():
    with pytest.raises(ScoringError) as caught:
        score([d("CL1", 6)])
    assert caught.value.details == {"CL1": ["扣分 6 分超过该项最高扣分 5 分"]}


@pytest.mark.parametrize(
    ("points", "message"),
    [
        (0, "扣分应为大于 0 的数"),
        (-1, "扣分应为大于 0 的数"),
        ("abc", "扣分应为大于 0 的数"),
        (True, "扣分应为大于 0 的数"),
        ("NaN", "扣分应为大于 0 的数"),
        (1.2, "扣分须为 0.5 分的整数倍"),
    ],
)
def test_bad_points_are_refused(points, message):
    with pytest.raises(ScoringError) as caught:
        score([d("WS1", points)])
    assert caught.value.details == {"WS1": [message]}


def test_every_problem_is_reported_at_once():
    with pytest.raises(ScoringError) as caught:
        score(
            [d("XX9", 1), d("WS1", 1, note=" "), d("CX1", 9), d("CX1", 1)],
            [{"code": "F99", "note": "x"}, {"code": "F01", "note": ""}],
        )
    assert set(caught.value.details) == {"XX9", "WS1", "CX1", "F99", "F01"}
    assert caught.value.details["XX9"] == ["评查标准中没有扣分项 XX9"]
    assert caught.value.details["WS1"] == ["请写明扣分理由（发现的具体问题）"]
    assert caught.value.details["CX1"] == ["扣分 9 分超过该项最高扣分 5 分", "扣分项 CX1 重复填写"]
    assert caught.value.details["F01"] == ["请写明否决理由（发现的具体问题）"]
    assert caught.value.message == "F99：评查标准中没有否决项 F99"


# Combining sheets ----------------------------------------------------------------------


TEN = Decimal(10)


def _vote(score, vetoed=False, without=None) -> Vote:
    return Vote(Decimal(score), vetoed, Decimal(without if without is not None else score))


def _decide(votes, overturned=False, third=False):
    return decide(votes, BANDS, TEN, overturned=overturned, third_drawn=third)


def test_the_file_result_is_the_mean_rounded_half_up():
    result = _decide([_vote("87.5"), _vote(88)]).result
    assert (result.score, result.grade) == (Decimal("87.8"), "合格")


def test_a_veto_on_any_sheet_makes_the_file_fail():
    decision = _decide([_vote(95), _vote(0, True, 92)])
    assert (decision.result.score, decision.result.grade, decision.result.vetoed) == (
        0,
        "不合格",
        True,
    )
    assert decision.basis == "否决项成立" and not decision.needs_third


def test_an_overturned_veto_counts_the_sheets_deductions_and_says_so():
    decision = _decide([_vote(95), _vote(0, True, 91)], overturned=True)
    assert decision.result.score == Decimal(93) and not decision.result.vetoed
    assert decision.basis.startswith("否决项经法制科书面推翻")


def test_sheets_further_apart_than_the_margin_call_for_a_third_reviewer_once():
    decision = _decide([_vote(95), _vote(80)])
    assert decision.needs_third and decision.result is None and decision.spread == 15
    assert not _decide([_vote(95), _vote(85)]).needs_third  # exactly the margin: the mean
    after = _decide([_vote(95), _vote(80), _vote(90)], third=True)
    assert after.result.score == Decimal("88.3") and after.basis == "3 份评分表平均"


# Rubric validation --------------------------------------------------------------------


def _body():
    return copy.deepcopy(default_rubric_body())


def test_groups_must_total_100():
    body = _body()
    body["groups"][0]["points"] = 15
    with pytest.raises(ScoringError) as caught:
        parse_rubric(body)
    assert caught.value.details == {"groups": ["各分组分值合计应为 100 分，现为 105 分"]}


def test_an_item_worth_more_than_its_group_is_refused():
    body = _body()
    body["groups"][6]["items"][0]["max"] = 6
    with pytest.raises(ScoringError) as caught:
        parse_rubric(body)
    assert caught.value.details == {"LJ1": ["最高扣分 6 分超过“立卷归档”分组总分 5 分"]}


def test_groups_are_the_seven_named_ones_in_order():
    body = _body()
    body["groups"][0]["name"] = "其他"
    with pytest.raises(ScoringError) as caught:
        parse_rubric(body)
    assert (
        "主体、事实与证据、程序、法律适用、裁量、文书、立卷归档"
        in caught.value.details["groups"][0]
    )


def test_codes_are_unique_across_vetoes_and_items():
    body = _body()
    body["groups"][1]["items"][0]["code"] = "F01"
    with pytest.raises(ScoringError) as caught:
        parse_rubric(body)
    assert caught.value.details["事实与证据"] == ["编号 F01 重复"]


def test_a_rubric_must_be_an_object():
    with pytest.raises(ScoringError):
        parse_rubric(["not", "a", "rubric"])


# Grade bands setting ------------------------------------------------------------------------


def test_valid_bands_are_normalised():
    assert parse_bands([["优秀", 90], ["合格", "70"], ["不合格", 0]]) == [
        ["优秀", 90.0],
        ["合格", 70.0],
        ["不合格", 0.0],
    ]


@pytest.mark.parametrize(
    ("bands", "message"),
    [
        ([["合格", 70]], "至少需要两个等级"),
        ([["合格", 70], ["优秀", 90], ["不合格", 0]], "从高到低"),
        ([["合格", 70], ["不合格", 10]], "最后一个等级的最低分须为 0"),
        ([["合格", 70], ["合格", 0]], "重复"),
        ([["", 70], ["不合格", 0]], "名称不能为空"),
        ([["优秀", 120], ["不合格", 0]], "0 到 100"),
        ("优秀", "至少需要两个等级"),
    ],
)
def test_bad_bands_are_refused(bands, message):
    with pytest.raises(ValueError, match=message):
        parse_bands(bands)


def test_no_rubric_holds_a_long_code_so_a_mark_over_40_characters_is_refused():
    """The API document bounds a mark's code to 40 characters: scoring makes it true."""
    body = _body()
    body["groups"][6]["items"][0]["code"] = "L" * 21
    with pytest.raises(ScoringError) as caught:
        parse_rubric(body)
    assert caught.value.details == {"立卷归档": ["编号不能为空，且不超过 20 个字符"]}
    long = "CL2" + "X" * 38
    with pytest.raises(ScoringError) as caught:
        score([d(long, 1)], [{"code": long, "note": "x"}])
    assert caught.value.details[long] == [
        f"评查标准中没有否决项 {long}",
        f"评查标准中没有扣分项 {long}",
    ]
