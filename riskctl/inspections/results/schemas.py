"""Task and result schemas."""

from __future__ import annotations

from typing import Any

from flask_smorest.fields import Upload
from marshmallow import ValidationError, fields, pre_load, validate, validates

from riskctl.core.api import PageArgs
from riskctl.core.schema import BaseSchema, OutSchema, Text, computed
from riskctl.inspections.models import RESULT_CODES, Attachment, Task
from riskctl.inspections.plans.schemas import OpenOut
from riskctl.inspections.schemas import unit_code


class TaskResultInSchema(BaseSchema):
    result = fields.String(
        required=True,
        validate=validate.Length(max=20),
        metadata={"description": "结果代码或其中文名", "example": next(iter(RESULT_CODES))},
    )
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


class TaskAttachmentIn(BaseSchema):
    file = Upload(required=True, metadata={"description": "检查记录、照片等附件"})


class PublishResultsSchema(BaseSchema):
    tasks = fields.List(
        fields.Integer(strict=True, validate=validate.Range(1, 2**31 - 1)),
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=10_000),
        metadata={"description": "要公示的任务 id；不填则公示全部待公示结果"},
    )


class TaskAttachmentSchema(OutSchema):
    class Meta:
        model = Attachment

    id = fields.Integer()
    filename = fields.String()
    size = fields.Integer()
    sha256 = fields.String()
    uploaded_by = fields.String()
    uploaded_at = fields.DateTime()


class TaskTargetOut(OutSchema):
    code = fields.String()
    name = fields.String()
    credit_class = fields.String()


class TaskInspectorOut(OutSchema):
    code = fields.String()
    name = fields.String()
    unit = computed(unit_code, allow_none=True)


class InspectionTaskSchema(OutSchema):
    class Meta:
        model = Task

    id = fields.Integer()
    plan = computed(lambda t: t.plan.code)
    draw_id = fields.Integer()
    position = fields.Integer()
    target = fields.Nested(TaskTargetOut)
    stratum = fields.String()
    inspectors = fields.List(fields.Nested(TaskInspectorOut))
    superseded = fields.Boolean()
    result = fields.String(attribute="result_code", allow_none=True)
    result_label = fields.String()
    inspected_on = fields.Date()
    note = fields.String()
    publish_due = fields.Date()
    due_provisional = fields.Boolean()
    published_at = fields.DateTime()
    published_late = fields.Boolean()
    attachments = fields.List(fields.Nested(TaskAttachmentSchema))


class TaskArgs(PageArgs):
    state = fields.String(
        load_default="",
        validate=validate.OneOf(("", "todo", "entered", "published")),
        metadata={"description": "todo 待录入 / entered 已录入待公示 / published 已公示"},
    )


class PeriodArgs(BaseSchema):
    start = fields.Date(load_default=None, metadata={"description": "起始日期，默认当年 1 月 1 日"})
    end = fields.Date(load_default=None, metadata={"description": "结束日期，默认今天"})


class PublishedOut(OutSchema):
    published = fields.Integer(metadata={"description": "本次公示的结果数"})


class StatsOut(OpenOut):
    start = fields.Date(required=True)
    end = fields.Date(required=True)
    plans = fields.List(fields.Dict(), required=True)
    draws = fields.Integer(required=True)
    coverage = fields.List(fields.Dict(), required=True)
    results = fields.List(fields.Dict(), required=True)
    publication = fields.Dict(required=True)
