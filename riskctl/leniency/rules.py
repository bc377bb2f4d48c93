"""The rules of 首违不罚 as plain functions: grounds, the repeat rule, the lifecycle.

No Flask, no database: the operations feed these with plain values, and the tests
exercise them directly.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta

MINOR, FIRST_OFFENCE = "minor", "first_offence"
GROUNDS = (FIRST_OFFENCE, MINOR)
GROUND_LABELS = {FIRST_OFFENCE: "首违可以不罚", MINOR: "轻微不罚"}
ARTICLE_33 = "《中华人民共和国行政处罚法》第三十三条第一款"
# The two sentences of 第三十三条第一款: 轻微不罚 is mandatory ("不予"),
# 首违 is discretionary ("可以不予").
GROUND_WORDING = {
    MINOR: "违法行为轻微并及时改正，没有造成危害后果的，不予行政处罚。",
    FIRST_OFFENCE: "初次违法且危害后果轻微并及时改正的，可以不予行政处罚。",
}

RECORDED, COMMITTED, CORRECTED, FAILED, REFERRED, CLOSED = (
    "recorded",
    "committed",
    "corrected",
    "failed",
    "referred",
    "closed",
)
# A 轻微不罚 record for a party with an earlier leniency record for the same item waits
# for the legal office (法制审核) before it takes effect; it is approved into RECORDED or
# not approved (REVIEW_REFUSED, final: the case goes the normal way).
PENDING_REVIEW, REVIEW_REFUSED = "pending_review", "review_refused"
STATUSES = (
    PENDING_REVIEW,
    RECORDED,
    COMMITTED,
    CORRECTED,
    FAILED,
    REFERRED,
    CLOSED,
    REVIEW_REFUSED,
)
STATUS_LABELS = {
    PENDING_REVIEW: "待法制审核",
    REVIEW_REFUSED: "法制审核未通过",
    RECORDED: "已登记",
    COMMITTED: "已签承诺书",
    CORRECTED: "复查通过",
    FAILED: "逾期未改正",
    REFERRED: "已转一般程序",
    CLOSED: "已结案",
}
PASSED, NOT_PASSED = "passed", "failed"
FOLLOWUP_RESULTS = (PASSED, NOT_PASSED)
FOLLOWUP_LABELS = {PASSED: "已按期改正", NOT_PASSED: "未按期改正"}


def ground_text(ground: str) -> str:
    """The ground with its legal wording, as shown on forms and records."""
    return f"{GROUND_LABELS[ground]}：{ARTICLE_33}“{GROUND_WORDING[ground]}”"


# The repeat rule ---------------------------------------------------------------


@dataclass(frozen=True)
class Prior:
    """An existing record of the same party for the same list item."""

    record_id: int
    occurred_on: date
    unit_code: str
    unit_name: str
    party_masked: str
    ground: str


def lookback_window(occurred_on: date, months: int) -> tuple[date, date]:
    """Dates whose records make ``occurred_on`` not a first offence, both ends included.

    The window reaches forward as well as back: a record entered late for an earlier
    occurrence must not turn a later, already-recorded offence into a "first" one.
    """
    span = relativedelta(months=months)
    return occurred_on - span, occurred_on + span


def repeat_conflict(
    ground: str, occurred_on: date, priors: Iterable[Prior], months: int
) -> Prior | None:
    """The record that bars a 首违 decision, or None when the new record may stand.

    Only ``first_offence`` is barred: 轻微不罚 ("不予") applies by law whatever the
    party's history. Any earlier record counts, whatever its own ground or outcome.
    """
    if ground != FIRST_OFFENCE:
        return None
    start, end = lookback_window(occurred_on, months)
    inside = [p for p in priors if start <= p.occurred_on <= end]
    if not inside:
        return None
    return min(inside, key=lambda p: (abs((p.occurred_on - occurred_on).days), p.record_id))


def held_for_review(
    ground: str, occurred_on: date, priors: Iterable[Prior], months: int
) -> Prior | None:
    """The earlier record that holds a 轻微不罚 decision for the legal office's review.

    轻微不罚 is possible in law whatever the party's history, but after an earlier
    首违 or 轻微 record for the same item within the look-back window it is exactly how a
    refused "first offence" would be walked around: it takes effect only once the legal
    office approves it with a reason.
    """
    if ground != MINOR:
        return None
    start, end = lookback_window(occurred_on, months)
    inside = [p for p in priors if start <= p.occurred_on <= end and p.ground in GROUNDS]
    if not inside:
        return None
    return min(inside, key=lambda p: (abs((p.occurred_on - occurred_on).days), p.record_id))


def repeat_message(prior: Prior, months: int) -> str:
    """Why a 首违 decision is refused: the earlier record and the rule, nothing else.

    It never points to another ground: what the facts allow is for the officer and the
    legal office to decide, not for the refusal to suggest.
    """
    return (
        f"不能适用首违不罚：当事人 {prior.party_masked} 已于 {prior.occurred_on.isoformat()} 由"
        f"{prior.unit_name}就同一事项作出免罚决定（记录 #{prior.record_id}，"
        f"{GROUND_LABELS[prior.ground]}）。依{ARTICLE_33}，首违不罚只适用于初次违法；"
        f"同一当事人就同一事项在 {months} 个月内再次违法的，不属于初次违法"
    )


def held_message(prior: Prior, months: int) -> str:
    return (
        f"已保存为待法制审核：当事人 {prior.party_masked} 已于 {prior.occurred_on.isoformat()} 由"
        f"{prior.unit_name}就同一事项作出免罚决定（记录 #{prior.record_id}，"
        f"{GROUND_LABELS[prior.ground]}），{months} 个月内就同一事项再次适用轻微不罚的，"
        "须经法制科审核同意后才生效"
    )


# The lifecycle --------------------------------------------------------------------


class StateError(ValueError):
    """A step the record's current state does not allow; ``message`` is shown to the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _closed_guard(status: str, step: str) -> None:
    if status == PENDING_REVIEW:
        raise StateError(f"该记录待法制审核，审核通过前不生效，不能{step}")
    if status == REVIEW_REFUSED:
        raise StateError(f"该记录未通过法制审核，不能再{step}")
    if status == CLOSED:
        raise StateError(f"该记录已结案，不能再{step}")
    if status == REFERRED:
        raise StateError(f"该记录已转一般程序，不能再{step}")


def check_commitment(status: str) -> None:
    """告知承诺书 is signed once, before the follow-up."""
    _closed_guard(status, "登记告知承诺书")
    if status != RECORDED:
        raise StateError("告知承诺书已登记，不能重复登记")


def check_followup(status: str) -> None:
    """复查 comes after the commitment and happens once."""
    _closed_guard(status, "录入复查结果")
    if status == RECORDED:
        raise StateError("当事人尚未签署告知承诺书，请先登记告知承诺书再录入复查结果")
    if status in (CORRECTED, FAILED):
        raise StateError("该记录已有复查结果，不能重复录入")


def check_referral(status: str) -> None:
    """Referred to the normal penalty procedure: the correction failed, or no commitment."""
    _closed_guard(status, "移送")
    if status not in (FAILED, RECORDED):
        raise StateError("只有复查未通过（或当事人拒签告知承诺书）的记录才能转一般程序")


def check_close(status: str, signed_off: bool) -> None:
    """结案 needs a passed 复查 and the legal office's sign-off."""
    _closed_guard(status, "结案")
    if status != CORRECTED:
        raise StateError("复查通过后才能结案（当前状态：" + STATUS_LABELS[status] + "）")
    if not signed_off:
        raise StateError("法制科尚未审核，不能结案")


def check_review(status: str) -> None:
    """法制审核 of a record held for review happens once."""
    if status != PENDING_REVIEW:
        raise StateError("该记录不是待法制审核的记录，或已经审核过")


def check_signoff(status: str, signed_off: bool) -> None:
    if status in (PENDING_REVIEW, REVIEW_REFUSED):
        _closed_guard(status, "签署审核意见")
    if status == REFERRED:
        raise StateError("该记录已转一般程序，无需免罚审核")
    if signed_off:
        raise StateError("该记录已经法制科审核，不能重复审核")


def check_attachment(status: str) -> None:
    _closed_guard(status, "上传附件")


def status_after_followup(result: str) -> str:
    return CORRECTED if result == PASSED else FAILED


def is_open_for_followup(status: str) -> bool:
    """Records still waiting for their 复查 (they can become overdue)."""
    return status in (RECORDED, COMMITTED)
