"""Inspection tasks and their results as JSON: record, attach, publish, overdue, statistics."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, request

from riskctl.core import clock
from riskctl.core.auth.policy import DISCIPLINE, LEADER, LEGAL, OFFICER, allow, require_actor
from riskctl.core.bounds import date_error
from riskctl.core.errors import BadRequest, NotFound, ValidationFailed
from riskctl.core.http import doc, json_body, paginate
from riskctl.inspections import queries, stats
from riskctl.inspections.api import upload
from riskctl.inspections.results import operations as result_operations
from riskctl.inspections.results.schemas import (
    InspectionTaskSchema,
    PublishResultsSchema,
    TaskAttachmentSchema,
    TaskResultInSchema,
)

bp = Blueprint("inspection_results_api", __name__, url_prefix="/api/v1/inspection")

READERS = (LEGAL, LEADER, DISCIPLINE)
EVERYONE = (LEGAL, LEADER, DISCIPLINE, OFFICER)
TAG = ("inspection-plans",)


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
