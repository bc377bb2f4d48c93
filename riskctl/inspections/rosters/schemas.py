"""Roster schemas: targets and inspectors out."""

from __future__ import annotations

from marshmallow import Schema, fields

from riskctl.inspections.models import (
    TARGET_KINDS,
)
from riskctl.inspections.schemas import unit_code


class InspectionTargetSchema(Schema):
    code = fields.String()
    name = fields.String()
    credit_code = fields.String()
    kind = fields.String()
    kind_label = fields.Function(lambda t: TARGET_KINDS[t.kind])
    address = fields.String()
    credit_class = fields.String()
    unit = fields.Function(unit_code)
    closed = fields.Boolean()
    active = fields.Boolean()


class InspectorSchema(Schema):
    code = fields.String()
    name = fields.String()
    license_no = fields.String()
    unit = fields.Function(unit_code)
    fields_ = fields.String(data_key="fields", attribute="fields")
    active = fields.Boolean()
