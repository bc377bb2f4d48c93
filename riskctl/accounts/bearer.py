"""Bearer tokens on ``/api/``: Flask-Login's request loader.

The API authenticates by ``Authorization: Bearer <token>`` only, never by the session
cookie (:func:`riskctl.accounts.sessions.load` answers None there). A header that is
malformed or names no usable token leaves its reason in ``g.auth_refusal``; the access
policy turns that into a 401 unless the route is public.
"""

from __future__ import annotations

from flask import Request, g

from riskctl.accounts.models import User
from riskctl.accounts.operations import user_for_token

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
