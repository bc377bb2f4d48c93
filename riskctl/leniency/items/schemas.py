"""Schemas of the 免罚清单: an item in, an item and its versions out."""

from __future__ import annotations

from marshmallow import fields

from riskctl.core.schema import BaseSchema, Text
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


class LeniencyItemOut(BaseSchema):
    code = fields.String()
    name = fields.String()
    legal_basis = fields.String()
    conditions = fields.String()
    active = fields.Boolean()
    version = fields.Integer()


class LeniencyItemVersionOut(BaseSchema):
    version = fields.Integer()
    name = fields.String()
    legal_basis = fields.String()
    conditions = fields.String()
    active = fields.Boolean()
    reason = fields.String()
    changed_at = fields.Function(lambda v: local_time(v.changed_at))
    changed_by = fields.String()


class LeniencyItemDetailOut(LeniencyItemOut):
    versions = fields.List(fields.Nested(LeniencyItemVersionOut))
