"""Authorisation in one place.

Every view declares a :class:`Policy` with :func:`allow` or :func:`public`; the
``before_request`` hook installed by :func:`install` enforces it before the view
runs, so a route without a policy cannot serve anything (it answers 500 and the
access-matrix test fails). Unit scoping for officers is applied by queries via
:func:`riskctl.accounts.queries.visible_unit_ids`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from flask import Flask, current_app, g, redirect, request, url_for
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from riskctl.core.errors import Forbidden, Unauthorized

if TYPE_CHECKING:
    from riskctl.accounts.models import User

F = TypeVar("F", bound=Callable[..., Any])

ADMIN, DISCIPLINE, LEGAL, OFFICER, LEADER = "admin", "discipline", "legal", "officer", "leader"
# 三员分立: the auditor reads and verifies the audit log and does nothing else; the
# administrator manages users, units and settings but can neither read nor alter the log.
AUDITOR = "auditor"
ALL_ROLES = (ADMIN, DISCIPLINE, LEGAL, OFFICER, LEADER, AUDITOR)
AUDIT_READERS = (AUDITOR, DISCIPLINE)
ROLE_LABELS = {
    ADMIN: "系统管理员",
    DISCIPLINE: "机关纪委",
    LEGAL: "法制科",
    OFFICER: "执法队员",
    LEADER: "局领导",
    AUDITOR: "审计管理员",
}


@dataclass(frozen=True)
class Policy:
    roles: frozenset[str]
    public: bool = False

    def allows(self, role: str | None) -> bool:
        return self.public or (role is not None and role in self.roles)


def allow(*roles: str) -> Callable[[F], F]:
    """Only signed-in users with one of ``roles`` may call the view."""
    unknown = set(roles) - set(ALL_ROLES)
    if unknown or not roles:
        raise ValueError(f"unknown roles in policy: {unknown or 'none given'}")

    def decorate(view: F) -> F:
        view.policy = Policy(frozenset(roles))  # type: ignore[attr-defined]
        return view

    return decorate


def public(view: F) -> F:
    """Anyone, signed in or not (公开 pages, health, draw verification)."""
    view.policy = Policy(frozenset(), public=True)  # type: ignore[attr-defined]
    return view


def policy_of(endpoint: str | None) -> Policy | None:
    view = current_app.view_functions.get(endpoint or "")
    return getattr(view, "policy", None)


def current_actor() -> User | None:
    """The user behind this request: bearer token on /api, session cookie elsewhere."""
    return g.get("actor")


def require_actor() -> User:
    actor = current_actor()
    if actor is None:
        raise Unauthorized()
    return actor


def _identify() -> User | None:
    from riskctl.accounts.operations import user_for_token

    if request.path.startswith("/api/"):
        header = request.headers.get("Authorization", "")
        if not header:
            return None
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorized("身份凭证格式错误，应为 Authorization: Bearer <令牌>")
        user = user_for_token(token.strip())
        if user is None:
            raise Unauthorized("API 令牌无效、已过期或已吊销")
        return user
    # The user object itself, not Flask-Login's proxy: the proxy resolves through
    # g._login_user, which login_user(actor) would otherwise point at the proxy itself.
    return current_user._get_current_object() if current_user.is_authenticated else None


def _enforce() -> Any:
    # g outlives one request when an app context was already pushed (tests, CLI):
    # never let a previous request's user, CSRF token or cached data leak into this one.
    vars(g).clear()
    g.actor = None
    if request.endpoint is None or request.endpoint == "static":
        return None
    policy = policy_of(request.endpoint)
    if policy is None:
        raise RuntimeError(f"route {request.endpoint} declares no access policy")
    limit_key = getattr(current_app.view_functions[request.endpoint], "upload_limit_config", None)
    if limit_key:
        request.max_content_length = current_app.config[limit_key]
    limit = request.max_content_length
    if limit is not None and (request.content_length or 0) > limit:
        raise RequestEntityTooLarge()  # refused before a byte of the body is read
    if policy.public:
        g.actor = _identify_quietly()
        return None
    g.actor = _identify()
    if g.actor is None:
        if request.path.startswith("/api/"):
            raise Unauthorized()
        return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
    if not policy.allows(g.actor.role):
        raise Forbidden()
    return None


def _identify_quietly() -> User | None:
    try:
        return _identify()
    except Unauthorized:
        return None


def _check_csrf() -> None:
    # Pages authenticate by cookie and need CSRF protection; the API authenticates
    # by bearer token only, which a foreign site cannot make a browser send.
    from riskctl.extensions import csrf

    enabled = current_app.config.get("WTF_CSRF_ENABLED", True)
    if enabled and request.endpoint is not None and not request.path.startswith("/api/"):
        csrf.protect()


def install(app: Flask) -> None:
    # First of all hooks: who may call a route is decided before anything else looks
    # at the request; then CSRF for pages (Flask-WTF's own default check is off).
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    app.before_request_funcs.setdefault(None, [])[:0] = [_enforce, _check_csrf]
