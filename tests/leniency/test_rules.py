"""The repeat rule and the lifecycle as plain functions (no database, no request)."""

from __future__ import annotations

from datetime import date

import pytest

from riskctl.leniency import rules
from riskctl.leniency.rules import FIRST_OFFENCE, MINOR, Prior, StateError


def prior(record_id: int, day: date, ground: str = FIRST_OFFENCE) -> Prior:
    return Prior(record_id, day, "ZD1-1", "市容秩序第一中队", "9141**********1234", ground)


def test_the_window_reaches_the_lookback_months_back_and_forward_both_ends_included():
    assert rules.lookback_window(date(2026, 3, 15), 24) == (date(2024, 3, 15), date(2028, 3, 15))
    assert rules.lookback_window(date(2024, 2, 29), 12) == (date(2023, 2, 28), date(2025, 2, 28))


def test_an_earlier_record_inside_the_window_bars_a_first_offence():
    earlier = prior(7, date(2025, 1, 10))
    assert rules.repeat_conflict(FIRST_OFFENCE, date(2026, 3, 1), [earlier], 24) == earlier


def test_a_record_exactly_on_the_window_edge_still_counts_and_one_day_beyond_does_not():
    assert rules.repeat_conflict(FIRST_OFFENCE, date(2026, 3, 1), [prior(1, date(2024, 3, 1))], 24)
    assert (
        rules.repeat_conflict(FIRST_OFFENCE, date(2026, 3, 1), [prior(1, date(2024, 2, 29))], 24)
        is None
    )


def test_a_shorter_lookback_lets_an_old_record_go():
    old = prior(1, date(2025, 1, 10))
    assert rules.repeat_conflict(FIRST_OFFENCE, date(2026, 3, 1), [old], 12) is None


def test_a_later_record_entered_first_also_bars_a_backdated_first_offence():
    later = prior(3, date(2026, 5, 1))
    assert rules.repeat_conflict(FIRST_OFFENCE, date(2026, 3, 1), [later], 24) == later


def test_any_earlier_ground_counts_but_minor_leniency_is_never_barred():
    earlier_minor = prior(2, date(2025, 6, 1), MINOR)
    barred = rules.repeat_conflict(FIRST_OFFENCE, date(2026, 3, 1), [earlier_minor], 24)
    assert barred == earlier_minor
    assert rules.repeat_conflict(MINOR, date(2026, 3, 1), [prior(1, date(2026, 2, 1))], 24) is None


def test_the_nearest_record_is_the_one_named():
    named = rules.repeat_conflict(
        FIRST_OFFENCE,
        date(2026, 3, 1),
        [prior(1, date(2024, 6, 1)), prior(9, date(2026, 1, 5)), prior(4, date(2025, 8, 1))],
        24,
    )
    assert named.record_id == 9


def test_the_refusal_message_names_date_unit_masked_party_and_record():
    message = rules.repeat_message(prior(12, date(2025, 1, 10)), 24)
    for part in ("2025-01-10", "市容秩序第一中队", "9141**********1234", "#12", "24 个月"):
        assert part in message


def test_grounds_carry_the_wording_of_article_33():
    assert "可以不予行政处罚" in rules.ground_text(FIRST_OFFENCE)
    assert "不予行政处罚" in rules.ground_text(MINOR)
    assert "可以" not in rules.GROUND_WORDING[MINOR]
    assert "第三十三条第一款" in rules.ground_text(MINOR)


@pytest.mark.parametrize(
    ("check", "args", "message"),
    [
        (rules.check_commitment, ("committed",), "不能重复登记"),
        (rules.check_followup, ("recorded",), "尚未签署告知承诺书"),
        (rules.check_followup, ("closed",), "已结案"),
        (rules.check_followup, ("corrected",), "已有复查结果"),
        (rules.check_close, ("committed", True), "复查通过后才能结案"),
        (rules.check_close, ("failed", True), "复查通过后才能结案"),
        (rules.check_close, ("corrected", False), "法制科尚未审核"),
        (rules.check_close, ("closed", True), "已结案"),
        (rules.check_referral, ("corrected",), "才能转一般程序"),
        (rules.check_referral, ("referred",), "已转一般程序"),
        (rules.check_signoff, ("committed", True), "不能重复审核"),
        (rules.check_attachment, ("closed",), "已结案"),
    ],
)
def test_steps_out_of_order_are_refused_with_a_reason(check, args, message):
    with pytest.raises(StateError, match=message):
        check(*args)


@pytest.mark.parametrize(
    ("check", "args"),
    [
        (rules.check_commitment, ("recorded",)),
        (rules.check_followup, ("committed",)),
        (rules.check_close, ("corrected", True)),
        (rules.check_referral, ("failed",)),
        (rules.check_referral, ("recorded",)),
        (rules.check_signoff, ("corrected", False)),
    ],
)
def test_steps_in_order_pass(check, args):
    check(*args)


def test_a_followup_decides_the_next_state():
    assert rules.status_after_followup(rules.PASSED) == rules.CORRECTED
    assert rules.status_after_followup(rules.NOT_PASSED) == rules.FAILED
