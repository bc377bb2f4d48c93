"""Output shapes of the draw API and the public JSON (explicit field lists); page filters."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from riskctl.core.schema import BaseSchema, Text
from riskctl.draws.models import KINDS, REDRAW_KINDS


class DrawSelectionOutSchema(Schema):
    """A selected target: ``target`` is the masked label on public pages when ``masked``."""

    position = fields.Integer()
    target = fields.String()
    stratum = fields.String()
    key = fields.String()
    inspectors = fields.List(fields.String())
    masked = fields.Boolean()


class DrawRoundSchema(Schema):
    draw_id = fields.Integer()
    round = fields.Integer()
    manifest_id = fields.Integer()
    manifest_version = fields.Integer()
    redraw_kind = fields.String(allow_none=True)
    drawn_at = fields.String()
    entropy_source = fields.String()
    result_digest = fields.String()
    reason = fields.String(allow_none=True)
    current = fields.Boolean()


class DrawRedrawSchema(Schema):
    kind = fields.String()
    kind_label = fields.String()
    reason = fields.String()
    approved_by = fields.String()
    previous_draw_id = fields.Integer()
    manifest_changed = fields.Boolean()
    previous_manifest_id = fields.Integer(allow_none=True)
    changes = fields.Dict(allow_none=True)


class PublishedDrawSchema(Schema):
    """一公开: draw-spec's publication list, with the plan, counts and every round."""

    version = fields.String()
    draw_id = fields.Integer()
    kind = fields.String()
    kind_label = fields.String()
    subject = fields.String()
    plan = fields.String()
    round = fields.Integer()
    manifest_id = fields.Integer()
    manifest_version = fields.Integer()
    locked_at = fields.String()
    drawn_at = fields.String()
    targets_digest = fields.String()
    inspectors_digest = fields.String()
    conflicts_digest = fields.String()
    quotas_digest = fields.String()
    team_size = fields.Integer()
    cap = fields.Integer()
    quotas = fields.Dict(keys=fields.String(), values=fields.Integer())
    target_count = fields.Integer()
    inspector_count = fields.Integer()
    conflict_count = fields.Integer()
    entropy = fields.String()
    entropy_source = fields.String()
    seed = fields.String()
    selected = fields.List(fields.Nested(DrawSelectionOutSchema))
    result_digest = fields.String()
    redraw = fields.Nested(DrawRedrawSchema, allow_none=True)
    rounds = fields.List(fields.Nested(DrawRoundSchema))
    manifest_url = fields.String(allow_none=True)
    verify_url = fields.String()
    spec_url = fields.String()


class DrawDetailSchema(PublishedDrawSchema):
    """The draw for signed-in roles: target ids in full, and who drew it."""

    drawn_by = fields.String()


class DrawVectorSelectionSchema(Schema):
    target = fields.String()
    stratum = fields.String()
    key = fields.String()
    inspectors = fields.List(fields.String())


class DrawResultSchema(Schema):
    """A recomputed draw: the ``expected`` shape of draw-vectors.json."""

    version = fields.String()
    targets_digest = fields.String()
    inspectors_digest = fields.String()
    conflicts_digest = fields.String()
    quotas_digest = fields.String()
    seed = fields.String()
    selected = fields.List(fields.Nested(DrawVectorSelectionSchema))
    result_digest = fields.String()


class ManifestTargetSchema(Schema):
    id = fields.String(required=True)
    stratum = fields.String(required=True)


class ManifestInspectorSchema(Schema):
    id = fields.String(required=True)
    unit = fields.String(required=True)


class ManifestDocumentSchema(Schema):
    """A riskctl-draw/1 manifest (documentation: the engine itself validates it)."""

    plan = fields.String(required=True)
    targets = fields.List(fields.Nested(ManifestTargetSchema), required=True)
    quotas = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    inspectors = fields.List(fields.Nested(ManifestInspectorSchema))
    conflicts = fields.List(fields.List(fields.String()))
    team_size = fields.Integer()
    cap = fields.Integer()
    entropy = fields.String(required=True)


class IndexFilterSchema(BaseSchema):
    """Filters of the public index: kind and a plan or campaign code."""

    kind = fields.String(
        load_default="",
        validate=validate.OneOf(["", *KINDS], error=f"类型须为 {'、'.join(KINDS.values())} 之一"),
    )
    q = Text(load_default="", max_length=100)


class SelectionFilterSchema(BaseSchema):
    """Filters of a draw's selected list: stratum and part of a (shown) target id."""

    stratum = Text(load_default="", max_length=200)
    q = Text(load_default="", max_length=100)


# The public entropy as a client enters it (an example for the document).
ENTROPY_EXAMPLE = {"entropy": "03 11 19 24 30 + 07 12", "entropy_source": "体彩大乐透第 26001 期"}


class RedrawRequestInSchema(BaseSchema):
    """A re-draw request: why (``kind``) and the reason in words."""

    kind = fields.String(
        required=True,
        validate=validate.OneOf(
            list(REDRAW_KINDS),
            error="原因类型须为 "
            + "、".join(f"{k}（{v}）" for k, v in REDRAW_KINDS.items())
            + " 之一",
        ),
    )
    reason = Text(required=True, max_length=1000)


class RedrawDecisionInSchema(BaseSchema):
    approve = fields.Boolean(required=True)
    note = Text(load_default="", max_length=1000)


class RedrawRequestOutSchema(Schema):
    id = fields.Integer()
    draw_id = fields.Integer()
    kind = fields.String()
    kind_label = fields.String()
    reason = fields.String()
    requested_by = fields.String()
    requested_at = fields.DateTime()
    status = fields.String()
    status_label = fields.String()
    decided_by = fields.String()
    decided_at = fields.DateTime()
    decision_note = fields.String()
    manifest_id = fields.Integer(allow_none=True)
    new_draw_id = fields.Integer(allow_none=True)
