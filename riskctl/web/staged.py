"""待确认的导入: the imports previewed but not yet confirmed, for the roles that confirm them.

Each module registers what its imports are called and which page reopens a preview
(``core.storage.staging.register_purpose``); this page lists them, and discards one.
"""

from __future__ import annotations

import re

from flask import Blueprint, flash, redirect, render_template, request, url_for

from riskctl.accounts.models import User
from riskctl.accounts.roles import DISCIPLINE, LEGAL
from riskctl.core.auth.policy import allow, current_actor
from riskctl.core.contributions import register_card
from riskctl.core.errors import NotFound
from riskctl.core.listing import listing, related
from riskctl.core.storage import staging
from riskctl.core.storage.models import StagedUpload

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
