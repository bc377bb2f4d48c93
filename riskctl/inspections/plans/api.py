"""``/api/v1/inspection``: plans, lock and draw, re-draws, results and statistics."""

from __future__ import annotations

from riskctl.accounts.roles import DISCIPLINE, LEADER, LEGAL, OFFICER
from riskctl.core.api import ApiBlueprint, errors, extended, paginate
from riskctl.core.auth.policy import allow, require_actor
from riskctl.draws.schemas import ENTROPY_EXAMPLE, RedrawRequestInSchema
from riskctl.inspections import queries
from riskctl.inspections.plans import operations as plan_operations
from riskctl.inspections.plans.examples import DRAW_ANSWER, PLAN_ANSWER, PLAN_EXAMPLE
from riskctl.inspections.plans.sampling import PlanRules, frame
from riskctl.inspections.plans.schemas import (
    DrawSummaryOut,
    FrameOut,
    InspectionPlanInSchema,
    InspectionPlanSchema,
    LockOut,
    PlanArgs,
    PlanDrawInSchema,
    PlanRedrawDecisionSchema,
    PlanRedrawSchema,
    RedrawListOut,
    RelockOut,
)
from riskctl.inspections.schemas import InspectionReasonSchema

bp = ApiBlueprint(
    "inspection_plans_api",
    __name__,
    title="抽查计划",
    url_prefix="/api/v1/inspection",
    description="双随机一公开：抽查计划、锁定与抽取、重抽",
)

READERS = (LEGAL, LEADER, DISCIPLINE)
EVERYONE = (LEGAL, LEADER, DISCIPLINE, OFFICER)


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


@bp.route("/plans", methods=["GET"])
@allow(*EVERYONE)
@bp.paginated(InspectionPlanSchema, PlanArgs)
def list_plans(args):
    """抽查计划列表（status 过滤）"""
    return paginate(queries.plans(args["status"]), args)


@bp.route("/plans", methods=["POST"])
@allow(LEGAL)
@errors(409)
@bp.arguments(InspectionPlanInSchema, example=PLAN_EXAMPLE)
@bp.response(201, InspectionPlanSchema, example=PLAN_ANSWER)
def create_plan(data):
    """新建抽查计划（草稿）"""
    return plan_operations.create_plan(data, require_actor().username)


@bp.route("/plans/preview", methods=["POST"])
@allow(LEGAL)
@bp.arguments(InspectionPlanInSchema, example=PLAN_EXAMPLE)
@bp.response(200, FrameOut)
def preview_new_plan(data):
    """预览计划（不保存）：各层对象数、排除数与抽取数"""
    return frame(PlanRules.from_input(data))


@bp.route("/plans/<code>", methods=["GET"])
@allow(*EVERYONE)
@bp.response(200, InspectionPlanSchema, example=PLAN_ANSWER)
def get_plan(code: str):
    """抽查计划"""
    return queries.plan_by_code(code)


@bp.route("/plans/<code>/preview", methods=["GET"])
@allow(*READERS)
@bp.response(200, FrameOut)
def preview_plan(code: str):
    """计划预览：各层对象数、排除数（及原因）与抽取数；锁定前后均可查看"""
    plan = queries.plan_by_code(code)
    if plan.status in ("locked", "drawn") and plan.frame:
        return {**plan.frame, "frozen": True}
    return {**frame(PlanRules.of(plan)), "frozen": False}


@bp.route("/plans/<code>/cancel", methods=["POST"])
@allow(LEGAL)
@errors(409)
@bp.arguments(InspectionReasonSchema)
@bp.response(200, InspectionPlanSchema)
def cancel_plan(data, code: str):
    """作废草稿计划（须写明理由）"""
    plan = queries.plan_by_code(code)
    return plan_operations.cancel_plan(plan, data["reason"], require_actor().username)


@bp.route("/plans/<code>/lock", methods=["POST"])
@allow(LEGAL)
@errors(409, 422)
@bp.response(200, LockOut)
def lock_plan(code: str):
    """锁定计划：冻结抽取清单并公布摘要"""
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


@bp.route("/plans/<code>/draw", methods=["POST"])
@allow(LEGAL)
@errors(409)
@bp.arguments(PlanDrawInSchema, example=ENTROPY_EXAMPLE)
@bp.response(201, DrawSummaryOut, example=DRAW_ANSWER)
def draw_plan(data, code: str):
    """录入公开随机数并抽取（每个计划只能抽取一次，重复请求返回 409）"""
    plan = queries.plan_by_code(code)
    draw = plan_operations.draw_plan(plan, data["entropy"], data["entropy_source"], require_actor())
    return {"plan": plan.code, **draw_summary(draw)}


@bp.route("/plans/<code>/redraws", methods=["GET"])
@allow(*READERS)
@bp.response(200, RedrawListOut)
def list_redraws(code: str):
    """计划的重抽申请"""
    plan = queries.plan_by_code(code)
    return {"items": queries.redraw_requests(plan)}


@bp.route("/plans/<code>/redraws", methods=["POST"])
@allow(LEGAL)
@errors(409)
@bp.arguments(RedrawRequestInSchema)
@bp.response(201, PlanRedrawSchema)
def request_redraw(data, code: str):
    """提出重抽申请：kind 为 entropy_failure（随机数来源失效：沿用原清单、录入新随机数）或
    manifest_error（抽取清单有误：批准后按更正的名录重新锁定清单、公布摘要，再录入新随机数），
    须写明理由 reason，经局领导批准后执行"""
    plan = queries.plan_by_code(code)
    return plan_operations.request_redraw(
        plan, data["kind"], data["reason"], require_actor().username
    )


@bp.route("/redraws/<int:request_id>/decision", methods=["POST"])
@allow(LEADER)
@errors(409)
@bp.arguments(PlanRedrawDecisionSchema)
@bp.response(200, PlanRedrawSchema)
def decide_redraw(data, request_id: int):
    """局领导审批重抽申请（approve=true 批准）"""
    found = queries.redraw_by_id(request_id)
    return plan_operations.decide_redraw(found, data["approve"], data["note"], require_actor())


@bp.route("/redraws/<int:request_id>/relock", methods=["POST"])
@allow(LEGAL)
@errors(409, 422)
@bp.response(200, RelockOut)
def relock_redraw(request_id: int):
    """抽取清单有误的重抽：按更正后的名录重新锁定计划，生成新一版抽取清单并公布摘要（须在录入新随机数之前）"""
    found = queries.redraw_by_id(request_id)
    manifest = plan_operations.relock_for_redraw(found, require_actor())
    return extended(
        found,
        digests=manifest.digests,
        manifest_version=manifest.version,
        public_url=f"/public/draws/manifests/{manifest.id}",
    )


@bp.route("/redraws/<int:request_id>/run", methods=["POST"])
@allow(LEGAL)
@errors(409)
@bp.arguments(PlanDrawInSchema)
@bp.response(201, DrawSummaryOut)
def run_redraw(data, request_id: int):
    """执行已批准的重抽（录入新的公开随机数；抽取清单有误的须先重新锁定）"""
    found = queries.redraw_by_id(request_id)
    draw = plan_operations.run_redraw(
        found, data["entropy"], data["entropy_source"], require_actor()
    )
    return {"plan": found.plan.code, **draw_summary(draw)}
