"""Inspection tasks and their results as JSON: record, attach, publish, overdue, statistics."""

from __future__ import annotations

from datetime import date

from riskctl.accounts.roles import DISCIPLINE, LEADER, LEGAL, OFFICER
from riskctl.core import clock
from riskctl.core.api import ApiBlueprint, PageArgs, errors, paginate
from riskctl.core.auth.policy import allow, require_actor
from riskctl.core.bounds import date_error
from riskctl.core.errors import ValidationFailed
from riskctl.core.listcache import cached
from riskctl.inspections import queries, stats
from riskctl.inspections.results import operations as result_operations
from riskctl.inspections.results.pages import tasks_page
from riskctl.inspections.results.schemas import (
    InspectionTaskSchema,
    PeriodArgs,
    PublishedOut,
    PublishResultsSchema,
    StatsOut,
    TaskArgs,
    TaskAttachmentIn,
    TaskAttachmentSchema,
    TaskResultInSchema,
)

bp = ApiBlueprint(
    "inspection_results_api",
    __name__,
    title="检查结果",
    url_prefix="/api/v1/inspection",
    description="双随机一公开：检查结果、公示与统计",
)

READERS = (LEGAL, LEADER, DISCIPLINE)
EVERYONE = (LEGAL, LEADER, DISCIPLINE, OFFICER)


@bp.route("/plans/<code>/tasks", methods=["GET"])
@allow(*EVERYONE)
@cached
@bp.paginated(InspectionTaskSchema, TaskArgs)
def list_tasks(args, code: str):
    """计划的抽中对象与结果（state=todo/entered/published；执法队员只见本单位人员参与的）"""
    return tasks_page(require_actor(), code, args["state"], args)


@bp.route("/tasks/<int:task_id>", methods=["GET"])
@allow(*EVERYONE)
@bp.response(200, InspectionTaskSchema)
def get_task(task_id: int):
    """抽查任务与结果"""
    return queries.task_for(require_actor(), task_id)


@bp.route("/tasks/<int:task_id>/result", methods=["POST"])
@allow(LEGAL, OFFICER)
@errors(409)
@bp.arguments(TaskResultInSchema)
@bp.response(200, InspectionTaskSchema)
def record_result(data, task_id: int):
    """录入检查结果（标准结果代码；公示前可更正）"""
    actor = require_actor()
    task = queries.task_for(actor, task_id)
    result_operations.record_result(
        task, data["result"], data["inspected_on"], data["note"], actor.username
    )
    return task


@bp.route("/tasks/<int:task_id>/attachments", methods=["POST"])
@allow(LEGAL, OFFICER)
@errors(409)
@bp.arguments(TaskAttachmentIn, location="files", content_type="multipart/form-data")
@bp.response(201, TaskAttachmentSchema)
def add_attachment(data, task_id: int):
    """上传检查结果附件（multipart，字段 file）"""
    actor = require_actor()
    task = queries.task_for(actor, task_id)
    file = data["file"]
    if not file.filename:
        raise ValidationFailed.field("file", "请以 multipart/form-data 上传文件（字段名 file）")
    return result_operations.add_attachment(task, file.filename, file.read(), actor.username)


@bp.route("/tasks/<int:task_id>/attachments/<int:attachment_id>", methods=["GET"])
@allow(*EVERYONE)
@bp.response(200, description="附件原件", content_type="application/octet-stream")
def download_attachment(task_id: int, attachment_id: int):
    """下载附件"""
    found = queries.attachment_for(require_actor(), task_id, attachment_id)
    return result_operations.send_attachment(found)


@bp.route("/plans/<code>/publish", methods=["POST"])
@allow(LEGAL)
@errors(409)
@bp.arguments(PublishResultsSchema)
@bp.response(200, PublishedOut)
def publish(data, code: str):
    """公示已录入的结果（tasks 为空则公示全部待公示结果）"""
    plan = queries.plan_by_code(code)
    published = result_operations.publish_results(plan, data["tasks"], require_actor().username)
    return {"published": published}


@bp.route("/results/overdue", methods=["GET"])
@allow(*EVERYONE)
@bp.paginated(InspectionTaskSchema, PageArgs)
def overdue(args):
    """逾期未公示的检查结果"""
    return paginate(queries.overdue(require_actor()), args)


def period(start: date | None, end: date | None) -> tuple[date, date]:
    """The statistics period: this year to today by default, each day within bounds."""
    today = clock.today()
    start = start or today.replace(month=1, day=1)
    end = end or today
    for name, day in (("start", start), ("end", end)):
        problem = date_error(day)
        if problem:
            raise ValidationFailed.field(name, problem)
    if end < start:
        raise ValidationFailed.field("end", "结束日期不能早于开始日期")
    return start, end


@bp.route("/stats", methods=["GET"])
@allow(*READERS)
@errors(422)
@bp.arguments(PeriodArgs, location="query")
@bp.response(200, StatsOut)
def statistics(args):
    """统计：按信用等级的覆盖率、完成率、按期公示率（start、end）"""
    start, end = period(args["start"], args["end"])
    data = stats.summary(start, end)
    for plan in data["plans"]:
        plan["drawn_at"] = plan["drawn_at"].isoformat() if plan["drawn_at"] else None
    return {**data, "start": start, "end": end}
