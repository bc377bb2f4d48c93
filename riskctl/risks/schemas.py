"""Input and output schemas of the register (api.md "Risk point" core fields)."""

from __future__ import annotations

from flask_smorest.fields import Upload
from marshmallow import fields, validate

from riskctl.core.api import PageArgs
from riskctl.core.schema import ANY_JSON, BaseSchema, OutSchema, Text, computed
from riskctl.risks.filters import OVERDUE_CHOICES, STATUS_CHOICES
from riskctl.risks.models import (
    FIELD_LABELS,
    MEASURE_STATUSES,
    STATUS_LABELS,
    RiskMeasure,
    RiskPoint,
    RiskPointVersion,
)
from riskctl.risks.options import current_matrix, current_style
from riskctl.risks.queries import QUALITY_RULES
from riskctl.risks.rules import MAX_SCALE, level_label

_SCALE = validate.Range(1, MAX_SCALE, error="应为 {min} 到 {max} 之间的整数")
_STATUS = validate.OneOf(
    tuple(MEASURE_STATUSES),
    error="状态须为 planned（未开始）、in_progress（落实中）或 done（已落实）",
)


class RiskMeasureIn(BaseSchema):
    """防控措施: what is done, by whom, by when."""

    text = Text(required=True, max_length=500)
    owner = Text(max_length=60, load_default="")
    deadline = fields.Date(allow_none=True, load_default=None)
    status = fields.String(load_default="planned", validate=_STATUS)


class RiskPointIn(BaseSchema):
    """A new risk point. ``level`` is computed: a value sent that disagrees is refused."""

    unit = Text(required=True, max_length=40)
    post = Text(required=True, max_length=100)
    power = Text(required=True, max_length=100)
    stage = Text(required=True, max_length=50)
    title = Text(required=True, max_length=200)
    description = Text(max_length=2000, load_default="")
    category = Text(max_length=50, load_default="")
    likelihood = fields.Integer(required=True, strict=True, validate=_SCALE)
    impact = fields.Integer(required=True, strict=True, validate=_SCALE)
    level = fields.String(load_default=None, allow_none=True)
    measures = fields.List(fields.Nested(RiskMeasureIn), load_default=list)
    responsible = Text(max_length=60, load_default="")
    supervisor = Text(max_length=60, load_default="")
    indicator = Text(max_length=1000, load_default="")
    next_review = fields.Date(allow_none=True, load_default=None)
    reason = Text(max_length=500, load_default="")


PATCHABLE = tuple(name for name in RiskPointIn._declared_fields if name != "reason")


class RiskPointPatch(RiskPointIn):
    """A change: any subset of the fields, always with a ``reason`` (修改原因)."""

    reason = Text(max_length=500, load_default="")  # required: the operation says so in Chinese
    version = fields.Integer(strict=True, load_default=None, allow_none=True)

    def load(self, data, *, partial=None, **kwargs):
        # Always partial (webargs loads with partial=False), but never for reason.
        return super().load(data, partial=PATCHABLE, **kwargs)

    def on_bind_field(self, field_name, field_obj) -> None:
        super().on_bind_field(field_name, field_obj)
        if field_name in PATCHABLE:  # so the document shows them optional, as they are
            field_obj.required = False


class RiskRetireIn(BaseSchema):
    reason = Text(required=True, max_length=500)


class RiskReviewIn(BaseSchema):
    """评估: a conclusion, the day it was made, and the likelihood and impact if re-assessed."""

    note = Text(required=True, max_length=1000)
    reviewed_on = fields.Date(load_default=None, allow_none=True)
    likelihood = fields.Integer(strict=True, validate=_SCALE, load_default=None, allow_none=True)
    impact = fields.Integer(strict=True, validate=_SCALE, load_default=None, allow_none=True)


class RiskMeasureOut(OutSchema):
    class Meta:
        model = RiskMeasure

    text = fields.String()
    owner = fields.String()
    deadline = fields.Date()
    status = fields.String(metadata={"enum": list(MEASURE_STATUSES)})
    status_label = computed(lambda m: MEASURE_STATUSES[m.status])


def _level(point: RiskPoint) -> str | None:
    return current_matrix().level(point.likelihood, point.impact)


class RiskPointOut(OutSchema):
    class Meta:
        model = RiskPoint

    id = fields.Integer()
    unit = computed(lambda p: p.unit.code)
    unit_name = computed(lambda p: p.unit.name)
    post = fields.String()
    power = fields.String()
    stage = fields.String()
    title = fields.String()
    description = fields.String()
    category = fields.String()
    likelihood = fields.Integer()
    impact = fields.Integer()
    level = computed(
        _level,
        allow_none=True,
        metadata={"description": "风险等级（由可能性×影响程度计算）", "example": "高"},
    )
    level_label = computed(lambda p: level_label(_level(p), current_style()), allow_none=True)
    measures = fields.List(fields.Nested(RiskMeasureOut))
    responsible = fields.String()
    supervisor = fields.String()
    indicator = fields.String()
    next_review = fields.Date()
    last_reviewed = fields.Date()
    status = fields.String(metadata={"enum": list(STATUS_LABELS)})
    status_label = computed(lambda p: STATUS_LABELS[p.status])
    version = fields.Integer()
    retire_reason = fields.String()
    retired_at = fields.DateTime()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class RiskChangeOut(OutSchema):
    field = fields.String()
    label = computed(lambda c: FIELD_LABELS.get(c["field"], c["field"]))
    before = fields.Raw(allow_none=True, metadata=ANY_JSON)
    after = fields.Raw(allow_none=True, metadata=ANY_JSON)


class RiskVersionOut(OutSchema):
    class Meta:
        model = RiskPointVersion

    number = fields.Integer()
    action = fields.String()
    actor = fields.String()
    reason = fields.String()
    at = fields.DateTime()
    changes = fields.List(fields.Nested(RiskChangeOut))
    snapshot = fields.Dict()


class RiskImportResultOut(OutSchema):
    rows = fields.Integer()
    created = fields.Integer()
    updated = fields.Integer()
    unchanged = fields.Integer()
    dry_run = fields.Boolean()


class RiskQualityOut(OutSchema):
    point_id = fields.Integer()
    unit = fields.String(attribute="unit_code")
    unit_name = fields.String()
    title = fields.String()
    level = fields.String(allow_none=True)
    rule = fields.String(metadata={"enum": list(QUALITY_RULES)})
    reason = fields.String()


class RiskListArgs(PageArgs):
    """The register's filters (page, API list and export alike)."""

    unit = Text(max_length=40, load_default="", metadata={"description": "单位代码（含下级单位）"})
    level = fields.String(
        load_default="",
        validate=validate.Length(max=10),
        metadata={"description": "风险等级：高、中、低（或 一级、二级、三级）", "example": "高"},
    )
    status = fields.String(
        load_default="active",
        validate=validate.OneOf(tuple(STATUS_CHOICES), error="状态筛选须为 active、retired 或 all"),
        metadata={"description": "在用、已停用或全部"},
    )
    overdue = fields.String(
        load_default="",
        validate=validate.OneOf(
            ("", *OVERDUE_CHOICES), error="逾期筛选须为 review、measure 或 any"
        ),
        metadata={"description": "逾期：review 评估、measure 措施、any 任一"},
    )
    q = Text(max_length=100, load_default="", metadata={"description": "关键词"})


class RiskQualityArgs(PageArgs):
    rule = fields.String(
        load_default="",
        validate=validate.OneOf(
            ("", *QUALITY_RULES), error="rule 须为 " + "、".join(QUALITY_RULES)
        ),
        metadata={"description": "只看这一条规则"},
    )


class RiskImportIn(BaseSchema):
    """The multipart form of the import."""

    file = Upload(required=True, metadata={"description": ".xlsx 或 .csv 登记表"})
    reason = Text(max_length=500, load_default="", metadata={"description": "修改原因"})
    dry_run = fields.Boolean(load_default=False, metadata={"description": "只检查不写入"})
