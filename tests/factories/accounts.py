"""Factories for test data; each commits so that requests see it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from riskctl.accounts import operations
from riskctl.accounts.models import Unit, User
from riskctl.core.db import db

PASSWORD = "correct-horse-42"
UNITS = [
    ("JU", "市城市管理综合执法局", None, "bureau"),
    ("JW", "机关纪委", "JU", "office"),
    ("FZK", "法制科", "JU", "office"),
    ("ZD1", "市容秩序执法支队", "JU", "detachment"),
    ("ZD1-1", "市容秩序第一中队", "ZD1", "squad"),
    ("ZD1-2", "市容秩序第二中队", "ZD1", "squad"),
    ("ZD2", "环境卫生执法支队", "JU", "detachment"),
    ("ZD2-1", "环境卫生第一中队", "ZD2", "squad"),
]
ROLE_UNITS = {
    "admin": "JU",
    "discipline": "JW",
    "legal": "FZK",
    "officer": "ZD1-1",
    "leader": "JU",
    "auditor": "JU",
}


@dataclass
class Bureau:
    units: dict[str, Unit] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)


def make_unit(
    code: str, name: str | None = None, parent: str | None = None, kind: str | None = None
) -> Unit:
    unit = operations.create_unit(code, name or code, parent, kind)
    db.session.commit()
    return unit


def make_user(username: str, role: str, unit: str | None = None, password: str = PASSWORD) -> User:
    user = operations.create_user(username, username, role, password, unit)
    db.session.commit()
    return user


def make_bureau() -> Bureau:
    bureau = Bureau()
    for code, name, parent, kind in UNITS:
        bureau.units[code] = operations.create_unit(code, name, parent, kind)
    for role, unit in ROLE_UNITS.items():
        bureau.users[role] = operations.create_user(role, role, role, PASSWORD, unit)
        bureau.tokens[role] = operations.issue_token(role)
    db.session.commit()
    return bureau


class ApiClient:
    """The Flask test client with a bearer token on every request."""

    def __init__(self, client, token: str | None):
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def _call(self, method: str, url: str, **kwargs: Any):
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return getattr(self.client, method)(url, headers=headers, **kwargs)

    def get(self, url: str, **kw: Any):
        return self._call("get", url, **kw)

    def post(self, url: str, **kw: Any):
        return self._call("post", url, **kw)

    def patch(self, url: str, **kw: Any):
        return self._call("patch", url, **kw)

    def put(self, url: str, **kw: Any):
        return self._call("put", url, **kw)

    def delete(self, url: str, **kw: Any):
        return self._call("delete", url, **kw)
