"""Input and output schemas of the register (api.md "Risk point" core fields)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from riskctl.core.schema import BaseSchema, Text
from riskctl.risks.models import FIELD_LABELS, MEASURE_STATUSES, STATUS_LABELS, RiskPoint
from riskctl.risks.options import current_matrix, current_style
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
        # Always partial (callers such as json_body pass partial=False), but never for reason.
        return super().load(data, partial=PATCHABLE, **kwargs)


class RiskRetireIn(BaseSchema):
    reason = Text(required=True, max_length=500)


class RiskReviewIn(BaseSchema):
    """评估: a conclusion, the day it was made, and the likelihood and impact if re-assessed."""

    note = Text(required=True, max_length=1000)
    reviewed_on = fields.Date(load_default=None, allow_none=True)
    likelihood = fields.Integer(strict=True, validate=_SCALE, load_default=None, allow_none=True)
    impact = fields.Integer(strict=True, validate=_SCALE, load_default=None, allow_none=True)


class RiskMeasureOut(Schema):
    text = fields.String()
    owner = fields.String()
    deadline = fields.Date()
    status = fields.String()
    status_label = fields.Function(lambda m: MEASURE_STATUSES[m.status])


def _level(point: RiskPoint) -> str | None:
    return current_matrix().level(point.likelihood, point.impact)


class RiskPointOut(Schema):
    id = fields.Integer()
    unit = fields.Function(lambda p: p.unit.code)
    unit_name = fields.Function(lambda p: p.unit.name)
    post = fields.String()
    power = fields.String()
    stage = fields.String()
    title = fields.String()
    description = fields.String()
    category = fields.String()
    likelihood = fields.Integer()
    impact = fields.Integer()
    level = fields.Function(_level)
    level_label = fields.Function(lambda p: level_label(_level(p), current_style()))
    measures = fields.List(fields.Nested(RiskMeasureOut))
    responsible = fields.String()
    supervisor = fields.String()
    indicator = fields.String()
    next_review = fields.Date()
    last_reviewed = fields.Date()
    status = fields.String()
    status_label = fields.Function(lambda p: STATUS_LABELS[p.status])
    version = fields.Integer()
    retire_reason = fields.String()
    retired_at = fields.DateTime()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class RiskChangeOut(Schema):
    field = fields.String()
    label = fields.Function(lambda c: FIELD_LABELS.get(c["field"], c["field"]))
    before = fields.Raw()
    after = fields.Raw()


class RiskVersionOut(Schema):
    number = fields.Integer()
    action = fields.String()
    actor = fields.String()
    reason = fields.String()
    at = fields.DateTime()
    changes = fields.List(fields.Nested(RiskChangeOut))
    snapshot = fields.Dict()


class RiskImportResultOut(Schema):
    rows = fields.Integer()
    created = fields.Integer()
    updated = fields.Integer()
    unchanged = fields.Integer()
    dry_run = fields.Boolean()


class RiskQualityOut(Schema):
    point_id = fields.Integer()
    unit = fields.String(attribute="unit_code")
    unit_name = fields.String()
    title = fields.String()
    level = fields.String()
    rule = fields.String()
    reason = fields.String()
