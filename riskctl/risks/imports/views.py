"""The import page: upload, preview every problem (nothing written), then confirm.

Between preview and confirmation the uploaded file waits in the storage layer
(``core.storage.staging``) under a random token, for a week: the preview reopens from
the list of imports waiting (``?staged=<token>``), any worker of any host takes the
confirmation, and it can be discarded there.
"""

from __future__ import annotations

from pathlib import PurePath

from flask import flash, redirect, render_template, request, url_for

from riskctl.core.auth.policy import allow, current_actor
from riskctl.core.errors import AppError, NotFound
from riskctl.core.storage import staging
from riskctl.core.tabular.problems import ImportProblems
from riskctl.risks.access import WRITERS
from riskctl.risks.imports.operations import ImportPlan, ImportResult, import_register, planned
from riskctl.risks.imports.preview import full_preview, preview_of
from riskctl.risks.spreadsheet import HEADERS
from riskctl.risks.views import bp, common_context

_PURPOSE = "risk-register"
_PROBLEMS_SHOWN = 500

staging.register_purpose(
    _PURPOSE,
    "风险点登记表",
    WRITERS,
    "risks.import_form",
    preview=full_preview,
    labels=("单位 / 岗位", "风险点"),
)


def _page(status: int = 200, **context):
    context.setdefault("problems", None)
    context.setdefault("result", None)
    return render_template(
        "risks/import.html", headers=HEADERS, **common_context(), **context
    ), status


def _previewed(plan: ImportPlan, token: str | None, filename: str, status: int = 200, **extra):
    result = ImportResult(plan.rows, len(plan.creates), len(plan.updates), plan.unchanged, True)
    return _page(
        status,
        result=result,
        preview=preview_of(plan),
        token=token,
        suffix=PurePath(filename).suffix.lower(),
        filename=filename,
        **extra,
    )


@bp.get("/import")
@allow(*WRITERS)
def import_form():
    token = request.args.get("staged")
    if not token:
        return _page()
    try:
        data, filename = staging.fetch(token, _PURPOSE, current_actor())
    except NotFound as exc:
        flash(exc.message, "error")
        return redirect(url_for(".import_form"))
    try:
        return _previewed(planned(data, filename), token, filename)
    except ImportProblems as exc:  # the register changed since: the file no longer fits
        return _problems(exc, filename)


@bp.post("/import")
@allow(*WRITERS)
def import_preview():
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _page(422, file_error="请选择要导入的 .xlsx 或 .csv 文件")
    data, filename = upload.read(), upload.filename
    try:
        plan = planned(data, filename)
    except ImportProblems as exc:
        return _problems(exc, filename)
    except AppError as exc:
        return _page(422, file_error=exc.details.get("file", [exc.message])[0], filename=filename)
    preview = preview_of(plan)
    token = None
    if not preview.empty:  # a file that changes nothing waits for no one
        token = staging.stage(_PURPOSE, data, filename, current_actor().id, preview.summary())
    return _previewed(plan, token, filename)


def _problems(exc: ImportProblems, filename: str):
    details = exc.as_details(limit=_PROBLEMS_SHOWN)
    return _page(
        422,
        problems=details["rows"],
        problem_total=details["total"],
        filename=filename,
        problem_message=exc.message,
    )


@bp.post("/import/confirm")
@allow(*WRITERS)
def import_confirm():
    token, reason = request.form.get("token", ""), request.form.get("reason", "")
    try:
        data, filename = staging.fetch(token, _PURPOSE, current_actor())
    except NotFound:
        flash("预览已过期、已处理或文件不存在，请重新上传", "error")
        return redirect(url_for(".import_form"))
    try:
        result: ImportResult = import_register(data, filename, reason=reason)
    except ImportProblems as exc:
        return _problems(exc, filename)
    except AppError as exc:
        plan = planned(data, filename)
        return _previewed(
            plan, token, filename, exc.status, reason_error=exc.message, reason=reason
        )
    staging.consume(token, _PURPOSE, current_actor())
    flash(
        f"导入完成：共 {result.rows} 行，新增 {result.created} 个，修改 {result.updated} 个，"
        f"无变化 {result.unchanged} 个",
        "success",
    )
    return redirect(url_for(".index"))
