"""Drawn-file pages: my assignments, a file with its sheets and result, the scoring sheet."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for

from riskctl.accounts.roles import DISCIPLINE, LEADER, LEGAL, OFFICER
from riskctl.core.auth.policy import allow, current_actor
from riskctl.core.errors import AppError, Forbidden
from riskctl.core.listing import listing_of
from riskctl.rectification.queries import items_for_source
from riskctl.reviews import queries, reviewer_draws, scoresheets
from riskctl.reviews.forms import ConfirmForm, DrawForm, ReferForm, ReplaceForm
from riskctl.reviews.models import ReviewFile
from riskctl.reviews.options import grade_bands
from riskctl.reviews.scoring import failing_grade, parse_rubric

bp = Blueprint("review_files", __name__, url_prefix="/reviews", template_folder="../templates")

READERS = (LEGAL, DISCIPLINE, LEADER, OFFICER)
REVIEWERS = (LEGAL, DISCIPLINE, OFFICER)


@bp.get("/my")
@allow(*REVIEWERS)
def my_assignments():
    user = current_actor()
    return render_template(
        "reviews/my.html",
        lst=(
            lst := listing_of(
                queries.my_assignments(user),
                {
                    "campaign": lambda f: f.campaign.code,
                    "case_no": lambda f: f.case_file.case_no,
                    "unit": lambda f: f.case_file.unit.path,
                    "case_type": lambda f: f.case_file.case_type,
                    "closed": lambda f: f.case_file.closed_on,
                },
                "campaign",
            )
        ),
        files=lst.items,
        reviewer=queries.reviewer_for_user(user),
    )


def _render_file(review_file: ReviewFile, status: int = 200, **forms: Any):
    user = current_actor()
    case = review_file.case_file
    context = dict(
        f=review_file,
        case=case,
        sheets=queries.visible_sheets(user, review_file),
        can_manage=user.role == LEGAL,
        is_assigned=queries.is_assigned(user, review_file),
        failing=failing_grade(grade_bands()),
        items=items_for_source(
            scoresheets.FINDING_SOURCE, f"{review_file.campaign.code}/{case.case_no}"
        ),
        waiting=[
            a
            for a in review_file.active_assignments
            if all(s.reviewer_id != a.reviewer_id for s in review_file.sheets)
        ],
        pending_draw=reviewer_draws.pending_draw(review_file),
        draw_form=forms.pop("draw_form", None) or DrawForm(prefix="reviewer-draw"),
        confirm_form=forms.pop("confirm_form", None) or ConfirmForm(prefix="confirm"),
        refer_form=forms.pop("refer_form", None) or ReferForm(prefix="refer"),
        replace_form=forms.pop("replace_form", None) or ReplaceForm(prefix="replace"),
        **forms,
    )
    return render_template("reviews/file.html", **context), status


@bp.get("/files/<int:file_id>")
@allow(*READERS)
def review_file(file_id: int):
    return _render_file(queries.review_file_for(file_id, current_actor()))


@bp.post("/files/<int:file_id>/confirm")
@allow(LEGAL)
def confirm(file_id: int):
    review_file = queries.review_file_for(file_id, current_actor())
    form = ConfirmForm(prefix="confirm")
    if not form.validate_on_submit():
        return _render_file(review_file, 422, confirm_form=form)
    try:
        scoresheets.confirm_file(
            review_file,
            current_actor(),
            note=form.note.data or "",
            overturn_reason=form.overturn_reason.data or "",
        )
    except AppError as exc:
        form.note.errors = [exc.message]
        return _render_file(review_file, exc.status, confirm_form=form)
    flash(f"已确认评查结果：{review_file.grade}（{review_file.score:g} 分）", "success")
    return redirect(url_for(".review_file", file_id=file_id))


@bp.post("/files/<int:file_id>/refer")
@allow(LEGAL)
def refer(file_id: int):
    review_file = queries.review_file_for(file_id, current_actor())
    form = ReferForm(prefix="refer")
    if not form.validate_on_submit():
        return _render_file(review_file, 422, refer_form=form)
    try:
        scoresheets.refer_file(review_file, form.note.data, current_actor())
    except AppError as exc:
        form.note.errors = [exc.message]
        return _render_file(review_file, exc.status, refer_form=form)
    flash("已移送过错责任追究并记录在案", "success")
    return redirect(url_for(".review_file", file_id=file_id))


@bp.post("/files/<int:file_id>/reviewers")
@allow(LEGAL)
def replace(file_id: int):
    review_file = queries.review_file_for(file_id, current_actor())
    form = ReplaceForm(prefix="replace")
    if not form.validate_on_submit():
        return _render_file(review_file, 422, replace_form=form)
    try:
        drawn = reviewer_draws.request_replacement(
            review_file, form.old.data, form.reason.data, current_actor()
        )
    except AppError as exc:
        form.old.errors = [exc.message]
        return _render_file(review_file, exc.status, replace_form=form)
    flash(
        f"已撤出该评查人员；替换人员的补抽清单已锁定并公开（清单编号 {drawn.manifest_id}），"
        "请录入此后产生的公开随机数抽取",
        "success",
    )
    return redirect(url_for(".review_file", file_id=file_id))


@bp.post("/files/<int:file_id>/third-reviewer")
@allow(LEGAL)
def third_reviewer(file_id: int):
    review_file = queries.review_file_for(file_id, current_actor())
    try:
        reviewer_draws.lock_file(review_file)
        scoresheets.draw_third_if_needed(review_file, current_actor(), required=True)
    except AppError as exc:
        flash(exc.message, "error")
        return _render_file(review_file, exc.status)
    flash("第三名评查人员的补抽清单已锁定并公开，请录入此后产生的公开随机数抽取", "success")
    return redirect(url_for(".review_file", file_id=file_id))


@bp.post("/files/<int:file_id>/reviewer-draws/<int:number>/draw")
@allow(LEGAL)
def draw_reviewer(file_id: int, number: int):
    review_file = queries.review_file_for(file_id, current_actor())
    form = DrawForm(prefix="reviewer-draw")
    if not form.validate_on_submit():
        return _render_file(review_file, 422, draw_form=form)
    try:
        drawn = reviewer_draws.round_of(review_file, number)
        reviewer_draws.draw_reviewer(
            drawn, form.entropy.data, form.entropy_source.data or "现场录入", current_actor()
        )
    except AppError as exc:
        form.entropy.errors = [exc.message]
        return _render_file(review_file, exc.status, draw_form=form)
    flash("已抽取评查人员", "success")
    return redirect(url_for(".review_file", file_id=file_id))


def _sheet_input(rubric) -> tuple[list[dict], list[dict], dict[str, list[str]]]:
    """Vetoes and deductions from the form; a reason typed without points is a problem."""
    form = request.form
    vetoes = [
        {"code": v.code, "note": form.get(f"veto-note-{v.code}", "")}
        for v in rubric.veto
        if form.get(f"veto-{v.code}")
    ]
    deductions, problems = [], {}
    for group in rubric.groups:
        for item in group.items:
            points = form.get(f"points-{item.code}", "").strip()
            note = form.get(f"note-{item.code}", "").strip()
            if points and points not in ("0", "0.0"):
                deductions.append({"code": item.code, "points": points, "note": note})
            elif note:
                problems[item.code] = ["写了扣分理由，请填写扣分分值（不扣分请清空理由）"]
    return vetoes, deductions, problems


def _sheet_page(review_file: ReviewFile, status: int = 200, **extra: Any):
    user = current_actor()
    reviewer = queries.reviewer_for_user(user)
    if reviewer is None or not queries.is_assigned(user, review_file):
        raise Forbidden(f"您未被分配评查案卷 {review_file.case_file.case_no}")
    mine = next((s for s in review_file.sheets if s.reviewer_id == reviewer.id), None)
    rubric_row = mine.rubric if mine else review_file.campaign.rubric
    return render_template(
        "reviews/sheet.html",
        f=review_file,
        case=review_file.case_file,
        rubric=parse_rubric(rubric_row.body),
        rubric_row=rubric_row,
        sheet=mine,
        values=request.form,
        problems=extra.pop("problems", {}),
        **extra,
    ), status


@bp.get("/files/<int:file_id>/sheet")
@allow(*REVIEWERS)
def sheet(file_id: int):
    return _sheet_page(queries.review_file_for(file_id, current_actor()))


@bp.post("/files/<int:file_id>/sheet")
@allow(*REVIEWERS)
def submit_sheet(file_id: int):
    review_file = queries.review_file_for(file_id, current_actor())
    rubric = parse_rubric(review_file.campaign.rubric.body)
    vetoes, deductions, problems = _sheet_input(rubric)
    if problems:
        return _sheet_page(review_file, 422, problems=problems)
    try:
        done = scoresheets.submit_sheet(
            review_file, current_actor(), vetoes, deductions, request.form.get("comment", "")
        )
    except AppError as exc:
        return _sheet_page(review_file, exc.status, problems=exc.details, error=exc.message)
    flash(f"评分表已提交：{done.score:g} 分，{done.grade}", "success")
    return redirect(url_for(".my_assignments"))
