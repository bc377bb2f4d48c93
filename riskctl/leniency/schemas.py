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
from riskctl.core.schema import BaseSchema, OutSchema, Text
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


def overdue_working_days(record) -> int | None:
    """Working days a 复查 is overdue, or None when it is done or not yet due."""
    today = clock.today()
    if not is_open_for_followup(record.status) or record.followup_due >= today:
        return None
    return current_calendar().working_days_between(record.followup_due, today)


def local_time(value) -> str | None:
    return clock.iso(value, "minutes")


class LeniencyAttachmentOut(OutSchema):
    class Meta:
        model = LeniencyAttachment

    id = fields.Integer()
    kind = fields.String()
    filename = fields.String()
    content_type = fields.String()
    size = fields.Integer()
    sha256 = fields.String()
    uploaded_at = fields.Function(lambda a: local_time(a.uploaded_at))
    uploaded_by = fields.String()


class LeniencyRecordListOut(OutSchema):
    class Meta:
        model = LeniencyRecord

    id = fields.Integer()
    party_id = fields.String(attribute="party_masked")
    party_kind = fields.String()
    party_name = fields.String()
    item_code = fields.Function(lambda r: r.item.code)
    item_name = fields.Function(lambda r: r.item_version.name)
    ground = fields.String()
    ground_label = fields.Function(lambda r: GROUND_LABELS[r.ground])
    occurred_at = fields.Function(lambda r: local_time(r.occurred_at))
    unit = fields.Function(lambda r: r.unit.code)
    unit_name = fields.Function(lambda r: r.unit.name)
    officers = fields.Function(lambda r: r.officer_numbers)
    status = fields.String()
    status_label = fields.Function(lambda r: STATUS_LABELS[r.status])
    correction_deadline = fields.Date()
    followup_due = fields.Date()
    followup_overdue_working_days = fields.Function(overdue_working_days, allow_none=True)


class LeniencyRecordOut(LeniencyRecordListOut):
    class Meta:
        model = LeniencyRecord

    party_kind_label = fields.Function(lambda r: KIND_LABELS[r.party_kind])
    item_version = fields.Function(lambda r: r.item_version.version)
    legal_basis = fields.Function(lambda r: r.item_version.legal_basis)
    conditions = fields.Function(lambda r: r.item_version.conditions)
    place = fields.String()
    facts = fields.String()
    education = fields.String()
    followup_due_provisional = fields.Boolean()
    commitment = fields.Function(
        lambda r: {
            "signed_on": r.commitment_signed_on.isoformat() if r.commitment_signed_on else None,
            "document_no": r.commitment_document_no,
        }
    )
    followup = fields.Function(
        lambda r: {
            "checked_on": r.followup_on.isoformat() if r.followup_on else None,
            "result": r.followup_result,
            "officer": r.followup_officer,
            "note": r.followup_note,
            "entered_by": r.followup_by,
        }
    )
    signoff = fields.Function(
        lambda r: {
            "signed_off_at": local_time(r.signed_off_at),
            "signed_off_by": r.signed_off_by,
            "opinion": r.signoff_opinion,
        }
    )
    referral = fields.Function(
        lambda r: {
            "referred_on": r.referred_on.isoformat() if r.referred_on else None,
            "case_no": r.referral_case_no,
            "reason": r.referral_reason,
        }
    )
    review = fields.Function(
        lambda r: {
            "earlier_record": r.review_prior_id,
            "reviewed_at": local_time(r.reviewed_at),
            "reviewed_by": r.reviewed_by,
            "note": r.review_note,
        }
    )
    closed_at = fields.Function(lambda r: local_time(r.closed_at))
    closed_by = fields.String()
    closing_note = fields.String()
    created_at = fields.Function(lambda r: local_time(r.created_at))
    created_by = fields.String()
    attachments = fields.List(fields.Nested(LeniencyAttachmentOut))


class LeniencyRefusalOut(OutSchema):
    class Meta:
        model = LeniencyRefusal

    id = fields.Integer()
    party_id = fields.String(attribute="party_masked")
    item_code = fields.Function(lambda r: r.item.code)
    unit = fields.Function(lambda r: r.unit.code)
    earlier_record_id = fields.Integer()
    occurred_on = fields.Date()
    officers = fields.Function(lambda r: r.officers.split(","))
    attempted_at = fields.Function(lambda r: local_time(r.attempted_at))
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
