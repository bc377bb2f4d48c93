"""Changing units, users and tokens; authenticating."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from riskctl.accounts.models import UNIT_KINDS, ApiToken, LoginAttempt, Unit, User
from riskctl.accounts.queries import unit_by_code, user_by_username
from riskctl.core import audit, clock
from riskctl.core.auth.policy import ALL_ROLES, OFFICER, ROLE_LABELS
from riskctl.core.db import db
from riskctl.core.errors import Conflict, NotFound, TooManyRequests, ValidationFailed

MIN_PASSWORD = 10
_UNKNOWN_USER_HASHES: dict[str, str] = {}


def _hash_password(password: str) -> str:
    """Hash with the configured method: scrypt in production, a cheap one only in tests."""
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def _unknown_user_hash() -> str:
    """A hash of the configured method to check against when the name is unknown."""
    method = current_app.config["PASSWORD_HASH_METHOD"]
    if method not in _UNKNOWN_USER_HASHES:
        _UNKNOWN_USER_HASHES[method] = _hash_password(secrets.token_hex(16))
    return _UNKNOWN_USER_HASHES[method]


def create_unit(
    code: str, name: str, parent_code: str | None = None, kind: str | None = None
) -> Unit:
    code, name = code.strip(), name.strip()
    if not code or "/" in code:
        raise ValidationFailed.field("code", "单位代码不能为空，且不能含有 /")
    if not name:
        raise ValidationFailed.field("name", "单位名称不能为空")
    if db.session.scalar(select(Unit.id).where(Unit.code == code)):
        raise Conflict(f"单位代码 {code} 已存在")
    parent = None
    if parent_code:
        try:
            parent = unit_by_code(parent_code)
        except NotFound as exc:
            raise ValidationFailed.field("parent", f"上级单位 {parent_code} 不存在") from exc
    kind = kind or _default_kind(parent)
    if kind not in UNIT_KINDS:
        raise ValidationFailed.field("kind", f"单位类型须为 {'、'.join(UNIT_KINDS)} 之一")
    unit = Unit(
        code=code,
        name=name,
        kind=kind,
        parent=parent,
        path=(parent.path if parent else "/") + code + "/",
    )
    db.session.add(unit)
    db.session.flush()
    audit.record("unit.create", "unit", code, {"name": name, "parent": parent_code, "kind": kind})
    return unit


def _default_kind(parent: Unit | None) -> str:
    if parent is None:
        return "bureau"
    return "squad" if parent.kind == "detachment" else "office"


def create_user(
    username: str, display_name: str, role: str, password: str, unit_code: str | None = None
) -> User:
    username = username.strip()
    if not username:
        raise ValidationFailed.field("username", "用户名不能为空")
    if role not in ALL_ROLES:
        labels = "、".join(f"{r}（{ROLE_LABELS[r]}）" for r in ALL_ROLES)
        raise ValidationFailed.field("role", f"未知角色 {role}，可选：{labels}")
    if user_by_username(username):
        raise Conflict(f"用户名 {username} 已存在")
    unit = None
    if unit_code:
        try:
            unit = unit_by_code(unit_code)
        except NotFound as exc:
            raise ValidationFailed.field("unit", f"单位 {unit_code} 不存在") from exc
    if role == OFFICER and unit is None:
        raise ValidationFailed.field("unit", "执法队员必须指定所属单位（--unit）")
    check_password_strength(password)
    user = User(
        username=username,
        display_name=display_name or username,
        role=role,
        unit=unit,
        password_hash=_hash_password(password),
    )
    db.session.add(user)
    db.session.flush()
    audit.record("user.create", "user", username, {"role": role, "unit": unit_code})
    return user


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise ValidationFailed.field("password", f"密码至少 {MIN_PASSWORD} 位")
    if password.isdigit() or password.isalpha():
        raise ValidationFailed.field("password", "密码须同时包含字母和数字或符号")


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(username: str) -> str:
    """A new API token for the user; only its hash is stored."""
    user = user_by_username(username)
    if user is None:
        raise NotFound(f"用户 {username} 不存在")
    token = "rk_" + secrets.token_urlsafe(32)
    days = current_app.config["TOKEN_DAYS"]
    db.session.add(
        ApiToken(
            user=user,
            token_hash=_token_digest(token),
            expires_at=clock.now() + timedelta(days=days),
        )
    )
    db.session.flush()
    audit.record("token.issue", "user", username, {"expires_in_days": days})
    return token


def user_for_token(token: str) -> User | None:
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _token_digest(token)))
    if row is None or row.revoked or row.expires_at <= clock.now() or not row.user.active:
        return None
    return row.user


def authenticate(username: str, password: str, remote_addr: str) -> User | None:
    """Check a password; throttle repeated failures per username (in the database)."""
    config = current_app.config
    since = clock.now() - timedelta(minutes=config["LOGIN_WINDOW_MINUTES"])
    failures = db.session.scalar(
        select(func.count())
        .select_from(LoginAttempt)
        .where(
            LoginAttempt.username == username,
            LoginAttempt.at >= since,
            LoginAttempt.succeeded.is_(False),
        )
    )
    if failures >= config["LOGIN_MAX_FAILURES"]:
        raise TooManyRequests(
            f"该账号登录失败次数过多，请 {config['LOGIN_WINDOW_MINUTES']} 分钟后再试"
        )
    user = user_by_username(username)
    # Hash even for an unknown name, so the answer time does not reveal which names exist.
    stored = user.password_hash if user is not None else _unknown_user_hash()
    ok = check_password_hash(stored, password) and user is not None and user.active
    db.session.add(LoginAttempt(username=username, remote_addr=remote_addr, succeeded=ok))
    audit.record(
        "login.success" if ok else "login.failure",
        "user",
        username,
        {"remote_addr": remote_addr},
        actor=username if ok else "anonymous",
    )
    return user if ok else None
