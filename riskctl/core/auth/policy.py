"""Authorisation in one place.

Every view declares a :class:`Policy` with :func:`allow` or :func:`public`; the
``before_request`` hook installed by :func:`install` enforces it before the view
runs, so a route without a policy cannot serve anything (it answers 500 and the
access-matrix test fails). Unit scoping for officers is applied by queries via
:func:`riskctl.accounts.queries.visible_unit_ids`.

Who is asking is Flask-Login's ``current_user``: the session cookie on pages, the
bearer token on ``/api/`` (both loaders are registered by ``riskctl.accounts``, which
also names the roles). This module imports nothing from accounts: a role is a string,
and :func:`check_roles` verifies every route's roles once the app is built. A loader
that refuses a credential leaves its Chinese reason in ``g.auth_refusal``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import Flask, current_app, g, redirect, request, url_for
from flask_login import current_user
from flask_login.signals import user_accessed, user_loaded_from_request
from werkzeug.exceptions import RequestEntityTooLarge

from riskctl.core.errors import Forbidden, Unauthorized

F = TypeVar("F", bound=Callable[..., Any])

# The user object (``riskctl.accounts.models.User``): core names no class from above.
User = Any


@dataclass(frozen=True)
class Policy:
    roles: frozenset[str]
    public: bool = False

    def allows(self, role: str | None) -> bool:
        return self.public or (role is not None and role in self.roles)


def allow(*roles: str) -> Callable[[F], F]:
    """Only signed-in users with one of ``roles`` may call the view."""
    if not roles or not all(isinstance(role, str) and role for role in roles):
        raise ValueError(f"a policy needs role names, got {roles!r}")

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


def may_open(endpoint: str) -> bool:
    """Whether the user behind this request may open ``endpoint``: link to it only then."""
    actor = current_actor()
    policy = policy_of(endpoint)
    return actor is not None and policy is not None and policy.allows(actor.role)


def current_actor() -> User | None:
    """The user behind this request: bearer token on /api, session cookie elsewhere."""
    return g.get("actor")


def require_actor() -> User:
    actor = current_actor()
    if actor is None:
        raise Unauthorized()
    return actor


def _carries_credential() -> bool:
    """Whether the request could name a user at all: a session or remember-me cookie,
    or an Authorization header. Without one Flask-Login finds nobody, so nothing is
    loaded (health checks and the public pages skip its session and loader work)."""
    if "Authorization" in request.headers:
        return True
    cookies = request.cookies
    if not cookies:
        return False
    config = current_app.config
    return (
        config["SESSION_COOKIE_NAME"] in cookies
        or config.get("REMEMBER_COOKIE_NAME", "remember_token") in cookies
    )


def _identify() -> User | None:
    """The signed-in user, or None; on /api/ a refused token is 401 with its reason."""
    if not _carries_credential():
        return None
    if not request.cookies and request.path.startswith("/api/"):
        user = _from_request_loader()
    else:
        user = _from_flask_login()
    if user is None and g.get("auth_refusal"):
        raise Unauthorized(g.auth_refusal)
    return user


def _from_request_loader() -> User | None:
    """An API call without cookies: what Flask-Login's ``_load_user`` would find, asked
    of its request loader (the bearer token) directly. With no cookie the session is
    empty, so its session-protection check and session and remember-me loaders find
    nobody; its signals are sent only if someone listens. ``current_user`` is set as
    Flask-Login sets it."""
    manager = current_app.login_manager  # type: ignore[attr-defined]
    if user_accessed.receivers:
        user_accessed.send(current_app._get_current_object())
    loader = manager.request_callback
    user = loader(request) if loader is not None else None
    if user is not None and user_loaded_from_request.receivers:
        user_loaded_from_request.send(current_app._get_current_object(), user=user)
    g._login_user = user if user is not None else manager.anonymous_user()
    return user


def _from_flask_login() -> User | None:
    # The user object itself, not Flask-Login's proxy: the proxy resolves through
    # g._login_user, which login_user(actor) would otherwise point at the proxy itself.
    return current_user._get_current_object() if current_user.is_authenticated else None


def _enforce() -> Any:
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
    # Without a Content-Length (a GET) werkzeug's content_length is None; not asking it
    # spares its header lookup's KeyError, raised and caught for a missing header.
    declared = "CONTENT_LENGTH" in request.environ
    if limit is not None and declared and (request.content_length or 0) > limit:
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
    enabled = current_app.config.get("WTF_CSRF_ENABLED", True)
    if enabled and request.endpoint is not None and not request.path.startswith("/api/"):
        current_app.extensions["csrf"].protect()  # Flask-WTF's CSRFProtect


def check_roles(app: Flask, known: tuple[str, ...]) -> None:
    """Every route's roles are among ``known`` (a typo would lock a role out silently)."""
    for endpoint, view in app.view_functions.items():
        policy = getattr(view, "policy", None)
        unknown = set(policy.roles) - set(known) if policy is not None else set()
        if unknown:
            raise ValueError(f"route {endpoint}: unknown roles in policy: {sorted(unknown)}")


def install(app: Flask) -> None:
    # First of all hooks: who may call a route is decided before anything else looks
    # at the request; then CSRF for pages (Flask-WTF's own default check is off).
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    app.before_request_funcs.setdefault(None, [])[:0] = [_enforce, _check_csrf]
