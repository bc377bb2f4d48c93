"""Home page and API documentation."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    jsonify,
    render_template,
    send_from_directory,
)
from sqlalchemy import func, select

from riskctl.accounts.models import Unit, User
from riskctl.accounts.roles import ALL_ROLES, AUDIT_READERS
from riskctl.core.audit import AuditEntry
from riskctl.core.auth.policy import allow, current_actor, public
from riskctl.core.contributions import register_card
from riskctl.core.db import db
from riskctl.core.headers import CONTENT_SECURITY_POLICY
from riskctl.core.openapi import build_spec
from riskctl.web.shell import cards_for

bp = Blueprint("web", __name__)
api = Blueprint("web_api", __name__)

# Swagger UI, from the pinned swagger-ui-bundle package: no CDN, no inline script.
SWAGGER_ASSETS = ("swagger-ui.css", "swagger-ui-bundle.js", "favicon-32x32.png")
# Swagger UI sets style attributes on the elements it renders: this page alone allows them.
DOCS_POLICY = CONTENT_SECURITY_POLICY.replace(
    "style-src 'self'", "style-src 'self' 'unsafe-inline'"
)


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


register_card(
    "单位", lambda user: (_count(Unit), "admin.units") if user.role == "admin" else None, order=90
)
register_card(
    "用户", lambda user: (_count(User), "admin.users") if user.role == "admin" else None, order=91
)
register_card(
    "审计日志条目",
    lambda user: (_count(AuditEntry), "admin.audit_log") if user.role in AUDIT_READERS else None,
    order=92,
)


def _next_calendar_card(user):
    """From November, the administrator is asked to load next year's 放假安排."""
    from riskctl.core import clock
    from riskctl.core.calendar import CalendarYear

    today = clock.today()
    if user.role != "admin" or today.month < 11:
        return None
    if db.session.get(CalendarYear, today.year + 1) is not None:
        return None
    return f"{today.year + 1} 年", "admin.calendar_page", "red"


register_card("节假日安排尚未载入", _next_calendar_card, order=5)
register_card(
    "录入免罚决定",
    lambda user: ("＋", "leniency.new_record") if user.role == "officer" else None,
    order=6,
)


@bp.get("/")
@allow(*ALL_ROLES)
def home():
    user = current_actor()
    return render_template("home.html", cards=cards_for(user))


@bp.get("/public")
@public
def public_home():
    """The public portal: every page the bureau publishes, one click away."""
    return render_template("public_home.html")


@api.get("/api/openapi.json")
@public
def openapi_json():
    return jsonify(build_spec(current_app))


@bp.get("/api/docs")
@public
def api_docs() -> Response:
    page = render_template("api_docs.html", spec=build_spec(current_app))
    response = Response(page, mimetype="text/html")
    response.headers["Content-Security-Policy"] = DOCS_POLICY
    return response


@bp.get("/api/docs/assets/<name>")
@public
def api_docs_asset(name: str) -> Response:
    if name not in SWAGGER_ASSETS:
        abort(404)
    import swagger_ui_bundle

    return send_from_directory(swagger_ui_bundle.swagger_ui_path, name, max_age=3600)
