"""``/public/audit``: the published checkpoints of the audit chain (no login, no content)."""

from __future__ import annotations

from flask import Blueprint, render_template
from marshmallow import Schema, fields

from riskctl.core.api import paginate
from riskctl.core.audit.checkpoints import checkpoints_query
from riskctl.core.audit.models import AuditCheckpoint
from riskctl.core.auth.policy import public
from riskctl.core.http import page_args
from riskctl.core.listing import listing
from riskctl.core.schema import computed

bp = Blueprint("audit_public", __name__, template_folder="templates")


class CheckpointSchema(Schema):
    """A published checkpoint: where the chain stood, never what it says."""

    seq = fields.Integer()
    hash = fields.String()
    anchor = computed(lambda c: f"{c.seq}:{c.hash}")
    recorded_at = fields.DateTime()
    source = fields.String()


@bp.get("/public/audit")
@public
def checkpoints():
    lst = listing(
        checkpoints_query(),
        {"seq": AuditCheckpoint.seq, "recorded": AuditCheckpoint.recorded_at},
        "-seq",
    )
    return render_template("admin/public_audit.html", lst=lst, rows=lst.items)


@bp.get("/public/audit.json")
@public
def checkpoints_json():
    page, per_page = page_args()
    body = paginate(checkpoints_query(), {"page": page, "per_page": per_page})
    return {**body, "items": CheckpointSchema(many=True).dump(body["items"])}
