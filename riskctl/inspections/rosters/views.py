"""Roster pages (一单两库): search, export, and import with a preview of every problem."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for

from riskctl.accounts.queries import unit_order
from riskctl.accounts.roles import LEGAL
from riskctl.core.auth.policy import allow, current_actor
from riskctl.core.db import db
from riskctl.core.errors import AppError, NotFound
from riskctl.core.http import int_arg, upload_limit
from riskctl.core.storage import staging
from riskctl.core.tabular.problems import ImportProblems
from riskctl.inspections import queries
from riskctl.inspections.forms import ConfirmImportForm, UploadForm
from riskctl.inspections.models import CREDIT_CLASSES, TARGET_KINDS, Inspector, Target
from riskctl.inspections.rosters import imports as rosters
from riskctl.inspections.rosters.api import export_response
from riskctl.inspections.rosters.imports import import_roster
from riskctl.inspections.rosters.preview import full_preview, preview_of
from riskctl.inspections.views import EVERYONE, READERS, page_of, show_errors, visible_units

bp = Blueprint(
    "inspection_rosters", __name__, url_prefix="/inspections", template_folder="../templates"
)

PREVIEW_PROBLEMS = 500

for _name, _spec in rosters.ROSTERS.items():
    staging.register_purpose(
        f"roster:{_name}",
        _spec.label,
        (LEGAL,),
        "inspection_rosters.import_page",
        preview=full_preview(_name),
        roster=_name,
    )


def _filters() -> dict[str, Any]:
    args = request.args
    return {
        "q": args.get("q", "").strip(),
        "unit_id": int_arg("unit_id"),
        "status": args.get("status", "active"),
    }


@bp.get("/targets")
@allow(*EVERYONE)
def targets():
    filters = {
        **_filters(),
        "credit_class": request.args.get("class", ""),
        "kind": request.args.get("kind", ""),
    }
    lst = page_of(
        queries.targets(current_actor(), **filters),
        {
            "code": Target.code,
            "name": Target.name,
            "credit_code": Target.credit_code,
            "kind": Target.kind,
            "address": Target.address,
            "class": Target.credit_class,
            "unit": unit_order(Target.unit_id),
            "status": (Target.active, Target.closed),
        },
        "code",
        ignore=("status",) if request.args.get("status") == "active" else (),
    )
    return render_template(
        "inspections/targets.html",
        lst=lst,
        rows=lst.items,
        units=visible_units(),
        classes=CREDIT_CLASSES,
        kinds=TARGET_KINDS,
        can_import=current_actor().role == LEGAL,
        can_export=current_actor().role in READERS,
    )


@bp.get("/inspectors")
@allow(*EVERYONE)
def inspectors():
    lst = page_of(
        queries.inspectors(current_actor(), **_filters()),
        {
            "code": Inspector.code,
            "name": Inspector.name,
            "license": Inspector.license_no,
            "unit": unit_order(Inspector.unit_id),
            "fields": Inspector.fields,
            "status": Inspector.active,
        },
        "code",
        ignore=("status",) if request.args.get("status") == "active" else (),
    )
    return render_template(
        "inspections/inspectors.html",
        lst=lst,
        rows=lst.items,
        units=visible_units(),
        can_import=current_actor().role == LEGAL,
        can_export=current_actor().role in READERS,
    )


@bp.get("/<any(targets, inspectors):roster>/export.<any(xlsx, csv):fmt>")
@allow(*READERS)
def export(roster: str, fmt: str):
    args = request.args
    if roster == "targets":
        query = queries.targets(
            current_actor(),
            **_filters(),
            credit_class=args.get("class", ""),
            kind=args.get("kind", ""),
        )
    else:
        query = queries.inspectors(current_actor(), **_filters())
    try:
        return export_response(roster, fmt, query)
    except AppError as exc:
        flash(exc.message, "error")
        return redirect(url_for(f".{roster}", **args))


def _render_import(roster: str, status: int = 200, **context):
    context.setdefault("form", UploadForm())
    history = db.session.scalars(queries.imports(roster).limit(10)).all()
    return render_template(
        "inspections/import.html",
        roster=roster,
        spec=rosters.ROSTERS[roster],
        history=history,
        **context,
    ), status


def _previewed(roster: str, analysis, token: str, form: UploadForm | None = None, preview=None):
    return _render_import(
        roster,
        form=form or UploadForm(),
        analysis=analysis,
        summary=analysis.summary(),
        preview=preview or preview_of(analysis),
        confirm=ConfirmImportForm(token=token),
        token=token,
    )


def _problems(roster: str, exc: ImportProblems, filename: str, form: UploadForm | None = None):
    return _render_import(
        roster,
        422,
        form=form or UploadForm(),
        problems=exc.problems[:PREVIEW_PROBLEMS],
        problem_total=len(exc.problems),
        filename=filename,
    )


@bp.get("/<any(targets, inspectors):roster>/import")
@allow(LEGAL)
def import_page(roster: str):
    token = request.args.get("staged")
    if not token:
        return _render_import(roster)
    try:
        data, filename = staging.fetch(token, f"roster:{roster}", current_actor())
    except NotFound as exc:
        flash(exc.message, "error")
        return redirect(url_for(".import_page", roster=roster))
    try:
        analysis = rosters.analyse(rosters.ROSTERS[roster], data, filename)
    except ImportProblems as exc:  # the roster changed since the preview
        return _problems(roster, exc, filename)
    return _previewed(roster, analysis, token)


@bp.post("/<any(targets, inspectors):roster>/import")
@allow(LEGAL)
@upload_limit("ROSTER_MAX_UPLOAD")
def import_preview(roster: str):
    """Check the file and show what it would change; nothing is written yet."""
    form = UploadForm()
    if not form.validate_on_submit():
        return _render_import(roster, 422, form=form)
    upload = form.file.data
    data = upload.read()
    try:
        analysis = rosters.analyse(rosters.ROSTERS[roster], data, upload.filename)
    except ImportProblems as exc:
        return _problems(roster, exc, upload.filename, form)
    except AppError as exc:
        show_errors(form, exc)
        return _render_import(roster, 422, form=form)
    preview = preview_of(analysis)
    token = staging.stage(
        f"roster:{roster}", data, upload.filename, current_actor().id, preview.summary()
    )
    return _previewed(roster, analysis, token, form, preview)


@bp.post("/<any(targets, inspectors):roster>/import/confirm")
@allow(LEGAL)
def import_confirm(roster: str):
    confirm = ConfirmImportForm()
    if not confirm.validate_on_submit():
        flash("确认信息不完整，请重新上传文件", "error")
        return _render_import(roster, 422)
    purpose, token = f"roster:{roster}", confirm.token.data
    try:
        data, filename = staging.fetch(token, purpose, current_actor())
    except NotFound as exc:
        flash(exc.message, "error")
        return redirect(url_for(".import_page", roster=roster))
    try:
        _, record = import_roster(
            roster, data, filename, confirm.missing.data == "deactivate", current_actor().username
        )
    except ImportProblems as exc:
        return _problems(roster, exc, filename)
    staging.consume(token, purpose, current_actor())
    flash(
        f"导入完成：新增 {record.created}，更新 {record.updated}，恢复 {record.reactivated}，"
        f"移出 {record.deactivated}，保留未列出的 {record.kept_missing}",
        "success",
    )
    return redirect(url_for(f".{roster}"))
