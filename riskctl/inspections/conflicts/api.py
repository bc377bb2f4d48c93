"""Conflict declarations and recusal requests (回避) as JSON."""

from __future__ import annotations

from marshmallow import fields, validate

from riskctl.accounts.roles import DISCIPLINE, LEADER, LEGAL
from riskctl.core.api import ApiBlueprint, PageArgs, errors, paginate
from riskctl.core.auth.policy import allow, require_actor
from riskctl.inspections import operations, queries
from riskctl.inspections.conflicts.schemas import (
    InspectionConflictInSchema,
    InspectionConflictSchema,
    RecusalDecisionSchema,
    RecusalInSchema,
    RecusalSchema,
)
from riskctl.inspections.models import DECISIONS
from riskctl.inspections.schemas import InspectionReasonSchema

bp = ApiBlueprint(
    "inspection_conflicts_api",
    __name__,
    title="回避",
    url_prefix="/api/v1/inspection",
    description="双随机一公开：回避",
)

READERS = (LEGAL, LEADER, DISCIPLINE)


class ConflictArgs(PageArgs):
    all = fields.String(
        load_default="",
        validate=validate.OneOf(("", "0", "1")),
        metadata={"description": "1 含已解除"},
    )
    q = fields.String(
        load_default="",
        validate=validate.Length(max=100),
        metadata={"description": "检查人员或检查对象（编号、名称）"},
    )


class RecusalArgs(PageArgs):
    status = fields.String(
        load_default="",
        validate=validate.OneOf(("", *DECISIONS)),
        metadata={"description": "pending / granted / refused"},
    )


@bp.route("/conflicts", methods=["GET"])
@allow(*READERS)
@bp.paginated(InspectionConflictSchema, ConflictArgs)
def list_conflicts(args):
    """登记在册的回避关系（all=1 含已解除）"""
    query = queries.conflicts(current_only=args["all"] != "1", q=args["q"].strip())
    return paginate(query, args)


@bp.route("/conflicts", methods=["POST"])
@allow(LEGAL)
@errors(409)
@bp.arguments(
    InspectionConflictInSchema,
    example={"inspector": "ZF001", "target": "DX001", "relation": "亲属", "reason": "配偶经营"},
)
@bp.response(201, InspectionConflictSchema)
def declare_conflict(data):
    """登记回避关系"""
    return operations.declare_conflict(
        data["inspector"],
        data["target"],
        data["relation"],
        data["reason"],
        require_actor().username,
    )


@bp.route("/conflicts/<int:conflict_id>/end", methods=["POST"])
@allow(LEGAL)
@errors(409)
@bp.arguments(InspectionReasonSchema)
@bp.response(200, InspectionConflictSchema)
def end_conflict(data, conflict_id: int):
    """解除回避关系（须写明理由；记录保留）"""
    declaration = queries.conflict_by_id(conflict_id)
    return operations.end_conflict(declaration, data["reason"], require_actor().username)


@bp.route("/recusals", methods=["GET"])
@allow(*READERS)
@bp.paginated(RecusalSchema, RecusalArgs)
def list_recusals(args):
    """当事人回避申请（status=pending/granted/refused）"""
    return paginate(queries.recusals(args["status"]), args)


@bp.route("/recusals", methods=["POST"])
@allow(LEGAL)
@errors(409)
@bp.arguments(RecusalInSchema)
@bp.response(201, RecusalSchema)
def file_recusal(data):
    """登记当事人回避申请"""
    return operations.file_recusal(
        data["inspector"],
        data["target"],
        data["applicant"],
        data["reason"],
        data["filed_on"],
        require_actor().username,
    )


@bp.route("/recusals/<int:request_id>/decision", methods=["POST"])
@allow(LEADER)
@errors(409)
@bp.arguments(RecusalDecisionSchema)
@bp.response(200, RecusalSchema)
def decide_recusal(data, request_id: int):
    """局领导决定回避申请（grant=true 批准）"""
    found = queries.recusal_by_id(request_id)
    return operations.decide_recusal(found, data["grant"], data["note"], require_actor().username)
