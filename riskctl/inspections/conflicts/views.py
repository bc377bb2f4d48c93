"""回避 pages: declared relationships and parties' recusal requests with a leader's decision."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from sqlalchemy import func, select

from riskctl.accounts.roles import LEADER, LEGAL
from riskctl.core.api import MAX_PAGE
from riskctl.core.auth.policy import allow, current_actor
from riskctl.core.db import db
from riskctl.core.errors import AppError
from riskctl.core.http import int_arg
from riskctl.core.listing import related
from riskctl.inspections import operations, queries
from riskctl.inspections.forms import ConflictForm, DecisionForm, ReasonForm, RecusalForm
from riskctl.inspections.models import DECISIONS, ConflictDeclaration, Inspector, Target
from riskctl.inspections.views import READERS, page_of, show_errors

RECUSALS_PER_PAGE = 20

bp = Blueprint(
    "inspection_conflicts", __name__, url_prefix="/inspections", template_folder="../templates"
)


def _render_conflicts(status: int = 200, **forms):
    forms.setdefault("conflict_form", ConflictForm(prefix="conflict"))
    forms.setdefault("recusal_form", RecusalForm(prefix="recusal"))
    show_ended = request.args.get("all") == "1"
    recusal_status = request.args.get("recusal", "")
    recusal_status = recusal_status if recusal_status in DECISIONS else ""
    lst = page_of(
        queries.conflicts(current_only=not show_ended, q=request.args.get("q", "").strip()),
        {
            "id": ConflictDeclaration.id,
            "inspector": related(Inspector.name, Inspector.id, ConflictDeclaration.inspector_id),
            "target": related(Target.name, Target.id, ConflictDeclaration.target_id),
            "relation": ConflictDeclaration.relation,
            "recorded": ConflictDeclaration.recorded_at,
            "status": ConflictDeclaration.ended_at,
        },
        "-id",
        ignore=("recusal", "rpage"),
    )
    return render_template(
        "inspections/conflicts.html",
        lst=lst,
        conflicts=lst.items,
        recusals=_recusals_page(recusal_status),
        recusal_status=recusal_status,
        pending_recusals=db.session.scalar(
            select(func.count()).select_from(queries.recusals("pending").subquery())
        ),
        decisions=DECISIONS,
        role=current_actor().role,
        show_ended=show_ended,
        end_form=ReasonForm(prefix="end"),
        decision_form=DecisionForm(prefix="decision"),
        **forms,
    ), status


def _recusals_page(status: str) -> dict:
    """One page of the parties' recusal requests, newest first; ``?rpage=`` pages it (the
    declarations above page with ``?page=``)."""
    query = queries.recusals(status)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    pages = max(1, -(-total // RECUSALS_PER_PAGE))
    page = min(int_arg("rpage", 1, lo=1, hi=MAX_PAGE), pages)
    rows = db.session.scalars(
        query.limit(RECUSALS_PER_PAGE).offset((page - 1) * RECUSALS_PER_PAGE)
    ).all()
    return {"items": rows, "total": total, "page": page, "pages": pages}


@bp.get("/conflicts")
@allow(*READERS)
def conflicts():
    return _render_conflicts()


@bp.post("/conflicts")
@allow(LEGAL)
def declare_conflict():
    form = ConflictForm(prefix="conflict")
    if form.validate_on_submit():
        try:
            operations.declare_conflict(
                form.inspector.data.strip(),
                form.target.data.strip(),
                form.relation.data,
                form.reason.data.strip(),
                current_actor().username,
            )
        except AppError as exc:
            show_errors(form, exc)
        else:
            flash("已登记回避关系", "success")
            return redirect(url_for(".conflicts"))
    return _render_conflicts(422, conflict_form=form)


@bp.post("/conflicts/<int:conflict_id>/end")
@allow(LEGAL)
def end_conflict(conflict_id: int):
    declaration = queries.conflict_by_id(conflict_id)
    form = ReasonForm(prefix="end")
    if not form.validate_on_submit():
        flash("解除回避关系须写明理由", "error")
        return _render_conflicts(422)
    try:
        operations.end_conflict(declaration, form.reason.data.strip(), current_actor().username)
    except AppError as exc:
        flash(exc.message, "error")
        return _render_conflicts(exc.status)
    flash(f"已解除回避关系第 {conflict_id} 号", "success")
    return redirect(url_for(".conflicts"))


@bp.post("/recusals")
@allow(LEGAL)
def file_recusal():
    form = RecusalForm(prefix="recusal")
    if form.validate_on_submit():
        try:
            operations.file_recusal(
                form.inspector.data.strip(),
                form.target.data.strip(),
                form.applicant.data.strip(),
                form.reason.data.strip(),
                form.filed_on.data,
                current_actor().username,
            )
        except AppError as exc:
            show_errors(form, exc)
        else:
            flash("已登记回避申请，待局领导决定", "success")
            return redirect(url_for(".conflicts"))
    return _render_conflicts(422, recusal_form=form)


@bp.post("/recusals/<int:request_id>/decision")
@allow(LEADER)
def decide_recusal(request_id: int):
    found = queries.recusal_by_id(request_id)
    form = DecisionForm(prefix="decision")
    if not form.validate_on_submit():
        flash("请选择批准或不批准", "error")
        return _render_conflicts(422)
    try:
        operations.decide_recusal(
            found,
            form.decision.data == "grant",
            (form.note.data or "").strip(),
            current_actor().username,
        )
    except AppError as exc:
        flash(exc.message, "error")
        return _render_conflicts(exc.status)
    flash(f"回避申请第 {request_id} 号已{DECISIONS[found.status]}", "success")
    return redirect(url_for(".conflicts"))
