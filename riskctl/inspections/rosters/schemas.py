"""Roster schemas: targets and inspectors out, the filters and the import form in."""

from __future__ import annotations

from flask_smorest.fields import Upload
from marshmallow import fields, validate

from riskctl.core.api import PageArgs, QueryInteger
from riskctl.core.bounds import INT32
from riskctl.core.schema import BaseSchema, OutSchema, Text, computed
from riskctl.inspections.models import CREDIT_CLASSES, TARGET_KINDS, Inspector, Target
from riskctl.inspections.schemas import unit_code


class InspectionTargetSchema(OutSchema):
    class Meta:
        model = Target

    code = fields.String()
    name = fields.String()
    credit_code = fields.String()
    kind = fields.String(metadata={"enum": list(TARGET_KINDS)})
    kind_label = computed(lambda t: TARGET_KINDS[t.kind])
    address = fields.String()
    credit_class = fields.String(metadata={"enum": list(CREDIT_CLASSES)})
    unit = computed(unit_code)
    closed = fields.Boolean()
    active = fields.Boolean()


class InspectorSchema(OutSchema):
    class Meta:
        model = Inspector

    code = fields.String()
    name = fields.String()
    license_no = fields.String()
    unit = computed(unit_code)
    fields_ = fields.String(data_key="fields", attribute="fields")
    active = fields.Boolean()


class _RosterFilter(BaseSchema):
    q = fields.String(
        load_default="",
        validate=validate.Length(max=100),
        metadata={"description": "编号、名称或证照号"},
    )
    unit_id = QueryInteger(1, INT32[1], load_default=None, metadata={"description": "单位 id"})


class TargetFilter(_RosterFilter):
    class_ = fields.String(
        data_key="class",
        attribute="credit_class",
        load_default="",
        validate=validate.OneOf(("", *CREDIT_CLASSES)),
        metadata={"description": "信用等级"},
    )
    kind = fields.String(
        load_default="",
        validate=validate.OneOf(("", *TARGET_KINDS)),
        metadata={"description": "类型"},
    )
    status = fields.String(
        load_default="active",
        validate=validate.OneOf(("active", "closed", "removed", "all")),
        metadata={"description": "active 在册 / closed 已关闭停业 / removed 已移出 / all"},
    )


class InspectorFilter(_RosterFilter):
    status = fields.String(
        load_default="active",
        validate=validate.OneOf(("active", "inactive", "all")),
        metadata={"description": "active 在岗 / inactive 已停用 / all"},
    )


class TargetArgs(TargetFilter, PageArgs):
    pass


class InspectorArgs(InspectorFilter, PageArgs):
    pass


class RosterImportIn(BaseSchema):
    """The multipart form of a roster import."""

    file = Upload(required=True, metadata={"description": ".xlsx 或 .csv（UTF-8 或 GBK）"})
    deactivate_missing = Text(
        load_default=None,
        allow_none=True,
        max_length=10,
        metadata={"description": "1 停用文件中没有的记录，0 保留；不填则有缺失时请求确认"},
    )


class RosterImportOut(OutSchema):
    import_id = fields.Integer()
    rows = fields.Integer()
    created = fields.Integer()
    updated = fields.Integer()
    reactivated = fields.Integer()
    unchanged = fields.Integer()
    missing = fields.Integer()
    deactivated = fields.Integer()
    kept_missing = fields.Integer()
