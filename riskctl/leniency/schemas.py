"""Input and output schemas of 首违不罚. Party ids leave masked; the full id has its own route."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from flask_smorest.fields import Upload
from marshmallow import ValidationError, fields, validates
from marshmallow.validate import OneOf

from riskctl.core import clock
from riskctl.core.api import PageArgs
from riskctl.core.calendar import current_calendar
from riskctl.core.ids import IdError, validate_party_id
from riskctl.core.schema import BaseSchema, Grouped, OutSchema, Text, computed
from riskctl.leniency.models import (
    ATTACHMENT_KINDS,
    LeniencyAttachment,
    LeniencyRecord,
    LeniencyRefusal,
)
from riskctl.leniency.party import KIND_LABELS
from riskctl.leniency.rules import (
    FOLLOWUP_LABELS,
    FOLLOWUP_RESULTS,
    GROUND_LABELS,
    GROUNDS,
    STATUS_LABELS,
    is_open_for_followup,
)

MIN_OFFICERS = 2
_CODE = re.compile(r"[A-Z0-9][A-Z0-9-]{0,19}")
_SPACES = re.compile(r"\s+")


def normalise_code(value: str) -> str:
    """Codes and inspector numbers compare ignoring width, case and spaces."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", value)).upper()


class Code(Text):
    """An item code such as CG-001 (letters, digits and hyphens)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_length=20, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        code = normalise_code(super()._deserialize(value, attr, data, **kwargs))
        if not _CODE.fullmatch(code):
            raise ValidationError("事项编号只能由字母、数字和“-”组成，最长 20 位")
        return code


class OfficerNumber(Text):
    """An inspector number (人员编号) of the 执法检查人员名录库, matched ignoring case and width."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_length=40, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        return normalise_code(super()._deserialize(value, attr, data, **kwargs))


def _choice(values: tuple[str, ...], labels: dict[str, str]) -> OneOf:
    shown = "、".join(f"{v}（{labels[v]}）" for v in values)
    return OneOf(values, error=f"应为以下之一：{shown}")


# Input ------------------------------------------------------------------------------


class LeniencyRecordIn(BaseSchema):
    party_id = Text(required=True, max_length=40)
    party_name = Text(required=True, max_length=100)
    item_code = Code(required=True)
    ground = fields.String(required=True, validate=_choice(GROUNDS, GROUND_LABELS))
    occurred_at = fields.DateTime(required=True)
    place = Text(required=True, max_length=200)
    officers = fields.List(OfficerNumber(), required=True)
    correction_deadline = fields.Date(load_default=None)
    unit = Text(max_length=40, load_default=None)
    facts = Text(required=True, max_length=2000)  # 违法事实
    education = Text(required=True, max_length=2000)  # 教育情况

    @validates("party_id")
    def _party_id(self, value: str, data_key: str) -> None:
        try:
            validate_party_id(value)
        except IdError as exc:
            raise ValidationError(exc.message) from exc

    @validates("officers")
    def _officers(self, value: list[str], data_key: str) -> None:
        numbers = [n for n in value if n]
        if len(set(numbers)) != len(numbers):
            raise ValidationError("执法人员有重复，请选择两名不同的执法人员")
        if len(numbers) < MIN_OFFICERS:
            raise ValidationError(
                f"执法人员不得少于 {MIN_OFFICERS} 人（《行政处罚法》第四十二条），"
                f"当前 {len(numbers)} 人"
            )


class LeniencyCommitmentIn(BaseSchema):
    signed_on = fields.Date(required=True)
    document_no = Text(max_length=60, load_default="")


class LeniencyFollowupIn(BaseSchema):
    checked_on = fields.Date(required=True)
    result = fields.String(required=True, validate=_choice(FOLLOWUP_RESULTS, FOLLOWUP_LABELS))
    officer = OfficerNumber(required=True)
    note = Text(max_length=1000, load_default="")


class LeniencyReviewIn(BaseSchema):
    """法制审核 of a record held for review: approve or not, always with a reason."""

    approve = fields.Boolean(required=True)
    note = Text(required=True, max_length=1000)


class LeniencySignoffIn(BaseSchema):
    opinion = Text(required=True, max_length=1000)


class LeniencyReferralIn(BaseSchema):
    referred_on = fields.Date(required=True)
    case_no = Text(required=True, max_length=60)
    reason = Text(required=True, max_length=1000)


class LeniencyCloseIn(BaseSchema):
    note = Text(max_length=1000, load_default="")


class LeniencyAttachmentIn(BaseSchema):
    kind = fields.String(
        load_default="evidence", validate=_choice(tuple(ATTACHMENT_KINDS), ATTACHMENT_KINDS)
    )


class LeniencyAttachmentUpload(LeniencyAttachmentIn):
    """The API's multipart form: the file and its kind."""

    file = Upload(required=True, metadata={"description": "证据材料或告知承诺书"})


# Output -----------------------------------------------------------------------------


_UNCOUNTED = object()


def overdue_working_days(record) -> int | None:
    """Working days a 复查 is overdue, or None when it is done or not yet due (a lean
    list's record carries them, counted for its page: ``overdue_days``)."""
    known = getattr(record, "overdue_days", _UNCOUNTED)
    if known is not _UNCOUNTED:
        return known
    if not is_open_for_followup(record.status):
        return None  # most rows of a page: no clock, no calendar
    today = clock.today()
    if record.followup_due >= today:
        return None
    return current_calendar().working_days_between(record.followup_due, today)


def local_time(value) -> str | None:
    return clock.iso(value, "minutes")


def _local(attr: str, **kwargs: Any):
    """A moment of the record in the bureau's time, to the minute."""
    return computed(
        lambda r: local_time(getattr(r, attr)),
        metadata={
            "description": "本地时间（北京时间，精确到分）",
            "example": "2026-03-02T09:30+08:00",
        },
        **kwargs,
    )


class LeniencyAttachmentOut(OutSchema):
    class Meta:
        model = LeniencyAttachment

    id = fields.Integer()
    kind = fields.String()
    filename = fields.String()
    content_type = fields.String()
    size = fields.Integer()
    sha256 = fields.String()
    uploaded_at = _local("uploaded_at")
    uploaded_by = fields.String()


class _RecordPart(OutSchema):
    class Meta:
        model = LeniencyRecord


class CommitmentOut(_RecordPart):
    signed_on = fields.Date(attribute="commitment_signed_on")
    document_no = fields.String(attribute="commitment_document_no")


class FollowupOut(_RecordPart):
    checked_on = fields.Date(attribute="followup_on")
    result = fields.String(attribute="followup_result")
    officer = fields.String(attribute="followup_officer")
    note = fields.String(attribute="followup_note")
    entered_by = fields.String(attribute="followup_by")


class SignoffOut(_RecordPart):
    signed_off_at = _local("signed_off_at", allow_none=True)
    signed_off_by = fields.String()
    opinion = fields.String(attribute="signoff_opinion")


class ReferralOut(_RecordPart):
    referred_on = fields.Date()
    case_no = fields.String(attribute="referral_case_no")
    reason = fields.String(attribute="referral_reason")


class ReviewOut(_RecordPart):
    earlier_record = fields.Integer(
        attribute="review_prior_id", metadata={"description": "此前同类记录的编号"}
    )
    reviewed_at = _local("reviewed_at", allow_none=True)
    reviewed_by = fields.String()
    note = fields.String(attribute="review_note")


class LeniencyRecordListOut(OutSchema):
    class Meta:
        model = LeniencyRecord

    id = fields.Integer()
    party_id = fields.String(attribute="party_masked")
    party_kind = fields.String()
    party_name = fields.String()
    item_code = computed(lambda r: r.item.code)
    item_name = computed(lambda r: r.item_version.name)
    ground = fields.String()
    ground_label = computed(lambda r: GROUND_LABELS[r.ground])
    occurred_at = _local("occurred_at")
    unit = computed(lambda r: r.unit.code)
    unit_name = computed(lambda r: r.unit.name)
    officers = computed(
        lambda r: r.officer_numbers, many=True, metadata={"description": "承办执法人员编号"}
    )
    status = fields.String()
    status_label = computed(lambda r: STATUS_LABELS[r.status])
    correction_deadline = fields.Date()
    followup_due = fields.Date()
    followup_overdue_working_days = computed(
        overdue_working_days,
        int,
        allow_none=True,
        metadata={"description": "复查逾期的工作日数（未逾期或已复查为 null）"},
    )


class LeniencyRecordOut(LeniencyRecordListOut):
    class Meta:
        model = LeniencyRecord

    party_kind_label = computed(lambda r: KIND_LABELS[r.party_kind])
    item_version = computed(lambda r: r.item_version.version, int)
    legal_basis = computed(lambda r: r.item_version.legal_basis)
    conditions = computed(lambda r: r.item_version.conditions)
    place = fields.String()
    facts = fields.String()
    education = fields.String()
    followup_due_provisional = fields.Boolean()
    commitment = Grouped(CommitmentOut, metadata={"description": "承诺书（首违不罚）"})
    followup = Grouped(FollowupOut, metadata={"description": "复查结果"})
    signoff = Grouped(SignoffOut, metadata={"description": "法制审核签发"})
    referral = Grouped(ReferralOut, metadata={"description": "转立案（复查未整改）"})
    review = Grouped(ReviewOut, metadata={"description": "法制审核（此前有同类记录的轻微不罚）"})
    closed_at = _local("closed_at", allow_none=True)
    closed_by = fields.String()
    closing_note = fields.String()
    created_at = _local("created_at")
    created_by = fields.String()
    attachments = fields.List(fields.Nested(LeniencyAttachmentOut))


class LeniencyRefusalOut(OutSchema):
    class Meta:
        model = LeniencyRefusal

    id = fields.Integer()
    party_id = fields.String(attribute="party_masked")
    item_code = computed(lambda r: r.item.code)
    unit = computed(lambda r: r.unit.code)
    earlier_record_id = fields.Integer()
    occurred_on = fields.Date()
    officers = computed(lambda r: r.officers.split(","), many=True)
    attempted_at = _local("attempted_at")
    attempted_by = fields.String()


class RecordFilterArgs(PageArgs):
    """The list filters; each is checked (422 naming it) by ``filters.record_filter``."""

    QUERY_ERROR_STATUS = 422

    unit = Text(load_default="", max_length=40, metadata={"description": "单位编码"})
    item = Text(load_default="", max_length=40, metadata={"description": "事项编码"})
    ground = Text(load_default="", max_length=20, metadata={"enum": ["", *GROUNDS]})
    status = Text(load_default="", max_length=20, metadata={"enum": ["", *STATUS_LABELS]})
    from_ = Text(
        data_key="from", load_default="", max_length=10, metadata={"description": "日期 YYYY-MM-DD"}
    )
    to = Text(load_default="", max_length=10, metadata={"description": "日期 YYYY-MM-DD"})
    overdue = Text(load_default="", max_length=5, metadata={"description": "1 只看复查逾期的"})
    party_id = Text(
        load_default="", max_length=40, metadata={"description": "完整证件号（仅法制科、机关纪委）"}
    )
    q = Text(load_default="", max_length=100, metadata={"description": "当事人名称等"})


class RefusalArgs(PageArgs):
    QUERY_ERROR_STATUS = 422

    from_ = Text(
        data_key="from", load_default="", max_length=10, metadata={"description": "日期 YYYY-MM-DD"}
    )
    to = Text(load_default="", max_length=10, metadata={"description": "日期 YYYY-MM-DD"})


def filter_mapping(args: dict[str, Any]) -> dict[str, str]:
    """The loaded query back under its parameter names, for the shared filter readers."""
    return {("from" if k == "from_" else k): v for k, v in args.items() if isinstance(v, str)}


class PartyIdOut(OutSchema):
    id = fields.Integer()
    party_id = fields.String(metadata={"description": "完整证件号"})
