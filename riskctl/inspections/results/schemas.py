"""Task and result schemas."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, pre_load, validates

from riskctl.core.schema import BaseSchema, Text
from riskctl.inspections.models import (
    RESULT_CODES,
)
from riskctl.inspections.schemas import unit_code


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
        lambda t: [{"code": i.code, "name": i.name, "unit": unit_code(i)} for i in t.inspectors]
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
