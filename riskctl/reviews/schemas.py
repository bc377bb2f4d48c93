"""Input and output shapes of the reviews API."""

from __future__ import annotations

from flask_smorest.fields import Upload
from marshmallow import Schema, fields, validate

from riskctl.core.api import PageArgs
from riskctl.core.schema import ANY_JSON, BaseSchema, OutSchema, Text, computed
from riskctl.draws.models import REDRAW_STATUSES
from riskctl.draws.schemas import RedrawRequestOutSchema
from riskctl.reviews.models import (
    CAMPAIGN_STATUSES,
    FILE_STATUSES,
    Assignment,
    Campaign,
    CampaignRedraw,
    CaseFile,
    Finding,
    ReviewerDraw,
    ReviewFile,
    ScoreSheet,
    yuan,
)

_CODE = validate.Regexp(r"^[A-Za-z0-9\-_]{2,40}$", error="编号只能含字母、数字、- 和 _（2–40 位）")


class ReviewerCreateSchema(BaseSchema):
    username = Text(required=True, max_length=60)
    badge_no = Text(required=True, max_length=40)


class ReviewerPatchSchema(BaseSchema):
    active = fields.Boolean(required=True)


class RubricCreateSchema(BaseSchema):
    name = Text(required=True, max_length=100)
    note = Text(load_default="", max_length=1000)
    body = fields.Dict(required=True)


class CampaignPatchSchema(BaseSchema):
    name = Text(max_length=100)
    period_start = fields.Date()
    period_end = fields.Date()
    quotas = fields.Dict(
        keys=fields.String(),
        values=fields.Raw(metadata=ANY_JSON),
        metadata={"description": "各单位代码的抽取件数", "example": {"ZD1": 3}},
    )
    reviewers = fields.List(Text(max_length=60))
    team_size = fields.Integer(validate=validate.Range(min=1, max=5, error="须为 1 到 5 人"))
    cap = fields.Integer(
        allow_none=True, validate=validate.Range(min=1, error="每人最多评查件数须不小于 1")
    )


class CampaignCreateSchema(CampaignPatchSchema):
    code = Text(required=True, max_length=40, validate=_CODE)
    name = Text(required=True, max_length=100)
    period_start = fields.Date(required=True)
    period_end = fields.Date(required=True)


class DrawSchema(BaseSchema):
    entropy = Text(required=True, max_length=500)
    entropy_source = Text(load_default="现场录入", max_length=200)


class MarkSchema(BaseSchema):
    # Checked against the rubric by scoring (messages keyed by item code), so kept raw here;
    # scoring refuses every code not in the rubric, whose codes have at most 20 characters.
    code = fields.Raw(required=True, metadata={"type": "string", "maxLength": 40, "example": "CL2"})
    points = fields.Raw(
        load_default=None, metadata={"type": "number", "description": "扣分（否决项不填）"}
    )
    note = Text(load_default="", max_length=1000)


class SheetCreateSchema(BaseSchema):
    case_no = Text(required=True, max_length=80)
    vetoes = fields.List(fields.Nested(MarkSchema), load_default=list)
    deductions = fields.List(fields.Nested(MarkSchema), load_default=list)
    comment = Text(load_default="", max_length=2000)


class ConfirmSchema(BaseSchema):
    # Refused when given: the result follows the declared rule, never one chosen sheet.
    sheet_id = fields.Integer(load_default=None, allow_none=True)
    note = Text(load_default="", max_length=2000)
    # The legal office's written reason for overturning a veto (否决项不成立的理由).
    overturn_reason = Text(load_default="", max_length=2000)


class ReferSchema(BaseSchema):
    note = Text(required=True, max_length=2000)


class ReplaceSchema(BaseSchema):
    old = Text(required=True, max_length=60)
    # Refused when given: the replacement is drawn, never named.
    new = Text(load_default=None, max_length=60)
    reason = Text(required=True, max_length=1000)


# Output ---------------------------------------------------------------------------


class CaseFileSchema(OutSchema):
    class Meta:
        model = CaseFile

    case_no = fields.String()
    unit = computed(lambda c: c.unit.code, metadata={"description": "承办单位代码"})
    unit_name = computed(lambda c: c.unit.name)
    case_type = fields.String()
    procedure = fields.String()
    handlers = fields.List(fields.String())
    handler_names = fields.String()
    approver = fields.String()
    approver_name = fields.String()
    closed_on = fields.Date()
    penalty = computed(
        lambda c: None if c.penalty_fen is None else yuan(c.penalty_fen),
        allow_none=True,
        metadata={"description": "罚款金额（元，两位小数）", "example": "200.00"},
    )


class ReviewerBriefSchema(OutSchema):
    """A reviewer as a campaign lists them (one name per shape in the OpenAPI document)."""

    username = computed(lambda r: r.user.username)
    name = computed(lambda r: r.user.display_name)
    unit = computed(lambda r: r.user.unit.code if r.user.unit else None, allow_none=True)
    badge_no = fields.String()


class ReviewerSchema(ReviewerBriefSchema):
    id = fields.Integer()
    active = fields.Boolean()


class RubricSchema(OutSchema):
    version = fields.Integer()
    name = fields.String()
    note = fields.String()
    body = fields.Dict(metadata={"description": "评查标准：否决项与各组扣分项"})
    created_at = fields.DateTime()
    created_by = fields.String()


class CampaignSchema(OutSchema):
    class Meta:
        model = Campaign

    code = fields.String()
    name = fields.String()
    period_start = fields.Date()
    period_end = fields.Date()
    quotas = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        metadata={"description": "各单位代码的抽取件数", "example": {"ZD1": 3}},
    )
    team_size = fields.Integer()
    cap = fields.Integer(metadata={"description": "每名评查人员最多评查件数"})
    status = fields.String(metadata={"enum": list(CAMPAIGN_STATUSES)})
    rubric_version = computed(lambda c: c.rubric.version, int)
    reviewers = fields.List(fields.Nested(ReviewerBriefSchema))
    manifest_id = fields.Integer()
    draw_id = fields.Integer()


class AssignmentSchema(OutSchema):
    class Meta:
        model = Assignment

    username = computed(lambda a: a.reviewer.user.username)
    name = computed(lambda a: a.reviewer.user.display_name)
    badge_no = computed(lambda a: a.reviewer.badge_no)
    by_draw = fields.Boolean()
    active = fields.Boolean()
    note = fields.String()


class ReviewFileSchema(OutSchema):
    class Meta:
        model = ReviewFile

    id = fields.Integer()
    campaign = computed(lambda f: f.campaign.code)
    case_no = computed(lambda f: f.case_file.case_no)
    unit = computed(lambda f: f.case_file.unit.code)
    position = fields.Integer()
    draw_key = fields.String()
    status = fields.String(metadata={"enum": list(FILE_STATUSES)})
    reviewers = computed(
        lambda f: [a.reviewer.badge_no for a in f.active_assignments],
        many=True,
        metadata={"description": "在评的评查人员执法证号"},
    )
    score = fields.Float()
    grade = fields.String()
    vetoed = fields.Boolean()
    result_basis = fields.String()
    confirmed_at = fields.DateTime()
    confirmed_by = fields.String()
    referred_at = fields.DateTime()
    referral_note = fields.String()


class SheetSchema(OutSchema):
    class Meta:
        model = ScoreSheet

    id = fields.Integer()
    reviewer = computed(lambda s: s.reviewer.badge_no)
    reviewer_name = computed(lambda s: s.reviewer.user.display_name)
    rubric_version = computed(lambda s: s.rubric.version, int)
    vetoes = fields.List(fields.Dict())
    deductions = fields.List(fields.Dict())
    group_scores = fields.Dict(keys=fields.String(), values=fields.Float())
    score = fields.Float()
    grade = fields.String()
    vetoed = fields.Boolean()
    comment = fields.String()
    submitted_at = fields.DateTime()


class FindingSchema(OutSchema):
    class Meta:
        model = Finding

    kind = fields.String()
    item_code = fields.String()
    item_text = fields.String()
    group = fields.String(attribute="group_name")
    points = fields.Float()
    note = fields.String()


class CampaignRedrawSchema(OutSchema, RedrawRequestOutSchema):
    class Meta:
        model = CampaignRedraw

    status = fields.String(metadata={"enum": list(REDRAW_STATUSES)})
    campaign = computed(lambda r: r.campaign.code)


class ReviewerDrawSchema(OutSchema):
    class Meta:
        model = ReviewerDraw

    number = fields.Integer()
    purpose = fields.String()
    purpose_label = fields.String()
    reason = fields.String()
    withdrawn = computed(
        lambda d: d.withdrawn.reviewer.badge_no if d.withdrawn else None, allow_none=True
    )
    manifest_id = fields.Integer()
    draw_id = fields.Integer(allow_none=True)
    drawn = computed(
        lambda d: d.assignment.reviewer.badge_no if d.assignment else None, allow_none=True
    )
    requested_by = fields.String()
    requested_at = fields.DateTime()
    public_url = computed(
        lambda d: (
            f"/public/draws/{d.draw_id}"
            if d.draw_id
            else f"/public/draws/manifests/{d.manifest_id}"
        )
    )


class ReviewFileDetailSchema(ReviewFileSchema):
    veto_overturned_by = fields.String(allow_none=True)
    veto_overturn_reason = fields.String(allow_none=True)
    reviewer_draws = fields.List(fields.Nested(ReviewerDrawSchema))
    case_file = fields.Nested(CaseFileSchema)
    assignments = fields.List(fields.Nested(AssignmentSchema))
    findings = fields.List(fields.Nested(FindingSchema))
    sheets = fields.List(
        fields.Nested(SheetSchema), metadata={"description": "评分表（评查人员只见本人的）"}
    )


class CaseFileArgs(PageArgs):
    unit = Text(load_default=None, max_length=40, metadata={"description": "单位代码"})
    start = fields.Date(load_default=None, metadata={"description": "结案日期起"})
    end = fields.Date(load_default=None, metadata={"description": "结案日期止"})
    q = Text(load_default=None, max_length=100, metadata={"description": "关键词"})
    QUERY_ERROR_STATUS = 422


class DryRunArgs(BaseSchema):
    dry_run = fields.String(
        load_default="",
        validate=validate.OneOf(("", "0", "1", "true", "false")),
        metadata={"description": "1 只检查不导入"},
    )


class CaseFileImportIn(BaseSchema):
    file = Upload(required=True, metadata={"description": ".xlsx 或 .csv 结案案卷登记表"})


class CaseFileImportOut(OutSchema):
    created = fields.Integer()
    updated = fields.Integer()
    unchanged = fields.Integer()
    dry_run = fields.Boolean()


class ReviewerListSchema(Schema):
    items = fields.List(fields.Nested(ReviewerSchema), required=True)
    total = fields.Integer(required=True)


class RubricListSchema(Schema):
    items = fields.List(fields.Nested(RubricSchema), required=True)
    total = fields.Integer(required=True)
