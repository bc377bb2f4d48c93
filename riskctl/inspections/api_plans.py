"""``/api/v1/inspection``: plans, lock and draw, re-draws, results and statistics."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, request

from riskctl.core import clock
from riskctl.core.auth.policy import DISCIPLINE, LEADER, LEGAL, OFFICER, allow, require_actor
from riskctl.core.bounds import date_error
from riskctl.core.errors import BadRequest, NotFound, ValidationFailed
from riskctl.core.http import doc, json_body, paginate
from riskctl.draws.schemas import RedrawRequestInSchema
from riskctl.inspections import plan_operations, queries, result_operations, stats
from riskctl.inspections.api import upload
from riskctl.inspections.sampling import PlanRules, frame
from riskctl.inspections.schemas import (
    InspectionPlanInSchema,
    InspectionPlanSchema,
    InspectionReasonSchema,
    InspectionTaskSchema,
    PlanDrawInSchema,
    PlanRedrawDecisionSchema,
    PlanRedrawSchema,
    PublishResultsSchema,
    TaskAttachmentSchema,
    TaskResultInSchema,
)

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


@bp.get("/plans/<code>/tasks")
@allow(*EVERYONE)
@doc(
    "计划的抽中对象与结果（state=todo/entered/published；执法队员只见本单位人员参与的）",
    response=InspectionTaskSchema,
    tags=TAG,
)
def list_tasks(code: str):
    plan = queries.plan_by_code(code)
    query = queries.tasks(require_actor(), plan=plan, state=request.args.get("state", ""))
    return paginate(query, InspectionTaskSchema())


@bp.get("/tasks/<int:task_id>")
@allow(*EVERYONE)
@doc("抽查任务与结果", response=InspectionTaskSchema, tags=TAG)
def get_task(task_id: int):
    return InspectionTaskSchema().dump(queries.task_for(require_actor(), task_id))


@bp.post("/tasks/<int:task_id>/result")
@allow(LEGAL, OFFICER)
@doc(
    "录入检查结果（标准结果代码；公示前可更正）",
    body=TaskResultInSchema,
    response=InspectionTaskSchema,
    tags=TAG,
)
def record_result(task_id: int):
    actor = require_actor()
    task = queries.task_for(actor, task_id)
    data = json_body(TaskResultInSchema())
    result_operations.record_result(
        task, data["result"], data["inspected_on"], data["note"], actor.username
    )
    return InspectionTaskSchema().dump(task)


@bp.post("/tasks/<int:task_id>/attachments")
@allow(LEGAL, OFFICER)
@doc(
    "上传检查结果附件（multipart，字段 file）",
    response=TaskAttachmentSchema,
    status=201,
    upload=True,
    tags=TAG,
)
def add_attachment(task_id: int):
    actor = require_actor()
    task = queries.task_for(actor, task_id)
    data, filename = upload()
    attachment = result_operations.add_attachment(task, filename, data, actor.username)
    return TaskAttachmentSchema().dump(attachment), 201


@bp.get("/tasks/<int:task_id>/attachments/<int:attachment_id>")
@allow(*EVERYONE)
@doc("下载附件", tags=TAG)
def download_attachment(task_id: int, attachment_id: int):
    task = queries.task_for(require_actor(), task_id)
    found = next((a for a in task.attachments if a.id == attachment_id), None)
    if found is None:
        raise NotFound(f"附件 {attachment_id} 不存在")
    return result_operations.send_attachment(found)


@bp.post("/plans/<code>/publish")
@allow(LEGAL)
@doc("公示已录入的结果（tasks 为空则公示全部待公示结果）", body=PublishResultsSchema, tags=TAG)
def publish(code: str):
    plan = queries.plan_by_code(code)
    task_ids = json_body(PublishResultsSchema())["tasks"]
    return {
        "published": result_operations.publish_results(plan, task_ids, require_actor().username)
    }


@bp.get("/results/overdue")
@allow(*EVERYONE)
@doc("逾期未公示的检查结果", response=InspectionTaskSchema, tags=TAG)
def overdue():
    return paginate(queries.overdue(require_actor()), InspectionTaskSchema())


def period_args() -> tuple[date, date]:
    today = clock.today()
    try:
        start = date.fromisoformat(request.args.get("start") or f"{today.year}-01-01")
        end = date.fromisoformat(request.args.get("end") or today.isoformat())
    except ValueError as exc:
        raise BadRequest("start 与 end 应为日期（YYYY-MM-DD）") from exc
    for name, day in (("start", start), ("end", end)):
        problem = date_error(day)
        if problem:
            raise ValidationFailed.field(name, problem)
    if end < start:
        raise ValidationFailed.field("end", "结束日期不能早于开始日期")
    return start, end


@bp.get("/stats")
@allow(*READERS)
@doc("统计：按信用等级的覆盖率、完成率、按期公示率（start、end）", tags=TAG)
def statistics():
    start, end = period_args()
    data = stats.summary(start, end)
    for plan in data["plans"]:
        plan["drawn_at"] = plan["drawn_at"].isoformat() if plan["drawn_at"] else None
    return {**data, "start": start.isoformat(), "end": end.isoformat()}
