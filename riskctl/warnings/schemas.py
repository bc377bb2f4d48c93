"""Input and output shapes of the warnings API (预警)."""

from __future__ import annotations

import functools

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from riskctl.accounts.queries import unit_by_code
from riskctl.core.api import PageArgs
from riskctl.core.errors import NotFound, ValidationFailed
from riskctl.core.schema import ANY_JSON, BaseSchema, OutSchema, Text, computed
from riskctl.warnings.links import with_urls
from riskctl.warnings.models import COLOURS, STATUSES, Warning
from riskctl.warnings.queries import OPEN, WarningFilter
from riskctl.warnings.sources import RULES, rule_by_key


def _one_of(options: list[str], label: str) -> validate.OneOf:
    return validate.OneOf(options, error=f"{label}须为 {'、'.join(options)} 之一")


class WarningFilterSchema(BaseSchema):
    colour = fields.String(load_default=None, validate=_one_of(list(COLOURS), "颜色"))
    unit = Text(load_default=None, max_length=40)
    rule = fields.String(load_default=None, validate=_one_of([r.key for r in RULES], "规则"))
    status = fields.String(load_default=OPEN, validate=_one_of([OPEN, *STATUSES, "all"], "状态"))


class WarningRectificationSchema(BaseSchema):
    owner = Text(load_default=None, allow_none=True, max_length=60)
    deadline_days = fields.Integer(
        load_default=None,
        allow_none=True,
        validate=validate.Range(min=1, max=250, error="整改期限须为 1 到 250 之间的整数（工作日）"),
    )
    unit = Text(load_default=None, allow_none=True, max_length=40)


class HandleWarningSchema(BaseSchema):
    note = Text(required=True, max_length=4000)
    rectification = fields.Nested(WarningRectificationSchema, load_default=None, allow_none=True)


class CloseWarningSchema(BaseSchema):
    note = Text(required=True, max_length=4000)


class LinkRiskPointSchema(BaseSchema):
    risk_point_id = fields.Integer(
        load_default=None,
        allow_none=True,
        strict=True,
        validate=validate.Range(min=1, error="风险点编号须为正整数"),
    )
    proposal = Text(load_default=None, allow_none=True, max_length=1000)

    @validates_schema
    def _one_given(self, data: dict, **kwargs) -> None:
        if data.get("risk_point_id") is None and not data.get("proposal"):
            raise ValidationError("请指定关联的风险点编号，或填写建议新增的风险点", "risk_point_id")


def _rule_label(warning) -> str:
    rule = rule_by_key(warning.rule)
    return rule.label if rule else warning.rule


class WarningSchema(OutSchema):
    class Meta:
        model = Warning

    id = fields.Integer()
    rule = fields.String()
    rule_label = computed(_rule_label)
    colour = fields.String(metadata={"enum": list(COLOURS)})
    colour_label = fields.String()
    title = fields.String()
    unit = computed(lambda w: w.unit.code if w.unit else None, allow_none=True)
    unit_name = computed(lambda w: w.unit.name if w.unit else None, allow_none=True)
    status = fields.String(metadata={"enum": list(STATUSES)})
    status_label = fields.String()
    raised_at = fields.DateTime()
    last_seen_at = fields.DateTime()
    cleared_at = fields.DateTime()
    risk_point_id = fields.Integer()
    proposal = fields.String()
    rectification_item_id = fields.Integer()


class WarningDetailSchema(WarningSchema):
    subject_key = fields.String()
    rule_description = computed(lambda w: getattr(rule_by_key(w.rule), "description", ""))
    evidence = computed(
        lambda w: with_urls(w.evidence), dict, metadata={"description": "证据及链接"}
    )
    acknowledged_at = fields.DateTime()
    acknowledged_by = fields.String()
    note = fields.String()
    handled_at = fields.DateTime()
    handled_by = fields.String()
    closing_note = fields.String()
    closed_at = fields.DateTime()
    closed_by = fields.String()


@functools.cache
def _filter_schema() -> WarningFilterSchema:
    """Built once per process: a schema holds no state between loads."""
    return WarningFilterSchema()


def filter_from(args) -> WarningFilter:
    """Query-string filters, checked (422 naming the field); the unit code becomes the unit."""
    schema = _filter_schema()
    loaded = schema.load(
        {k: v for k, v in args.items() if k in schema.fields and v not in ("", None)}
    )
    unit = None
    if loaded.get("unit"):
        try:
            unit = unit_by_code(loaded["unit"])
        except NotFound as exc:
            raise ValidationFailed.field("unit", f"单位 {loaded['unit']} 不存在") from exc
    status = None if loaded["status"] == "all" else loaded["status"]
    return WarningFilter(
        colour=loaded.get("colour"), unit=unit, rule=loaded.get("rule"), status=status
    )


def unit_from(code: str | None):
    """The unit named by ``code`` for a rectification item; None keeps the warning's own."""
    if not code:
        return None
    try:
        return unit_by_code(code)
    except NotFound as exc:
        raise ValidationFailed.field("rectification.unit", f"单位 {code} 不存在") from exc


class WarningListArgs(PageArgs, WarningFilterSchema):
    """The list's filters; a bad filter value is a 422 naming it, as it always was."""

    QUERY_ERROR_STATUS = 422


class _ColourCounts(Schema):
    red = fields.Integer(required=True)
    yellow = fields.Integer(required=True)
    total = fields.Integer(required=True)


class _UnitCounts(_ColourCounts):
    unit = fields.String(required=True, allow_none=True)
    name = fields.String(required=True)


class _RuleCounts(_ColourCounts):
    rule = fields.String(required=True)
    label = fields.String(required=True)


class WarningSummarySchema(_ColourCounts):
    by_unit = fields.List(fields.Nested(_UnitCounts), required=True)
    by_rule = fields.List(fields.Nested(_RuleCounts), required=True)


class _Threshold(Schema):
    name = fields.String(required=True)
    setting = fields.String(required=True)
    label = fields.String(required=True)
    value = fields.Raw(required=True, allow_none=True, metadata=ANY_JSON)
    default = fields.Raw(required=True, allow_none=True, metadata=ANY_JSON)


class WarningRuleSchema(Schema):
    key = fields.String(required=True)
    label = fields.String(required=True)
    description = fields.String(required=True)
    enabled = fields.Boolean(required=True)
    enabled_setting = fields.String(required=True)
    thresholds = fields.List(fields.Nested(_Threshold), required=True)


class WarningRuleListSchema(Schema):
    items = fields.List(fields.Nested(WarningRuleSchema), required=True)
    total = fields.Integer(required=True)


class ScanSchema(Schema):
    day = fields.String(required=True, metadata={"format": "date"})
    raised = fields.Integer(required=True)
    still_open = fields.Integer(required=True)
    skipped = fields.List(fields.String(), required=True)
    rules = fields.List(fields.Dict(), required=True)
    summary = fields.List(fields.String(), required=True)
