"""The working-day calendar page (节假日安排): load a year's schedule, see what is loaded.

A refused schedule lists every bad line at once and keeps what was typed.
Routes on the administration blueprint (``admin.*`` endpoints).
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from sqlalchemy import select

from riskctl.accounts.models import User
from riskctl.accounts.roles import ADMIN
from riskctl.admin.views import bp
from riskctl.core import calendar, clock
from riskctl.core.auth.policy import allow, require_actor
from riskctl.core.db import db
from riskctl.core.errors import AppError

MAX_TEXT = 100_000  # characters: a year has 366 days, a line some 20 characters


def _page(values: dict[str, str] | None = None, errors: list[str] | None = None, status=200):
    years = calendar.loaded_years()
    names = dict(
        db.session.execute(
            select(User.username, User.display_name).where(
                User.username.in_({y.loaded_by for y in years})
            )
        ).all()
    )
    today = clock.today()
    return (
        render_template(
            "admin/calendar.html",
            years=years,
            names=names,
            values=values or {"year": str(today.year + 1 if today.month >= 11 else today.year)},
            errors=errors or [],
        ),
        status,
    )


@bp.get("/admin/calendar")
@allow(ADMIN)
def calendar_page():
    return _page()


@bp.post("/admin/calendar")
@allow(ADMIN)
def load_calendar():
    upload = request.files.get("file")
    values = {
        "year": request.form.get("year", "").strip()[:10],
        "schedule": request.form.get("schedule", "")[:MAX_TEXT],
    }
    if upload and upload.filename:
        # The file's text goes into the box, so a refused file can be corrected there.
        values["schedule"] = upload.read(MAX_TEXT).decode("utf-8-sig", errors="replace")
    text = values["schedule"]
    try:
        year = int(values["year"])
        if not 2000 <= year <= 2100:
            raise ValueError(year)
    except ValueError:
        return _page(values, ["年份：请填写 2000 至 2100 之间的年份（如 2027）"], 422)
    if not text.strip():
        # Most likely a slip on the page (the API may load a year with no special day).
        return _page(values, ["安排：请每行填写一天，如 2027-10-01,休"], 422)
    try:
        days = calendar.load_year(year, text, require_actor().username)
    except AppError as exc:
        db.session.rollback()
        problems = [m for v in exc.details.values() if isinstance(v, list) for m in v]
        return _page(values, problems or [exc.message], 422)
    flash(f"已载入 {year} 年安排，共 {days} 天", "success")
    return redirect(url_for("admin.calendar_page"))
