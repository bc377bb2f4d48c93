"""待确认的导入: the imports previewed but not yet confirmed, for the roles that confirm them.

Each module registers what its imports are called and which page reopens a preview
(``core.storage.staging.register_purpose``); this page lists them, discards one, and
serves an import's full preview as .xlsx (下载完整预览) to the roles that confirm it.
"""

from __future__ import annotations

import io
import re
from pathlib import PurePath

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for

from riskctl.accounts.models import User
from riskctl.accounts.roles import DISCIPLINE, LEGAL
from riskctl.core import clock
from riskctl.core.auth.policy import allow, current_actor
from riskctl.core.contributions import register_card
from riskctl.core.errors import NotFound
from riskctl.core.listing import listing, related
from riskctl.core.storage import staging
from riskctl.core.storage.models import StagedUpload
from riskctl.core.tabular.preview import preview_xlsx
from riskctl.core.tabular.problems import ImportProblems

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

_LOCAL_PATH = re.compile(r"/[A-Za-z0-9_\-]+(?:/[A-Za-z0-9_\-]+)*")

bp = Blueprint("staged_imports", __name__, url_prefix="/imports")

# The roles some import is confirmed by (risk register: discipline; rosters, 免罚清单: legal).
CONFIRMERS = (LEGAL, DISCIPLINE)


def _card(user):
    if user.role not in CONFIRMERS:
        return None
    return staging.waiting_count(user), "staged_imports.waiting"


register_card("待确认的导入", _card, order=13)


def _reopen(staged) -> str | None:
    known = staging.purpose(staged.purpose)
    if known is None:
        return None
    return url_for(known.endpoint, staged=staged.token, **known.values)


@bp.get("/waiting")
@allow(*CONFIRMERS)
def waiting():
    lst = listing(
        staging.waiting_query(current_actor()),
        {
            "purpose": StagedUpload.purpose,
            "file": StagedUpload.filename,
            "user": related(User.display_name, User.id, StagedUpload.user_id),
            "created": (StagedUpload.created_at, StagedUpload.id),
        },
        "-created",
    )
    rows = [(staged, staging.purpose(staged.purpose), _reopen(staged)) for staged in lst.items]
    return render_template("staged_imports.html", lst=lst, rows=rows, keep_days=staging.KEEP.days)


@bp.post("/waiting/<token>/discard")
@allow(*CONFIRMERS)
def discard(token: str):
    try:
        staged = staging.discard(token, current_actor())
    except NotFound as exc:
        flash(exc.message, "error")
        return redirect(url_for(".waiting")), 303
    flash(f"已放弃导入“{staged.filename}”，未写入任何数据", "success")
    back = request.form.get("next", "")
    return redirect(
        back if back.startswith("/") and not back.startswith("//") else url_for(".waiting")
    )


@bp.app_template_global()
def full_preview_url(token: str | None) -> str | None:
    """下载完整预览 for an import preview's page: only when the reader's role confirms it."""
    user = current_actor()
    if user is None or not staging.downloadable(token, user):
        return None
    return url_for("staged_imports.full_preview", token=token)


@bp.get("/waiting/<token>/preview.xlsx")
@allow(*CONFIRMERS)
def full_preview(token: str):
    """Every new, changed (old → new per field) and deactivated row of a waiting import."""
    try:
        preview, purpose, filename = staging.full_preview(token, current_actor())
    except ImportProblems as exc:  # the data changed since the preview: the file no longer fits
        flash(f"{exc.message}：请重新上传文件预览", "error")
        return redirect(url_for(".waiting")), 303
    content = preview_xlsx(preview, *purpose.labels)
    name = f"{PurePath(filename).stem}-完整预览-{clock.today():%Y%m%d}.xlsx"
    return send_file(io.BytesIO(content), mimetype=XLSX, as_attachment=True, download_name=name)
