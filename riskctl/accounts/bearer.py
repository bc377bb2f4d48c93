"""Bearer tokens on ``/api/``: Flask-Login's request loader.

The API authenticates by ``Authorization: Bearer <token>`` only, never by the session
cookie (:func:`riskctl.accounts.sessions.load` answers None there). A header that is
malformed or names no usable token leaves its reason in ``g.auth_refusal``; the access
policy turns that into a 401 unless the route is public.

The token's user is read outside the ORM session (``operations.user_for_token``): a
list answered from the cache needs none. :func:`attach_actor`, the last step before a
view, brings them into the request's session.
"""

from __future__ import annotations

from flask import Request, g
from sqlalchemy import inspect

from riskctl.accounts.models import User
from riskctl.accounts.operations import attach, user_for_token

API_PREFIX = "/api/"


def load_from_request(request: Request) -> User | None:
    if not request.path.startswith(API_PREFIX):
        return None
    header = request.headers.get("Authorization", "")
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        g.auth_refusal = "身份凭证格式错误，应为 Authorization: Bearer <令牌>"
        return None
    user = user_for_token(token.strip())
    if user is None:
        g.auth_refusal = "API 令牌无效、已过期或已吊销"
    return user


def attach_actor() -> None:
    """before_request, after the list cache's hit (``create_app`` installs it last): the
    user a token named joins the request's session before the view runs, so that their
    relations load and what the view writes refers to them. Should the session hold
    that user already, the request's actor becomes the object it holds."""
    user = g.get("actor")
    if user is None or inspect(user).session is not None:
        return
    held = attach(user)
    if held is not user:
        g.actor = held
        if g.get("_login_user") is user:
            g._login_user = held
        subtree = g.get("actor_subtree")
        if subtree is not None and subtree[0] is user:
            g.actor_subtree = (held, subtree[1])
