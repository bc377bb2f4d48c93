"""The import page: upload, preview every problem (nothing written), then confirm.

Between preview and confirmation the uploaded file waits in the storage layer
(``core.storage.staging``) under a random token bound to the user, for a day;
any worker of any host can take the confirmation.
"""

from __future__ import annotations

from pathlib import PurePath

from flask import flash, redirect, render_template, request, url_for

from riskctl.core.auth.policy import allow, current_actor
from riskctl.core.errors import AppError, NotFound
from riskctl.core.storage import staging
from riskctl.core.tabular.problems import ImportProblems
from riskctl.risks.access import WRITERS
from riskctl.risks.imports.operations import ImportResult, import_register
from riskctl.risks.spreadsheet import HEADERS
from riskctl.risks.views import bp, common_context

_PURPOSE = "risk-register"
_PROBLEMS_SHOWN = 500


def _page(status: int = 200, **context):
    context.setdefault("problems", None)
    context.setdefault("result", None)
    return render_template(
        "risks/import.html", headers=HEADERS, **common_context(), **context
    ), status


@bp.get("/import")
@allow(*WRITERS)
def import_form():
    return _page()


@bp.post("/import")
@allow(*WRITERS)
def import_preview():
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _page(422, file_error="请选择要导入的 .xlsx 或 .csv 文件")
    data, filename = upload.read(), upload.filename
    suffix = PurePath(filename).suffix.lower()
    try:
        result = import_register(data, filename, dry_run=True)
    except ImportProblems as exc:
        return _problems(exc, filename)
    except AppError as exc:
        return _page(422, file_error=exc.details.get("file", [exc.message])[0], filename=filename)
    token = staging.stage(_PURPOSE, data, filename, current_actor().id)
    return _page(result=result, token=token, suffix=suffix, filename=filename)


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
        data, filename = staging.fetch(token, _PURPOSE, current_actor().id)
    except NotFound:
        flash("预览已过期或文件不存在，请重新上传", "error")
        return redirect(url_for(".import_form"))
    try:
        result: ImportResult = import_register(data, filename, reason=reason)
    except ImportProblems as exc:
        return _problems(exc, filename)
    except AppError as exc:
        preview = import_register(data, filename, dry_run=True)
        return _page(
            exc.status,
            result=preview,
            token=token,
            suffix=PurePath(filename).suffix.lower(),
            filename=filename,
            reason_error=exc.message,
            reason=reason,
        )
    staging.consume(token, _PURPOSE, current_actor().id)
    flash(
        f"导入完成：共 {result.rows} 行，新增 {result.created} 个，修改 {result.updated} 个，"
        f"无变化 {result.unchanged} 个",
        "success",
    )
    return redirect(url_for(".index"))
