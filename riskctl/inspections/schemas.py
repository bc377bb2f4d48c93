"""Input and output schemas of 双随机 inspections."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, pre_load, validate, validates

from riskctl.core import settings
from riskctl.core.schema import BaseSchema, Text
from riskctl.draws.schemas import RedrawRequestOutSchema
from riskctl.inspections import rules
from riskctl.inspections.models import (
    CREDIT_CLASSES,
    DECISIONS,
    ITEM_CATEGORIES,
    PLAN_STATUSES,
    RESULT_CODES,
    TARGET_KINDS,
)

_CODE = re.compile(r"[\w.\-]+")


class Code(Text):
    """An identifier used in URLs and manifests: letters, digits, 汉字, ``-``, ``_``, ``.``."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_length=40, required=True, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text = unicodedata.normalize("NFC", super()._deserialize(value, attr, data, **kwargs))
        if not _CODE.fullmatch(text):
            raise ValidationError("只能包含字母、数字、汉字和 - _ .，不能有空格或斜杠")
        return text


class Ratio(fields.Field):
    """A sampling ratio 0–1 kept as a Decimal (so that ceil(N × ratio) is exact)."""

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return rules.parse_ratio(value, "抽查比例")
        except ValueError as exc:
            raise ValidationError(str(exc)) from exc

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else float(value)


class OneLine(fields.String):
    """One non-empty line: the public entropy of a draw (公开随机数)."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        if not text:
            raise ValidationError("公开随机数不能为空，请录入开奖号码等公开来源的随机数")
        if "\n" in text or "\r" in text:
            raise ValidationError("公开随机数只能是一行文本，不能含有换行")
        if "\x00" in text or len(text) > 500:
            raise ValidationError("公开随机数含有空字符或超过 500 个字符")
        return text


def _labels(mapping: dict[str, str]) -> str:
    return "、".join(f"{k}（{v}）" for k, v in mapping.items())


def _category_from_label(data: Any) -> Any:
    if isinstance(data, dict) and data.get("category") in ITEM_CATEGORIES.values():
        by_label = {v: k for k, v in ITEM_CATEGORIES.items()}
        data = {**data, "category": by_label[data["category"]]}
    return data


_CATEGORY = validate.OneOf(list(ITEM_CATEGORIES), error=f"应为 {_labels(ITEM_CATEGORIES)} 之一")


class InspectionItemInSchema(BaseSchema):
    code = Code()
    name = Text(required=True, max_length=200)
    legal_basis = Text(required=True, max_length=2000)
    ratio = Ratio(required=True)
    frequency = Text(required=True, max_length=60)
    category = fields.String(required=True, validate=_CATEGORY)
    active = fields.Boolean(load_default=True)

    @pre_load
    def _category_label(self, data: Any, **kwargs: Any) -> Any:
        return _category_from_label(data)


class InspectionItemPatchSchema(BaseSchema):
    """A change to an item: any of its fields, and always the reason."""

    name = Text(max_length=200)
    legal_basis = Text(max_length=2000)
    ratio = Ratio()
    frequency = Text(max_length=60)
    category = fields.String(validate=_CATEGORY)
    active = fields.Boolean()
    reason = Text(required=True, max_length=500)

    @pre_load
    def _category_label(self, data: Any, **kwargs: Any) -> Any:
        return _category_from_label(data)


class InspectionConflictInSchema(BaseSchema):
    inspector = Text(required=True, max_length=40)
    target = Text(required=True, max_length=64)
    relation = Text(required=True, max_length=60)
    reason = Text(required=True, max_length=1000)


class InspectionReasonSchema(BaseSchema):
    reason = Text(required=True, max_length=1000)


class RecusalInSchema(BaseSchema):
    inspector = Text(required=True, max_length=40)
    target = Text(required=True, max_length=64)
    applicant = Text(required=True, max_length=100)
    reason = Text(required=True, max_length=1000)
    filed_on = fields.Date(required=True)


class RecusalDecisionSchema(BaseSchema):
    grant = fields.Boolean(required=True)
    note = Text(load_default="", max_length=1000)


class InspectionPlanInSchema(BaseSchema):
    code = Code()
    name = Text(required=True, max_length=200)
    items = fields.List(Text(max_length=40), load_default=list)
    ratios = fields.Dict(keys=fields.String(), values=Ratio(), load_default=None)
    quotas = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(strict=True, validate=validate.Range(min=0, error="配额不能为负数")),
        load_default=None,
    )
    team_size = fields.Integer(strict=True, load_default=2)
    cap = fields.Integer(
        strict=True,
        load_default=None,
        allow_none=True,
        validate=validate.Range(min=1, error="每人上限至少为 1"),
    )
    exclude_recent_months = fields.Integer(
        strict=True,
        load_default=0,
        validate=validate.Range(0, 120, error="应为 0 到 120 之间的整数（月）"),
    )
    lookback_months = fields.Integer(
        strict=True,
        load_default=None,
        validate=validate.Range(0, 120, error="应为 0 到 120 之间的整数（月）"),
    )
    cross_unit = fields.Boolean(load_default=False)
    units = fields.List(Text(max_length=40), load_default=None)

    @validates("team_size")
    def _team_size(self, value: int, **kwargs: Any) -> None:
        if value < 2:
            raise ValidationError("每组检查人员不得少于 2 人（《行政处罚法》第四十二条）")
        if value > 10:
            raise ValidationError("每组检查人员不超过 10 人")

    @validates("ratios")
    def _ratio_keys(self, value: dict | None, **kwargs: Any) -> None:
        _check_classes(value, "ratios")

    @validates("quotas")
    def _quota_keys(self, value: dict | None, **kwargs: Any) -> None:
        _check_classes(value, "quotas")

    @post_load
    def _defaults(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        if not data.get("ratios"):
            data["ratios"] = {
                k: rules.parse_ratio(v, k)
                for k, v in settings.get(rules.DEFAULT_RATIOS.key).items()
            }
        if data.get("lookback_months") is None:
            data["lookback_months"] = settings.get(rules.LOOKBACK_MONTHS.key)
        return data


def _check_classes(value: dict | None, field: str) -> None:
    bad = [k for k in value or {} if k not in CREDIT_CLASSES]
    if bad:
        raise ValidationError(f"信用等级“{bad[0]}”无效，应为 A、B、C、D 之一")


class PlanDrawInSchema(BaseSchema):
    entropy = OneLine(required=True)
    entropy_source = Text(required=True, max_length=200)


class PlanRedrawDecisionSchema(BaseSchema):
    approve = fields.Boolean(required=True)
    note = Text(load_default="", max_length=1000)


class TaskResultInSchema(BaseSchema):
    result = fields.String(required=True)
    inspected_on = fields.Date(required=True)
    note = Text(load_default="", max_length=2000)

    @pre_load
    def _label(self, data: Any, **kwargs: Any) -> Any:
        if isinstance(data, dict) and data.get("result") in RESULT_CODES.values():
            by_label = {v: k for k, v in RESULT_CODES.items()}
            data = {**data, "result": by_label[data["result"]]}
        return data

    @validates("result")
    def _code(self, value: str, **kwargs: Any) -> None:
        if value not in RESULT_CODES:
            raise ValidationError(f"结果代码无效，应为 {'、'.join(RESULT_CODES.values())} 之一")


class PublishResultsSchema(BaseSchema):
    tasks = fields.List(fields.Integer(strict=True), load_default=None)


# --- output ---------------------------------------------------------------------


def _unit(obj: Any) -> str | None:
    return obj.unit.code if obj.unit else None


class InspectionItemSchema(Schema):
    code = fields.String()
    name = fields.String()
    legal_basis = fields.String()
    ratio = Ratio()
    frequency = fields.String()
    category = fields.String()
    category_label = fields.Function(lambda i: ITEM_CATEGORIES[i.category])
    active = fields.Boolean()


class InspectionTargetSchema(Schema):
    code = fields.String()
    name = fields.String()
    credit_code = fields.String()
    kind = fields.String()
    kind_label = fields.Function(lambda t: TARGET_KINDS[t.kind])
    address = fields.String()
    credit_class = fields.String()
    unit = fields.Function(_unit)
    closed = fields.Boolean()
    active = fields.Boolean()


class InspectorSchema(Schema):
    code = fields.String()
    name = fields.String()
    license_no = fields.String()
    unit = fields.Function(_unit)
    fields_ = fields.String(data_key="fields", attribute="fields")
    active = fields.Boolean()


class InspectionConflictSchema(Schema):
    id = fields.Integer()
    inspector = fields.Function(lambda c: c.inspector.code)
    target = fields.Function(lambda c: c.target.code)
    relation = fields.String()
    reason = fields.String()
    recorded_by = fields.String()
    recorded_at = fields.DateTime()
    ended_at = fields.DateTime()
    end_reason = fields.String()


class RecusalSchema(Schema):
    id = fields.Integer()
    inspector = fields.Function(lambda r: r.inspector.code)
    target = fields.Function(lambda r: r.target.code)
    applicant = fields.String()
    reason = fields.String()
    filed_on = fields.Date()
    status = fields.String()
    status_label = fields.Function(lambda r: DECISIONS[r.status])
    decided_by = fields.String()
    decided_at = fields.DateTime()
    decision_note = fields.String()


class InspectionPlanSchema(Schema):
    code = fields.String()
    name = fields.String()
    items = fields.Function(lambda p: [i.code for i in p.items])
    ratios = fields.Function(lambda p: {k: float(v) for k, v in p.ratios.items()})
    quotas = fields.Dict()
    team_size = fields.Integer()
    cap = fields.Integer()
    exclude_recent_months = fields.Integer()
    lookback_months = fields.Integer()
    cross_unit = fields.Boolean()
    units = fields.List(fields.String())
    status = fields.String()
    status_label = fields.Function(lambda p: PLAN_STATUSES[p.status])
    created_by = fields.String()
    created_at = fields.DateTime()
    locked_at = fields.DateTime()
    manifest_id = fields.Integer()
    draw_id = fields.Integer()
    drawn_at = fields.DateTime()
    frame = fields.Dict()


class PlanRedrawSchema(RedrawRequestOutSchema):
    plan = fields.Function(lambda r: r.plan.code)


class TaskAttachmentSchema(Schema):
    id = fields.Integer()
    filename = fields.String()
    size = fields.Integer()
    sha256 = fields.String()
    uploaded_by = fields.String()
    uploaded_at = fields.DateTime()


class InspectionTaskSchema(Schema):
    id = fields.Integer()
    plan = fields.Function(lambda t: t.plan.code)
    draw_id = fields.Integer()
    position = fields.Integer()
    target = fields.Function(
        lambda t: {
            "code": t.target.code,
            "name": t.target.name,
            "credit_class": t.target.credit_class,
        }
    )
    stratum = fields.String()
    inspectors = fields.Function(
        lambda t: [{"code": i.code, "name": i.name, "unit": _unit(i)} for i in t.inspectors]
    )
    superseded = fields.Boolean()
    result = fields.String(attribute="result_code")
    result_label = fields.String()
    inspected_on = fields.Date()
    note = fields.String()
    publish_due = fields.Date()
    due_provisional = fields.Boolean()
    published_at = fields.DateTime()
    published_late = fields.Boolean()
    attachments = fields.List(fields.Nested(TaskAttachmentSchema))
