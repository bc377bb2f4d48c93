"""Conflict declarations and recusal requests (回避) as JSON."""

from __future__ import annotations

from flask import Blueprint, request

from riskctl.core.auth.policy import DISCIPLINE, LEADER, LEGAL, allow, require_actor
from riskctl.core.http import doc, json_body, paginate
from riskctl.inspections import operations, queries
from riskctl.inspections.conflicts.schemas import (
    InspectionConflictInSchema,
    InspectionConflictSchema,
    RecusalDecisionSchema,
    RecusalInSchema,
    RecusalSchema,
)
from riskctl.inspections.schemas import (
    InspectionReasonSchema,
)

bp = Blueprint("inspection_conflicts_api", __name__, url_prefix="/api/v1/inspection")

READERS = (LEGAL, LEADER, DISCIPLINE)


@bp.get("/conflicts")
@allow(*READERS)
@doc(
    "登记在册的回避关系（all=1 含已解除）", response=InspectionConflictSchema, tags=("inspection",)
)
def list_conflicts():
    query = queries.conflicts(
        current_only=request.args.get("all") != "1", q=request.args.get("q", "").strip()
    )
    return paginate(query, InspectionConflictSchema())


@bp.post("/conflicts")
@allow(LEGAL)
@doc(
    "登记回避关系",
    body=InspectionConflictInSchema,
    response=InspectionConflictSchema,
    status=201,
    tags=("inspection",),
)
def declare_conflict():
    data = json_body(InspectionConflictInSchema())
    declaration = operations.declare_conflict(
        data["inspector"],
        data["target"],
        data["relation"],
        data["reason"],
        require_actor().username,
    )
    return InspectionConflictSchema().dump(declaration), 201


@bp.post("/conflicts/<int:conflict_id>/end")
@allow(LEGAL)
@doc(
    "解除回避关系（须写明理由；记录保留）",
    body=InspectionReasonSchema,
    response=InspectionConflictSchema,
    tags=("inspection",),
)
def end_conflict(conflict_id: int):
    declaration = queries.conflict_by_id(conflict_id)
    reason = json_body(InspectionReasonSchema())["reason"]
    return InspectionConflictSchema().dump(
        operations.end_conflict(declaration, reason, require_actor().username)
    )


@bp.get("/recusals")
@allow(*READERS)
@doc(
    "当事人回避申请（status=pending/granted/refused）", response=RecusalSchema, tags=("inspection",)
)
def list_recusals():
    return paginate(queries.recusals(request.args.get("status", "")), RecusalSchema())


@bp.post("/recusals")
@allow(LEGAL)
@doc(
    "登记当事人回避申请",
    body=RecusalInSchema,
    response=RecusalSchema,
    status=201,
    tags=("inspection",),
)
def file_recusal():
    data = json_body(RecusalInSchema())
    request_ = operations.file_recusal(
        data["inspector"],
        data["target"],
        data["applicant"],
        data["reason"],
        data["filed_on"],
        require_actor().username,
    )
    return RecusalSchema().dump(request_), 201


@bp.post("/recusals/<int:request_id>/decision")
@allow(LEADER)
@doc(
    "局领导决定回避申请（grant=true 批准）",
    body=RecusalDecisionSchema,
    response=RecusalSchema,
    tags=("inspection",),
)
def decide_recusal(request_id: int):
    found = queries.recusal_by_id(request_id)
    data = json_body(RecusalDecisionSchema())
    decided = operations.decide_recusal(
        found, data["grant"], data["note"], require_actor().username
    )
    return RecusalSchema().dump(decided)
