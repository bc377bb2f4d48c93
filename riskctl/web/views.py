"""Home page, health check and API documentation."""

from __future__ import annotations

import time

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    jsonify,
    render_template,
    send_from_directory,
)
from marshmallow import fields
from sqlalchemy import func, select

from riskctl.accounts.models import Unit, User
from riskctl.accounts.roles import ALL_ROLES, AUDIT_READERS
from riskctl.core.api import ApiBlueprint, build_spec, errors
from riskctl.core.audit import AuditEntry
from riskctl.core.auth.policy import allow, current_actor, public
from riskctl.core.contributions import register_card
from riskctl.core.db import db
from riskctl.core.headers import CONTENT_SECURITY_POLICY
from riskctl.core.schema import OutSchema
from riskctl.web.shell import cards_for

bp = Blueprint("web", __name__)
api = Blueprint("web_api", __name__)
health_api = ApiBlueprint(
    "health_api", __name__, title="服务状态", description="服务与数据库是否可用（公开）"
)

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


class HealthOut(OutSchema):
    status = fields.String(metadata={"enum": ["ok", "error"]})
    database = fields.String(metadata={"enum": ["ok", "error"]})


@health_api.route("/api/v1/health", methods=["GET"])
@public
@errors(503)
@health_api.response(200, HealthOut, example={"status": "ok", "database": "ok"})
def health():
    """服务与数据库状态（公开）"""
    if not _database_answers():
        return jsonify({"status": "error", "database": "error"}), 503
    return jsonify({"status": "ok", "database": "ok"})  # the body HealthOut would dump


def _database_answers() -> bool:
    """Whether the database answered a probe within the last RISKCTL_HEALTH_PROBE_SECONDS
    (this worker's own probe; 0: probe on every call). A failed probe is never reused:
    a down database is reported within the interval, a recovered one at the next call."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    now = _monotonic()
    if now < app.extensions.get("riskctl_health_until", now):
        return True
    try:
        # A pooled connection, not the request's session: no transaction to begin and end.
        connection = db.engine.raw_connection()
        try:
            connection.cursor().execute("SELECT 1")
        finally:
            connection.close()
    except Exception:
        app.extensions.pop("riskctl_health_until", None)
        current_app.logger.exception("health check: database unreachable")
        return False
    app.extensions["riskctl_health_until"] = now + app.config["HEALTH_PROBE_SECONDS"]
    return True


def _monotonic() -> float:
    return time.monotonic()


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
