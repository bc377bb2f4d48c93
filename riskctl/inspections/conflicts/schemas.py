"""Conflict and recusal schemas."""

from __future__ import annotations

from marshmallow import fields

from riskctl.core.schema import BaseSchema, OutSchema, Text, computed
from riskctl.inspections.models import DECISIONS, ConflictDeclaration, RecusalRequest


class InspectionConflictInSchema(BaseSchema):
    inspector = Text(required=True, max_length=40)
    target = Text(required=True, max_length=64)
    relation = Text(required=True, max_length=60)
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


class InspectionConflictSchema(OutSchema):
    class Meta:
        model = ConflictDeclaration

    id = fields.Integer()
    inspector = computed(lambda c: c.inspector.code)
    target = computed(lambda c: c.target.code)
    relation = fields.String()
    reason = fields.String()
    recorded_by = fields.String()
    recorded_at = fields.DateTime()
    ended_at = fields.DateTime()
    end_reason = fields.String()


class RecusalSchema(OutSchema):
    class Meta:
        model = RecusalRequest

    id = fields.Integer()
    inspector = computed(lambda r: r.inspector.code)
    target = computed(lambda r: r.target.code)
    applicant = fields.String()
    reason = fields.String()
    filed_on = fields.Date()
    status = fields.String(metadata={"enum": list(DECISIONS)})
    status_label = computed(lambda r: DECISIONS[r.status])
    decided_by = fields.String()
    decided_at = fields.DateTime()
    decision_note = fields.String()
