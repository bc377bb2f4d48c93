"""Web sessions (会话): opened at sign-in, checked on every request, ended on the server.

The signed session cookie carries the user's session version, when the session
began and when it was last used. A request is served only while

- the version still equals the user's (logout, a password change or reset and
  deactivation bump it, so an old cookie replayed later is refused),
- the session has been idle no longer than the idle timeout, and
- it is younger than the absolute timeout.

Both timeouts are settings an administrator can change.
"""

from __future__ import annotations

from flask import Flask, Request, Response, flash, redirect, request, session, url_for
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface, SessionMixin
from flask_login import login_user, logout_user

from riskctl.accounts.models import User
from riskctl.core import clock, settings
from riskctl.core.auth.policy import current_actor, policy_of
from riskctl.core.db import db
from riskctl.core.setting_kinds import Integer

IDLE = settings.define(
    "accounts.session_idle_minutes",
    "会话空闲超时",
    30,
    Integer(1, 1440, "分钟"),
    help="登录后这么久没有任何操作，须重新登录",
)
ABSOLUTE = settings.define(
    "accounts.session_max_minutes",
    "会话最长时限",
    480,
    Integer(1, 1440, "分钟"),
    help="无论是否在操作，登录满这么久后须重新登录",
)

_VERSION, _STARTED, _SEEN = "_sv", "_started", "_seen"
_TOUCH_EVERY = 30  # seconds: refresh "last used" at most this often (fewer cookie writes)
# Pages a user whose password was reset may still open before choosing a new one.
_WHILE_CHANGING = {"accounts.change_password", "accounts.logout", "static"}


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed cookie; a request without one (the API, a first visit) gets an
    empty session without building the signer first."""

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        # ``in`` first: a missing key would make MultiDict.get raise and catch a KeyError.
        cookies, name = request.cookies, self.get_cookie_name(app)
        if app.secret_key and not (name in cookies and cookies[name]):  # noqa: RUF019
            return self.session_class()
        return super().open_session(app, request)

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        """Flask's, without its seven cookie settings read first when there is no cookie
        to write or delete (an API call, a page seen signed out): then all it does is
        ``Vary: Cookie`` when the session was looked at. Not on ``/api/``: the API
        answers by the bearer token alone (:func:`load` finds nobody there), while
        Flask-Login's after-request hook looks at every request's session."""
        if session or session.modified:
            super().save_session(app, session, response)
        elif session.accessed and not request.path.startswith("/api/"):
            # getlist, not ``in``: a missing header would raise and catch a KeyError.
            if response.headers.getlist("Vary"):
                response.vary.add("Cookie")
            else:
                response.headers.add("Vary", "Cookie")  # what vary.add would write


def start(user: User) -> None:
    """A fresh session for ``user`` (no fixation), bound to their session version."""
    session.clear()
    login_user(user)
    now = int(clock.now().timestamp())
    session[_VERSION] = user.session_version
    session[_STARTED] = now
    session[_SEEN] = now


def end() -> None:
    logout_user()
    session.clear()


def load(user_id: str) -> User | None:
    """Flask-Login's user loader: the user, if this session may still act for them.

    Never on ``/api/``: the API takes the bearer token only (``bearer.py``)."""
    if request.path.startswith("/api/"):
        return None
    try:
        user = db.session.get(User, int(user_id))
    except (TypeError, ValueError):
        return None
    if user is None or not user.active:
        return None
    now = int(clock.now().timestamp())
    problem = _expired(user, now)
    if problem:
        session.clear()
        flash(problem, "error")
        return None
    if now - session.get(_SEEN, 0) >= _TOUCH_EVERY:
        session[_SEEN] = now
    return user


def _expired(user: User, now: int) -> str | None:
    if session.get(_VERSION) != user.session_version:
        return "登录已失效（已退出、密码已修改或被重置），请重新登录"
    idle = settings.get(IDLE.key)
    if now - session.get(_SEEN, 0) > idle * 60:
        return f"已超过 {idle} 分钟未操作，为安全起见请重新登录"
    longest = settings.get(ABSOLUTE.key)
    if now - session.get(_STARTED, 0) > longest * 60:
        return f"本次登录已超过 {longest} 分钟，为安全起见请重新登录"
    return None


def require_password_change():
    """before_request: a user whose password was reset chooses a new one first."""
    user = current_actor()
    if (
        user is None
        or not user.must_change_password
        or request.path.startswith("/api/")
        or request.endpoint in _WHILE_CHANGING
    ):
        return None
    policy = policy_of(request.endpoint)
    if policy is None or policy.public:
        return None
    flash("管理员已重置您的密码，请先设置新密码后再继续", "error")
    return redirect(url_for("accounts.change_password"))
