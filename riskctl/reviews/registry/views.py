"""Register pages: case files (结案案卷), reviewer pool (评查人员库), rubric (评查标准)."""

from __future__ import annotations

import json

from flask import Blueprint, flash, redirect, render_template, request, url_for
from marshmallow import ValidationError

from riskctl.accounts.queries import unit_order, units_tree, visible_unit_ids
from riskctl.accounts.roles import DISCIPLINE, LEADER, LEGAL, OFFICER
from riskctl.core import bounds
from riskctl.core.auth.policy import allow, current_actor
from riskctl.core.db import db
from riskctl.core.errors import AppError, NotFound, summarise
from riskctl.core.http import upload_limit
from riskctl.core.listing import listing, listing_of
from riskctl.core.storage import staging
from riskctl.core.tabular.problems import ImportProblems, TableError
from riskctl.reviews import operations, queries
from riskctl.reviews.filters import case_file_filters
from riskctl.reviews.forms import ImportForm, ReviewerForm, RubricForm
from riskctl.reviews.models import CaseFile, Reviewer
from riskctl.reviews.registry import imports
from riskctl.reviews.registry.preview import full_preview, preview_of
from riskctl.reviews.scoring import parse_rubric

bp = Blueprint("review_register", __name__, url_prefix="/reviews", template_folder="../templates")

READERS = (LEGAL, DISCIPLINE, LEADER, OFFICER)
PROBLEMS_SHOWN = 500


def _case_files_page(status: int = 200, **extra):
    problem = None
    filters: dict = {}
    try:
        filters = case_file_filters(request.args)
    except ValidationError as exc:
        problem = summarise(exc.normalized_messages())
    except AppError as exc:
        problem = exc.message
    query = queries.case_files_query(current_actor(), **filters)
    lst = listing(
        query,
        {
            "case_no": CaseFile.case_no,
            "unit": unit_order(CaseFile.unit_id),
            "case_type": CaseFile.case_type,
            "procedure": CaseFile.procedure,
            "handlers": CaseFile.handler_names,
            "approver": CaseFile.approver_name,
            "closed": CaseFile.closed_on,
            "penalty": CaseFile.penalty_fen,
        },
        "-closed",
    )
    ids = visible_unit_ids(current_actor())
    units = [u for u in units_tree() if ids is None or u.id in ids]
    return render_template(
        "reviews/case_files.html",
        lst=lst,
        files=lst.items,
        units=units,
        filter_problem=problem,
        headers=imports.HEADERS,
        can_import=current_actor().role == LEGAL,
        form=extra.pop("form", None) or ImportForm(),
        **extra,
    ), status


_PURPOSE = "review-case-files"
staging.register_purpose(
    _PURPOSE,
    "结案案卷登记表",
    (LEGAL,),
    "review_register.case_files",
    preview=full_preview,
    labels=("案件编号", "案由"),
)


def _previewed(data: bytes, filename: str, token: str | None = None, form=None):
    """The file's preview (staged for confirmation unless ``token`` says it is already)."""
    try:
        preview = preview_of(data, filename)
    except TableError as exc:
        form = form or ImportForm()
        form.file.errors = [exc.message]
        return _case_files_page(422, form=form)
    except ImportProblems as exc:
        return _case_files_page(
            422,
            form=form,
            problems=exc.problems[:PROBLEMS_SHOWN],
            problem_total=len(exc.problems),
        )
    if token is None and not preview.empty:
        token = staging.stage(_PURPOSE, data, filename, current_actor().id, preview.summary())
    return _case_files_page(form=form, preview=preview, token=token, filename=filename)


@bp.get("/case-files")
@allow(*READERS)
def case_files():
    token = request.args.get("staged")
    if token and current_actor().role == LEGAL:
        try:
            data, filename = staging.fetch(token, _PURPOSE, current_actor())
        except NotFound as exc:
            flash(exc.message, "error")
            return redirect(url_for(".case_files"))
        return _previewed(data, filename, token)
    return _case_files_page()


@bp.post("/case-files")
@allow(LEGAL)
@upload_limit("ROSTER_MAX_UPLOAD")
def import_case_files():
    form = ImportForm()
    upload = request.files.get("file")
    dry_run = request.form.get("dry_run") == "1"
    if not form.validate_on_submit() or upload is None or not upload.filename:
        form.file.errors = ["请选择要导入的 .xlsx 或 .csv 文件"]
        return _case_files_page(422, form=form)
    if dry_run:  # 先预览：the file waits for its confirmation
        return _previewed(upload.read(), upload.filename, form=form)
    return _import(upload.read(), upload.filename, form)


def _import(data: bytes, filename: str, form=None):
    try:
        result = imports.import_case_files(data, filename, current_actor())
    except TableError as exc:
        form = form or ImportForm()
        form.file.errors = [exc.message]
        return _case_files_page(422, form=form)
    except ImportProblems as exc:
        return _case_files_page(
            422, form=form, problems=exc.problems[:PROBLEMS_SHOWN], problem_total=len(exc.problems)
        )
    flash(
        f"导入完成：新增 {result.created} 件，更新 {result.updated} 件，"
        f"未变化 {result.unchanged} 件",
        "success",
    )
    return redirect(url_for(".case_files"))


@bp.post("/case-files/confirm")
@allow(LEGAL)
def confirm_case_files():
    token = request.form.get("token", "")
    try:
        data, filename = staging.fetch(token, _PURPOSE, current_actor())
    except NotFound as exc:
        flash(exc.message, "error")
        return redirect(url_for(".case_files"))
    staging.consume(token, _PURPOSE, current_actor())  # undone with the import if it fails
    return _import(data, filename)


def _reviewers_page(form: ReviewerForm | None = None, status: int = 200):
    return render_template(
        "reviews/reviewers.html",
        form=form or ReviewerForm(),
        lst=(
            lst := listing_of(
                queries.reviewers(),
                {
                    "name": lambda r: r.user.display_name,
                    "username": lambda r: r.user.username,
                    "unit": lambda r: r.user.unit.path if r.user.unit else None,
                    "badge": lambda r: r.badge_no,
                    "status": lambda r: not r.active,
                },
                "status",
            )
        ),
        reviewers=lst.items,
        candidates=queries.reviewer_candidates(),
        can_manage=current_actor().role == LEGAL,
    ), status


@bp.get("/reviewers")
@allow(LEGAL, DISCIPLINE, LEADER)
def reviewers():
    return _reviewers_page()


@bp.post("/reviewers")
@allow(LEGAL)
def add_reviewer():
    form = ReviewerForm()
    if not form.validate_on_submit():
        return _reviewers_page(form, 422)
    try:
        reviewer = operations.add_reviewer(form.username.data, form.badge_no.data, current_actor())
    except AppError as exc:
        form.badge_no.errors = [exc.message]
        return _reviewers_page(form, exc.status)
    flash(f"{reviewer.user.display_name} 已加入评查人员库", "success")
    return redirect(url_for(".reviewers"))


@bp.post("/reviewers/<int:reviewer_id>/active")
@allow(LEGAL)
def toggle_reviewer(reviewer_id: int):
    reviewer = db.session.get(Reviewer, reviewer_id)
    if reviewer is None:
        raise NotFound(f"评查人员 {reviewer_id} 不存在")
    operations.set_reviewer_active(reviewer, not reviewer.active, current_actor())
    flash(f"{reviewer.user.display_name} 已{'启用' if reviewer.active else '停用'}", "success")
    return redirect(url_for(".reviewers"))


def _rubric_page(form: RubricForm | None = None, status: int = 200, problems: dict | None = None):
    current = operations.current_rubric()
    if form is None:
        form = RubricForm()
        if current is not None:
            form.name.data = current.name
            form.body.data = json.dumps(current.body, ensure_ascii=False, indent=2)
    return render_template(
        "reviews/rubric.html",
        form=form,
        current=current,
        rubric=parse_rubric(current.body) if current else None,
        problems=problems or {},
        versions=queries.rubric_versions(),
        can_manage=current_actor().role == LEGAL,
    ), status


@bp.get("/rubric")
@allow(*READERS)
def rubric():
    return _rubric_page()


@bp.post("/rubric")
@allow(LEGAL)
def save_rubric():
    form = RubricForm()
    if not form.validate_on_submit():
        return _rubric_page(form, 422)
    try:
        body = bounds.loads(form.body.data)
    except json.JSONDecodeError as exc:
        form.body.errors = [f"不是有效的 JSON：第 {exc.lineno} 行第 {exc.colno} 列"]
        return _rubric_page(form, 422)
    except AppError as exc:
        form.body.errors = [exc.message]
        return _rubric_page(form, exc.status)
    try:
        created = operations.create_rubric_version(
            body, form.name.data, form.note.data or "", current_actor()
        )
    except AppError as exc:
        form.body.errors = [exc.message]
        return _rubric_page(form, exc.status, exc.details)
    flash(f"已发布评查标准第 {created.version} 版；已评分的案卷保留原版本", "success")
    return redirect(url_for(".rubric"))
