"""Schemas of the 免罚清单: an item in, an item and its versions out."""

from __future__ import annotations

from flask_smorest.fields import Upload
from marshmallow import fields, validate

from riskctl.core.api import PageArgs
from riskctl.core.schema import BaseSchema, OutSchema, Text, computed
from riskctl.leniency.schemas import Code, local_time


class LeniencyItemIn(BaseSchema):
    code = Code(required=True)
    name = Text(required=True, max_length=200)
    legal_basis = Text(required=True, max_length=2000)
    conditions = Text(required=True, max_length=2000)
    active = fields.Boolean(load_default=True)


class LeniencyItemChangeIn(BaseSchema):
    name = Text(max_length=200)
    legal_basis = Text(max_length=2000)
    conditions = Text(max_length=2000)
    active = fields.Boolean()
    reason = Text(required=True, max_length=500)


class LeniencyItemOut(OutSchema):
    code = fields.String()
    name = fields.String()
    legal_basis = fields.String()
    conditions = fields.String()
    active = fields.Boolean()
    version = fields.Integer()


class LeniencyItemVersionOut(OutSchema):
    version = fields.Integer()
    name = fields.String()
    legal_basis = fields.String()
    conditions = fields.String()
    active = fields.Boolean()
    reason = fields.String()
    changed_at = computed(
        lambda v: local_time(v.changed_at), metadata={"description": "本地时间（北京时间）"}
    )
    changed_by = fields.String()


class LeniencyItemDetailOut(LeniencyItemOut):
    versions = fields.List(fields.Nested(LeniencyItemVersionOut))


class LeniencyItemArgs(PageArgs):
    active = fields.String(
        load_default="",
        validate=validate.OneOf(("", "0", "1", "true", "false")),
        metadata={"description": "1 只看启用的事项"},
    )


class LeniencyItemImportIn(BaseSchema):
    file = Upload(required=True, metadata={"description": "免罚清单 .xlsx"})


class LeniencyItemImportOut(OutSchema):
    create = fields.Integer(metadata={"description": "新增事项数"})
    change = fields.Integer(metadata={"description": "修改事项数"})
    same = fields.Integer(metadata={"description": "未变事项数"})
