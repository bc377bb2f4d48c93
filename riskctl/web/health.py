"""``GET /api/v1/health``: whether the service and its database answer (public).

A load balancer calls it often, so it is the cheapest answer the service gives: no
user loaded (it carries no credential), no ORM session or transaction, and a body
encoded once per process. It is an ordinary route otherwise: the access policy, the
NUL check and the security headers apply as everywhere.

The database is probed with ``SELECT 1`` on a pooled connection. A worker may answer
from its own last successful probe for RISKCTL_HEALTH_PROBE_SECONDS (default 1 s,
0: probe on every call), as Spring Boot's actuator caches a health indicator for a
time to live: a failed probe is never reused (a down database is reported within the
interval, a recovered one at the next call), and a probe is reused only while the
clock reads between it and the end of its interval (a clock set back probes again).
The probe time is this worker's alone: no other worker needs it.
"""

from __future__ import annotations

import time

from flask import Flask, Response, current_app
from marshmallow import fields

from riskctl.core.api import ApiBlueprint, errors
from riskctl.core.auth.policy import public
from riskctl.core.db import db
from riskctl.core.schema import OutSchema

health_api = ApiBlueprint(
    "health_api", __name__, title="服务状态", description="服务与数据库是否可用（公开）"
)

UP = {"status": "ok", "database": "ok"}
DOWN = {"status": "error", "database": "error"}
# app.extensions keys: the two answers' bodies, and the time of the last good probe.
_BODIES, _PROBED = "riskctl_health_bodies", "riskctl_health_probed"


class HealthOut(OutSchema):
    status = fields.String(metadata={"enum": ["ok", "error"]})
    database = fields.String(metadata={"enum": ["ok", "error"]})


@health_api.route("/api/v1/health", methods=["GET"])
@public
@errors(503)
@health_api.response(200, HealthOut, example=UP)
def health() -> Response:
    """服务与数据库状态（公开）"""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    up, down = app.extensions.get(_BODIES) or _bodies(app)
    if database_answers(app):
        return app.response_class(up, mimetype=app.json.mimetype)  # type: ignore[attr-defined]
    return app.response_class(down, 503, mimetype=app.json.mimetype)  # type: ignore[attr-defined]


def _bodies(app: Flask) -> tuple[bytes, bytes]:
    """The bodies ``jsonify(UP)`` and ``jsonify(DOWN)`` write (HealthOut's dump), encoded
    once per process."""
    bodies = tuple(app.json.response(body).get_data() for body in (UP, DOWN))
    app.extensions[_BODIES] = bodies
    return bodies  # type: ignore[return-value]


def database_answers(app: Flask) -> bool:
    """Whether the database answered this worker's probe, now or within the interval."""
    now = time.time()
    probed = app.extensions.get(_PROBED)
    if probed is not None and probed <= now < probed + app.config["HEALTH_PROBE_SECONDS"]:
        return True
    try:
        # A pooled connection, not the request's session: no transaction to begin and end.
        connection = db.engine.raw_connection()
        try:
            connection.cursor().execute("SELECT 1")
        finally:
            connection.close()
    except Exception:
        app.logger.exception("health check: database unreachable")
        return False
    app.extensions[_PROBED] = now
    return True
