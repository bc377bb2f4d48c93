"""Plan pages: the wizard with its stratum preview, lock, draw, re-draw."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from marshmallow import ValidationError
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from riskctl.accounts.queries import units_tree
from riskctl.accounts.roles import DISCIPLINE, LEADER, LEGAL, OFFICER
from riskctl.core import settings
from riskctl.core.auth.policy import allow, current_actor
from riskctl.core.db import db
from riskctl.core.errors import AppError
from riskctl.core.listing import listing
from riskctl.draws.models import REDRAW_KINDS, DrawManifest
from riskctl.draws.queries import rounds
from riskctl.inspections import options, queries
from riskctl.inspections.forms import DecisionForm, EntropyForm, PlanForm, ReasonForm
from riskctl.inspections.models import (
    CREDIT_CLASSES,
    PLAN_STATUSES,
    REDRAW_STATUSES,
    InspectionItem,
    Plan,
    RedrawRequest,
    Task,
)
from riskctl.inspections.plans import operations as plan_operations
from riskctl.inspections.plans.sampling import PlanRules, frame
from riskctl.inspections.plans.schemas import InspectionPlanInSchema, PlanDrawInSchema
from riskctl.inspections.views import TASK_SORTS, show_errors

bp = Blueprint(
    "inspection_pages", __name__, url_prefix="/inspections", template_folder="../templates"
)

EVERYONE = (LEGAL, LEADER, DISCIPLINE, OFFICER)
TASKS_SHOWN = 20


def _plan_form() -> PlanForm:
    form = PlanForm()
    items = db.session.scalars(
        select(InspectionItem).where(InspectionItem.active.is_(True)).order_by(InspectionItem.code)
    )
    form.items.choices = [SelectChoice(i.code, f"{i.code} {i.name}") for i in items]
    form.units.choices = [SelectChoice(u.code, u.name) for u in units_tree() if u.active]
    if request.method == "GET":
        for c, ratio in settings.get(options.DEFAULT_RATIOS.key).items():
            getattr(form, f"ratio_{c}").data = ratio
        form.lookback_months.data = settings.get(options.LOOKBACK_MONTHS.key)
    return form


@bp.route("/plans/new", methods=["GET", "POST"])
@allow(LEGAL)
def new_plan():
    """The plan wizard: fill in, preview the strata (nothing saved), then save as a draft."""
    form = _plan_form()
    preview = None
    if request.method == "POST" and form.validate_on_submit():
        try:
            data = InspectionPlanInSchema().load(form.payload())
            if request.form.get("action") == "save":
                plan = plan_operations.create_plan(data, current_actor().username)
                flash(f"已保存计划 {plan.code}（草稿）。请核对分层预览后锁定。", "success")
                return redirect(url_for(".plan", code=plan.code))
            preview = frame(PlanRules.from_input(data))
        except (AppError, ValidationError) as exc:
            show_errors(form, exc)
    status = 422 if form.errors else 200
    return render_template(
        "inspections/plan_new.html",
        form=form,
        preview=preview,
        classes=CREDIT_CLASSES,
        bands=options.RATIO_BANDS,
    ), status


def _fill(form: PlanForm, plan: Plan) -> None:
    """The edit form shows the draft as saved."""
    form.name.data = plan.name
    form.items.data = [i.code for i in plan.items]
    for c in CREDIT_CLASSES:
        getattr(form, f"ratio_{c}").data = (plan.ratios or {}).get(c, "")
        quota = (plan.quotas or {}).get(c)
        getattr(form, f"quota_{c}").data = "" if quota is None else str(quota)
    for name in ("team_size", "cap", "exclude_recent_months", "lookback_months", "cross_unit"):
        getattr(form, name).data = getattr(plan, name)
    form.units.data = list(plan.units or [])


@bp.route("/plans/<code>/edit", methods=["GET", "POST"])
@allow(LEGAL)
def edit_plan(code: str):
    """A draft stays editable until it is locked; then this page refuses (409)."""
    found = queries.plan_by_code(code)
    if found.status != "draft":
        label = PLAN_STATUSES.get(found.status, found.status)
        flash(f"计划 {code} {label}，只有草稿可以修改", "error")
        return _render_plan(found, 409)
    form = _plan_form()
    if request.method == "GET":
        _fill(form, found)
    form.code.data = found.code  # the code names the plan and stays
    preview, status = None, 200
    if request.method == "POST" and form.validate_on_submit():
        try:
            data = InspectionPlanInSchema().load(form.payload())
            if request.form.get("action") == "save":
                plan_operations.update_plan(found, data, current_actor().username)
                flash(f"已保存对计划 {code}（草稿）的修改", "success")
                return redirect(url_for(".plan", code=code))
            preview = frame(PlanRules.from_input(data))
        except (AppError, ValidationError) as exc:
            db.session.rollback()
            show_errors(form, exc)
            status = exc.status if isinstance(exc, AppError) else 422
    return render_template(
        "inspections/plan_new.html",
        form=form,
        plan=found,
        preview=preview,
        classes=CREDIT_CLASSES,
        bands=options.RATIO_BANDS,
    ), 422 if form.errors and status == 200 else status


def _render_plan(plan: Plan, status: int = 200, **forms):
    manifest = db.session.get(DrawManifest, plan.manifest_id) if plan.manifest_id else None
    preview = plan.frame if plan.frame else frame(PlanRules.of(plan))
    # The plan's own tables sort and page apart (?tasks_page=, ?redraws_sort=…).
    tasks = listing(
        queries.tasks(current_actor(), plan=plan),
        {**TASK_SORTS, "stratum": Task.stratum},
        "position",
        prefix="tasks_",
        per_page=TASKS_SHOWN,
    )
    redraws = listing(
        select(RedrawRequest).where(RedrawRequest.plan_id == plan.id),
        {
            "id": RedrawRequest.id,
            "kind": RedrawRequest.kind,
            "requested": RedrawRequest.requested_at,
            "status": RedrawRequest.status,
        },
        "id",
        prefix="redraws_",
        per_page=TASKS_SHOWN,
    )
    forms.setdefault("entropy_form", EntropyForm(prefix="draw"))
    forms.setdefault("reason_form", ReasonForm(prefix="redraw"))
    forms.setdefault("decision_form", DecisionForm(prefix="decision"))
    forms.setdefault("cancel_form", ReasonForm(prefix="cancel"))
    return render_template(
        "inspections/plan.html",
        plan=plan,
        manifest=manifest,
        preview=preview,
        draws=rounds(manifest.id) if manifest else [],
        tasks=tasks,
        statuses=PLAN_STATUSES,
        redraws=redraws,
        redraw_statuses=REDRAW_STATUSES,
        redraw_kinds=REDRAW_KINDS,
        role=current_actor().role,
        **forms,
    ), status


@bp.get("/plans/<code>")
@allow(*EVERYONE)
def plan(code: str):
    return _render_plan(queries.plan_by_code(code))


def _refused(plan: Plan, exc: AppError, **forms):
    flash(exc.message, "error")
    db.session.rollback()
    return _render_plan(queries.plan_by_code(plan.code), exc.status, **forms)


@bp.post("/plans/<code>/lock")
@allow(LEGAL)
def lock(code: str):
    found = queries.plan_by_code(code)
    try:
        plan_operations.lock_plan(found, current_actor())
    except AppError as exc:
        return _refused(found, exc)
    flash("计划已锁定：抽取清单及其摘要已冻结并公布。现在可以录入公开随机数进行抽取。", "success")
    return redirect(url_for(".plan", code=code))


def _entropy(form: EntropyForm) -> dict | None:
    """The entropy and its source checked as the API checks them, or None (errors on the form)."""
    if not form.validate_on_submit():
        return None
    try:
        return PlanDrawInSchema().load(
            {"entropy": form.entropy.data, "entropy_source": form.entropy_source.data}
        )
    except ValidationError as exc:
        show_errors(form, exc)
        return None


@bp.post("/plans/<code>/draw")
@allow(LEGAL)
def draw(code: str):
    found = queries.plan_by_code(code)
    form = EntropyForm(prefix="draw")
    data = _entropy(form)
    if data is None:
        return _render_plan(found, 422, entropy_form=form)
    try:
        result = plan_operations.draw_plan(
            found, data["entropy"], data["entropy_source"], current_actor()
        )
    except AppError as exc:
        show_errors(form, exc)
        return _refused(found, exc, entropy_form=form)
    flash(
        f"抽取完成：抽中 {result.selected_count} 个对象，结果摘要 {result.result_digest[:16]}…",
        "success",
    )
    return redirect(url_for(".plan", code=code))


@bp.post("/plans/<code>/cancel")
@allow(LEGAL)
def cancel(code: str):
    found = queries.plan_by_code(code)
    form = ReasonForm(prefix="cancel")
    if not form.validate_on_submit():
        return _render_plan(found, 422, cancel_form=form)
    try:
        plan_operations.cancel_plan(found, form.reason.data.strip(), current_actor().username)
    except AppError as exc:
        return _refused(found, exc)
    flash(f"计划 {code} 已作废", "success")
    return redirect(url_for(".plan", code=code))


@bp.post("/plans/<code>/redraws")
@allow(LEGAL)
def request_redraw(code: str):
    found = queries.plan_by_code(code)
    form = ReasonForm(prefix="redraw")
    if not form.validate_on_submit():
        return _render_plan(found, 422, reason_form=form)
    try:
        plan_operations.request_redraw(
            found,
            request.form.get("redraw-kind", ""),
            form.reason.data.strip(),
            current_actor().username,
        )
    except AppError as exc:
        return _refused(found, exc)
    flash("已提出重抽申请，待局领导审批", "success")
    return redirect(url_for(".plan", code=code))


@bp.post("/redraws/<int:request_id>/decision")
@allow(LEADER)
def decide_redraw(request_id: int):
    found = queries.redraw_by_id(request_id)
    form = DecisionForm(prefix="decision")
    if not form.validate_on_submit():
        return _render_plan(found.plan, 422, decision_form=form)
    try:
        plan_operations.decide_redraw(
            found, form.decision.data == "grant", (form.note.data or "").strip(), current_actor()
        )
    except AppError as exc:
        return _refused(found.plan, exc)
    flash(f"重抽申请第 {request_id} 号：{REDRAW_STATUSES[found.status]}", "success")
    return redirect(url_for(".plan", code=found.plan.code))


@bp.post("/redraws/<int:request_id>/relock")
@allow(LEGAL)
def relock_redraw(request_id: int):
    found = queries.redraw_by_id(request_id)
    try:
        manifest = plan_operations.relock_for_redraw(found, current_actor())
    except AppError as exc:
        return _refused(found.plan, exc)
    flash(
        f"已按更正后的名录重新锁定，第 {manifest.version} 版抽取清单的摘要已公布；"
        "请在此后产生的公开随机数出来后录入并重抽",
        "success",
    )
    return redirect(url_for(".plan", code=found.plan.code))


@bp.post("/redraws/<int:request_id>/run")
@allow(LEGAL)
def run_redraw(request_id: int):
    found = queries.redraw_by_id(request_id)
    form = EntropyForm(prefix="draw")
    data = _entropy(form)
    if data is None:
        return _render_plan(found.plan, 422, entropy_form=form)
    try:
        plan_operations.run_redraw(found, data["entropy"], data["entropy_source"], current_actor())
    except AppError as exc:
        return _refused(found.plan, exc, entropy_form=form)
    flash("重抽完成；原抽取结果仍保留并公开", "success")
    return redirect(url_for(".plan", code=found.plan.code))
