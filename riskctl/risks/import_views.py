"""The import page: upload, preview every problem (nothing written), then confirm.

Between preview and confirmation the uploaded file waits in ``instance/uploads/risks``
under a random token bound to the user; it is removed on confirmation, and files
left by abandoned previews are removed after a day.
"""

from __future__ import annotations

import re
import secrets
import time
from pathlib import Path, PurePath

from flask import current_app, flash, redirect, render_template, request, url_for

from riskctl.core.auth.policy import allow, current_actor
from riskctl.core.errors import AppError
from riskctl.core.tabular import ImportProblems
from riskctl.risks.access import WRITERS
from riskctl.risks.imports import ImportResult, import_register
from riskctl.risks.spreadsheet import HEADERS
from riskctl.risks.views import bp, common_context

_TOKEN = re.compile(r"[A-Za-z0-9_-]{32}")
_KEEP_SECONDS = 24 * 3600
_SUFFIXES = (".xlsx", ".csv")
_PROBLEMS_SHOWN = 500


def _folder() -> Path:
    folder = Path(current_app.instance_path) / "uploads" / "risks"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _path(token: str, suffix: str) -> Path | None:
    if not _TOKEN.fullmatch(token) or suffix not in _SUFFIXES:
        return None
    return _folder() / f"{current_actor().id}-{token}{suffix}"


def _keep(data: bytes, suffix: str) -> str:
    cutoff = time.time() - _KEEP_SECONDS
    for old in _folder().iterdir():
        if old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)
    token = secrets.token_urlsafe(24)
    _path(token, suffix).write_bytes(data)
    return token


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
    return _page(result=result, token=_keep(data, suffix), suffix=suffix, filename=filename)


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
    token, suffix = request.form.get("token", ""), request.form.get("suffix", "")
    filename, reason = request.form.get("filename", "导入文件"), request.form.get("reason", "")
    path = _path(token, suffix)
    if path is None or not path.exists():
        flash("预览已过期或文件不存在，请重新上传", "error")
        return redirect(url_for(".import_form"))
    try:
        result: ImportResult = import_register(path.read_bytes(), filename, reason=reason)
    except ImportProblems as exc:
        return _problems(exc, filename)
    except AppError as exc:
        preview = import_register(path.read_bytes(), filename, dry_run=True)
        return _page(
            exc.status,
            result=preview,
            token=token,
            suffix=suffix,
            filename=filename,
            reason_error=exc.message,
            reason=reason,
        )
    path.unlink(missing_ok=True)
    flash(
        f"导入完成：共 {result.rows} 行，新增 {result.created} 个，修改 {result.updated} 个，"
        f"无变化 {result.unchanged} 个",
        "success",
    )
    return redirect(url_for(".index"))
