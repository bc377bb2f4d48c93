"""Plan schemas: the plan's rules in, the plan and its redraws out."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, post_dump, post_load, validate, validates

from riskctl.core import settings
from riskctl.core.api import PageArgs
from riskctl.core.schema import BaseSchema, OutSchema, Text, computed
from riskctl.draws.schemas import RedrawRequestOutSchema
from riskctl.inspections import options
from riskctl.inspections.models import (
    CREDIT_CLASSES,
    PLAN_STATUSES,
    REDRAW_STATUSES,
    Plan,
    RedrawRequest,
)
from riskctl.inspections.schemas import Code, OneLine, Ratio


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
                k: options.parse_ratio(v, k)
                for k, v in settings.get(options.DEFAULT_RATIOS.key).items()
            }
        if data.get("lookback_months") is None:
            data["lookback_months"] = settings.get(options.LOOKBACK_MONTHS.key)
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


class InspectionPlanSchema(OutSchema):
    class Meta:
        model = Plan

    code = fields.String()
    name = fields.String()
    items = computed(
        lambda p: [i.code for i in p.items], many=True, metadata={"description": "抽查事项编号"}
    )
    ratios = computed(
        lambda p: {k: float(v) for k, v in p.ratios.items()},
        dict,
        metadata={
            "additionalProperties": {"type": "number"},
            "description": "各风险等级的抽查比例",
        },
    )
    quotas = fields.Dict(keys=fields.String(), values=fields.Integer())
    team_size = fields.Integer()
    cap = fields.Integer()
    exclude_recent_months = fields.Integer()
    lookback_months = fields.Integer()
    cross_unit = fields.Boolean()
    units = fields.List(fields.String())
    status = fields.String(metadata={"enum": list(PLAN_STATUSES)})
    status_label = computed(lambda p: PLAN_STATUSES[p.status])
    created_by = fields.String()
    created_at = fields.DateTime()
    locked_at = fields.DateTime()
    manifest_id = fields.Integer()
    draw_id = fields.Integer()
    drawn_at = fields.DateTime()
    frame = fields.Dict()


class PlanRedrawSchema(OutSchema, RedrawRequestOutSchema):
    class Meta:
        model = RedrawRequest

    status = fields.String(metadata={"enum": list(REDRAW_STATUSES)})
    plan = computed(lambda r: r.plan.code)


class PlanArgs(PageArgs):
    status = fields.String(
        load_default="",
        validate=validate.OneOf(("", *PLAN_STATUSES)),
        metadata={"description": "计划状态"},
    )


class OpenOut(Schema):
    """An answer whose documented fields are listed; any further keys pass through."""

    @post_dump(pass_original=True)
    def _keep_the_rest(self, data: dict, original: dict, **kwargs: Any) -> dict:
        return {**original, **data}


class FrameOut(OpenOut):
    strata = fields.List(fields.Dict(), required=True, metadata={"description": "各信用等级层"})
    selected = fields.Integer(required=True, metadata={"description": "抽取数"})
    eligible = fields.Integer(required=True, metadata={"description": "可抽对象数"})
    inspectors = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    team_size = fields.Integer()
    cap = fields.Integer(allow_none=True)
    cap_is_default = fields.Boolean()
    demand = fields.Integer()
    capacity = fields.Integer(allow_none=True)
    conflicts = fields.Dict(keys=fields.String(), values=fields.Integer())
    warnings = fields.List(fields.String())
    problems = fields.List(fields.Dict(keys=fields.String(), values=fields.String()))
    frozen = fields.Boolean(metadata={"description": "true：锁定时冻结的预览"})


class LockOut(OutSchema):
    plan = fields.String()
    manifest_id = fields.Integer()
    digests = fields.Dict(keys=fields.String(), values=fields.String())
    quotas = fields.Dict(keys=fields.String(), values=fields.Integer())
    team_size = fields.Integer()
    cap = fields.Integer(allow_none=True)
    targets = fields.Integer()
    inspectors = fields.Integer()
    conflicts = fields.Integer()
    warnings = fields.List(fields.String())


class DrawSummaryOut(OutSchema):
    plan = fields.String()
    draw_id = fields.Integer()
    round = fields.Integer()
    seed = fields.String()
    result_digest = fields.String()
    selected = fields.Integer()
    entropy = fields.String()
    entropy_source = fields.String(metadata={"description": "公开随机数的来源（如某期开奖公告）"})
    drawn_at = fields.String(metadata={"format": "date-time"})
    public_url = fields.String()


class RedrawListOut(Schema):
    items = fields.List(fields.Nested(PlanRedrawSchema), required=True)


class RelockOut(PlanRedrawSchema):
    digests = fields.Dict(keys=fields.String(), values=fields.String())
    manifest_version = fields.Integer()
    public_url = fields.String()
