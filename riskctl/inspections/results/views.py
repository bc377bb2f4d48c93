"""Result pages: a plan's tasks, result entry and attachments, publication, overdue, statistics."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, flash, redirect, render_template, request, url_for

from riskctl.accounts.roles import DISCIPLINE, LEADER, LEGAL, OFFICER
from riskctl.core import clock, settings
from riskctl.core.auth.policy import allow, current_actor
from riskctl.core.calendar import current_calendar
from riskctl.core.errors import AppError, BadRequest
from riskctl.inspections import options, queries, stats
from riskctl.inspections.forms import AttachmentForm, ResultForm
from riskctl.inspections.models import RESULT_CODES, Task
from riskctl.inspections.results import operations as result_operations
from riskctl.inspections.results.api import period
from riskctl.inspections.views import TASK_SORTS, page_of, show_errors

bp = Blueprint(
    "inspection_results", __name__, url_prefix="/inspections", template_folder="../templates"
)

READERS = (LEGAL, LEADER, DISCIPLINE)
EVERYONE = (LEGAL, LEADER, DISCIPLINE, OFFICER)
STATES = {"": "全部", "todo": "待录入", "entered": "已录入待公示", "published": "已公示"}


@bp.get("/plans/<code>/tasks")
@allow(*EVERYONE)
def tasks(code: str):
    plan = queries.plan_by_code(code)
    state = request.args.get("state", "")
    lst = page_of(queries.tasks(current_actor(), plan=plan, state=state), TASK_SORTS, "position")
    return render_template(
        "inspections/tasks.html",
        plan=plan,
        lst=lst,
        rows=lst.items,
        states=STATES,
        today=clock.today(),
        can_publish=current_actor().role == LEGAL,
    )


def _render_task(task: Task, status: int = 200, **forms):
    user = current_actor()
    form = forms.get("form") or ResultForm(obj=task, result=task.result_code or "no_problem")
    calendar = current_calendar()
    left = (
        calendar.working_days_between(clock.today(), task.publish_due) if task.publish_due else None
    )
    return render_template(
        "inspections/task.html",
        task=task,
        form=form,
        attachment_form=forms.get("attachment_form") or AttachmentForm(prefix="attachment"),
        can_enter=user.role in (LEGAL, OFFICER) and not task.superseded and not task.published_at,
        days_left=left,
        attachment_limit=settings.get(options.ATTACHMENT_MAX_MB.key),
        today=clock.today(),
        results=RESULT_CODES,
    ), status


@bp.get("/tasks/<int:task_id>")
@allow(*EVERYONE)
def task(task_id: int):
    return _render_task(queries.task_for(current_actor(), task_id))


@bp.post("/tasks/<int:task_id>/result")
@allow(LEGAL, OFFICER)
def record_result(task_id: int):
    found = queries.task_for(current_actor(), task_id)
    form = ResultForm()
    if form.validate_on_submit():
        try:
            result_operations.record_result(
                found,
                form.result.data,
                form.inspected_on.data,
                (form.note.data or "").strip(),
                current_actor().username,
            )
        except AppError as exc:
            show_errors(form, exc)
            return _render_task(found, exc.status, form=form)
        flash(f"已录入检查结果，须在 {found.publish_due:%Y-%m-%d} 前公示", "success")
        return redirect(url_for(".task", task_id=task_id))
    return _render_task(found, 422, form=form)


@bp.post("/tasks/<int:task_id>/attachments")
@allow(LEGAL, OFFICER)
def add_attachment(task_id: int):
    found = queries.task_for(current_actor(), task_id)
    form = AttachmentForm(prefix="attachment")
    if form.validate_on_submit():
        upload = form.file.data
        try:
            result_operations.add_attachment(
                found, upload.filename or "", upload.read(), current_actor().username
            )
        except AppError as exc:
            show_errors(form, exc)
            return _render_task(found, exc.status, attachment_form=form)
        flash("附件已上传", "success")
        return redirect(url_for(".task", task_id=task_id))
    return _render_task(found, 422, attachment_form=form)


@bp.get("/tasks/<int:task_id>/attachments/<int:attachment_id>")
@allow(*EVERYONE)
def attachment(task_id: int, attachment_id: int):
    found = queries.attachment_for(current_actor(), task_id, attachment_id)
    return result_operations.send_attachment(found)


@bp.post("/plans/<code>/publish")
@allow(LEGAL)
def publish(code: str):
    plan = queries.plan_by_code(code)
    chosen = [int(v) for v in request.form.getlist("task") if v.isdigit()]
    try:
        count = result_operations.publish_results(plan, chosen or None, current_actor().username)
    except AppError as exc:
        flash(exc.message, "error")
        return redirect(url_for(".tasks", code=code, state="entered"))
    flash(f"已公示 {count} 条检查结果", "success")
    return redirect(url_for(".tasks", code=code, state="published"))


WORKLISTS = {
    "todo": ("待录入的检查任务", "已抽中、尚未录入检查结果的任务（本人所在单位）。"),
    "due_soon": ("临近公示期限的检查结果", "已录入、尚未公示，公示期限在 5 日内的结果。"),
}


@bp.get("/worklist")
@allow(*EVERYONE)
def worklist():
    kind = request.args.get("kind", "todo")
    if kind not in WORKLISTS:
        kind = "todo"
    query = queries.to_enter if kind == "todo" else queries.due_soon
    lst = page_of(query(current_actor()), TASK_SORTS, "due", ignore=("kind",))
    title, hint = WORKLISTS[kind]
    return render_template(
        "inspections/worklist.html",
        lst=lst,
        rows=lst.items,
        kind=kind,
        title=title,
        hint=hint,
        kinds=WORKLISTS,
    )


@bp.get("/overdue")
@allow(*EVERYONE)
def overdue():
    lst = page_of(queries.overdue(current_actor()), TASK_SORTS, "due")
    return render_template(
        "inspections/overdue.html",
        lst=lst,
        rows=lst.items,
        today=clock.today(),
    )


def period_args() -> tuple[date, date]:
    try:
        start = request.args.get("start") or None
        end = request.args.get("end") or None
        return period(
            date.fromisoformat(start) if start else None, date.fromisoformat(end) if end else None
        )
    except ValueError as exc:
        raise BadRequest("start 与 end 应为日期（YYYY-MM-DD）") from exc


@bp.get("/statistics")
@allow(*READERS)
def statistics():
    try:
        start, end = period_args()
    except AppError as exc:
        flash(exc.message, "error")
        start, end = date(clock.today().year, 1, 1), clock.today()
    return render_template("inspections/stats.html", data=stats.summary(start, end))
