"""``/api/v1/inspection``: plans, lock and draw, re-draws, results and statistics."""

from __future__ import annotations

from flask import Blueprint, request

from riskctl.core import clock
from riskctl.core.auth.policy import DISCIPLINE, LEADER, LEGAL, OFFICER, allow, require_actor
from riskctl.core.http import doc, json_body, paginate
from riskctl.draws.schemas import RedrawRequestInSchema
from riskctl.inspections import queries
from riskctl.inspections.plans import operations as plan_operations
from riskctl.inspections.plans.sampling import PlanRules, frame
from riskctl.inspections.plans.schemas import (
    InspectionPlanInSchema,
    InspectionPlanSchema,
    PlanDrawInSchema,
    PlanRedrawDecisionSchema,
    PlanRedrawSchema,
)
from riskctl.inspections.schemas import InspectionReasonSchema

bp = Blueprint("inspection_plans_api", __name__, url_prefix="/api/v1/inspection")

READERS = (LEGAL, LEADER, DISCIPLINE)
EVERYONE = (LEGAL, LEADER, DISCIPLINE, OFFICER)
TAG = ("inspection-plans",)


def draw_summary(draw) -> dict:
    return {
        "draw_id": draw.id,
        "round": draw.round,
        "seed": draw.seed,
        "result_digest": draw.result_digest,
        "selected": draw.selected_count,
        "entropy": draw.entropy,
        "entropy_source": draw.entropy_source,
        "drawn_at": draw.drawn_at.isoformat(),
        "public_url": f"/public/draws/{draw.id}",
    }


@bp.get("/plans")
@allow(*EVERYONE)
@doc("抽查计划列表（status 过滤）", response=InspectionPlanSchema, tags=TAG)
def list_plans():
    return paginate(queries.plans(request.args.get("status", "")), InspectionPlanSchema())


@bp.post("/plans")
@allow(LEGAL)
@doc(
    "新建抽查计划（草稿）",
    body=InspectionPlanInSchema,
    response=InspectionPlanSchema,
    status=201,
    tags=TAG,
)
def create_plan():
    plan = plan_operations.create_plan(
        json_body(InspectionPlanInSchema()), require_actor().username
    )
    return InspectionPlanSchema().dump(plan), 201


@bp.post("/plans/preview")
@allow(LEGAL)
@doc("预览计划（不保存）：各层对象数、排除数与抽取数", body=InspectionPlanInSchema, tags=TAG)
def preview_new_plan():
    data = json_body(InspectionPlanInSchema())
    rules = PlanRules(
        ratios=data["ratios"],
        quotas=data.get("quotas"),
        team_size=data["team_size"],
        cap=data.get("cap"),
        exclude_recent_months=data["exclude_recent_months"],
        lookback_months=data["lookback_months"],
        cross_unit=data["cross_unit"],
        units=tuple(data.get("units") or ()),
        today=clock.today(),
    )
    return frame(rules)


@bp.get("/plans/<code>")
@allow(*EVERYONE)
@doc("抽查计划", response=InspectionPlanSchema, tags=TAG)
def get_plan(code: str):
    return InspectionPlanSchema().dump(queries.plan_by_code(code))


@bp.get("/plans/<code>/preview")
@allow(*READERS)
@doc("计划预览：各层对象数、排除数（及原因）与抽取数；锁定前后均可查看", tags=TAG)
def preview_plan(code: str):
    plan = queries.plan_by_code(code)
    if plan.status in ("locked", "drawn") and plan.frame:
        return {**plan.frame, "frozen": True}
    return {**frame(PlanRules.of(plan)), "frozen": False}


@bp.post("/plans/<code>/cancel")
@allow(LEGAL)
@doc(
    "作废草稿计划（须写明理由）",
    body=InspectionReasonSchema,
    response=InspectionPlanSchema,
    tags=TAG,
)
def cancel_plan(code: str):
    plan = queries.plan_by_code(code)
    reason = json_body(InspectionReasonSchema())["reason"]
    return InspectionPlanSchema().dump(
        plan_operations.cancel_plan(plan, reason, require_actor().username)
    )


@bp.post("/plans/<code>/lock")
@allow(LEGAL)
@doc("锁定计划：冻结抽取清单并公布摘要", tags=TAG)
def lock_plan(code: str):
    plan = queries.plan_by_code(code)
    manifest = plan_operations.lock_plan(plan, require_actor())
    return {
        "plan": plan.code,
        "manifest_id": manifest.id,
        "digests": manifest.digests,
        "quotas": manifest.quotas,
        "team_size": manifest.team_size,
        "cap": manifest.cap,
        "targets": manifest.target_count,
        "inspectors": manifest.inspector_count,
        "conflicts": manifest.conflict_count,
        "warnings": plan.frame["warnings"],
    }


@bp.post("/plans/<code>/draw")
@allow(LEGAL)
@doc(
    "录入公开随机数并抽取（每个计划只能抽取一次，重复请求返回 409）",
    body=PlanDrawInSchema,
    tags=TAG,
)
def draw_plan(code: str):
    plan = queries.plan_by_code(code)
    data = json_body(PlanDrawInSchema())
    draw = plan_operations.draw_plan(plan, data["entropy"], data["entropy_source"], require_actor())
    return {"plan": plan.code, **draw_summary(draw)}, 201


@bp.get("/plans/<code>/redraws")
@allow(*READERS)
@doc("计划的重抽申请", response=PlanRedrawSchema, tags=TAG)
def list_redraws(code: str):
    plan = queries.plan_by_code(code)
    return {"items": PlanRedrawSchema(many=True).dump(queries.redraw_requests(plan))}


@bp.post("/plans/<code>/redraws")
@allow(LEGAL)
@doc(
    "提出重抽申请：kind 为 entropy_failure（随机数来源失效：沿用原清单、录入新随机数）或 "
    "manifest_error（抽取清单有误：批准后按更正的名录重新锁定清单、公布摘要，再录入新随机数），"
    "须写明理由 reason，经局领导批准后执行",
    body=RedrawRequestInSchema,
    response=PlanRedrawSchema,
    status=201,
    tags=TAG,
)
def request_redraw(code: str):
    plan = queries.plan_by_code(code)
    data = json_body(RedrawRequestInSchema())
    return PlanRedrawSchema().dump(
        plan_operations.request_redraw(plan, data["kind"], data["reason"], require_actor().username)
    ), 201


@bp.post("/redraws/<int:request_id>/decision")
@allow(LEADER)
@doc(
    "局领导审批重抽申请（approve=true 批准）",
    body=PlanRedrawDecisionSchema,
    response=PlanRedrawSchema,
    tags=TAG,
)
def decide_redraw(request_id: int):
    found = queries.redraw_by_id(request_id)
    data = json_body(PlanRedrawDecisionSchema())
    decided = plan_operations.decide_redraw(found, data["approve"], data["note"], require_actor())
    return PlanRedrawSchema().dump(decided)


@bp.post("/redraws/<int:request_id>/relock")
@allow(LEGAL)
@doc(
    "抽取清单有误的重抽：按更正后的名录重新锁定计划，生成新一版抽取清单并公布摘要（须在录入新随机数之前）",
    response=PlanRedrawSchema,
    tags=TAG,
)
def relock_redraw(request_id: int):
    found = queries.redraw_by_id(request_id)
    manifest = plan_operations.relock_for_redraw(found, require_actor())
    return {
        **PlanRedrawSchema().dump(found),
        "digests": manifest.digests,
        "manifest_version": manifest.version,
        "public_url": f"/public/draws/manifests/{manifest.id}",
    }


@bp.post("/redraws/<int:request_id>/run")
@allow(LEGAL)
@doc(
    "执行已批准的重抽（录入新的公开随机数；抽取清单有误的须先重新锁定）",
    body=PlanDrawInSchema,
    tags=TAG,
)
def run_redraw(request_id: int):
    found = queries.redraw_by_id(request_id)
    data = json_body(PlanDrawInSchema())
    draw = plan_operations.run_redraw(
        found, data["entropy"], data["entropy_source"], require_actor()
    )
    return {"plan": found.plan.code, **draw_summary(draw)}, 201


# --- 结果 -----------------------------------------------------------------------------
