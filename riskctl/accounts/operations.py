"""Changing units, users, passwords and API tokens."""

from __future__ import annotations

import functools
import hashlib
import secrets
from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import Select, bindparam, case, inspect, select, true
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value
from werkzeug.security import check_password_hash, generate_password_hash

from riskctl.accounts.models import UNIT_KINDS, ApiToken, Unit, User
from riskctl.accounts.queries import (
    inactive_message,
    remember_subtree,
    subtree_column,
    unit_by_code,
    usable_unit,
    user_by_username,
)
from riskctl.accounts.roles import ALL_ROLES, OFFICER, ROLE_LABELS
from riskctl.core import audit, clock, direct, stamps
from riskctl.core.db import db
from riskctl.core.errors import Conflict, NotFound, ValidationFailed

MIN_PASSWORD, MAX_PASSWORD = 10, 128
TOKEN_HINT = 8
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


def check_credentials(username: str, password: str) -> User | None:
    """The active user with this name and password, else None.

    Hashes even for an unknown name, so the answer time does not reveal which names exist.
    """
    user = user_by_username(username)
    stored = user.password_hash if user is not None else _unknown_user_hash()
    ok = check_password_hash(stored, password) and user is not None and user.active
    return user if ok else None


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
        if not parent.active:
            raise ValidationFailed.field("parent", inactive_message(parent))
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
    unit = usable_unit(unit_code) if unit_code else None
    if role == OFFICER and unit is None:
        raise ValidationFailed.field("unit", "执法队员必须指定所属单位")
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
    """The password rule: 10 to 128 characters of at least three classes."""
    if len(password) < MIN_PASSWORD:
        raise ValidationFailed.field("password", f"密码至少 {MIN_PASSWORD} 位")
    if len(password) > MAX_PASSWORD:
        raise ValidationFailed.field("password", f"密码不能超过 {MAX_PASSWORD} 位")
    classes = (
        any(c.islower() and c.isascii() for c in password),
        any(c.isupper() and c.isascii() for c in password),
        any(c.isdigit() and c.isascii() for c in password),
        any(not (c.isascii() and c.isalnum()) for c in password),
    )
    if sum(classes) < 3:
        raise ValidationFailed.field(
            "password", "密码须包含小写字母、大写字母、数字、符号四类中的至少三类"
        )


def generate_password() -> str:
    """A random temporary password that satisfies the rule."""
    while True:
        password = secrets.token_urlsafe(12)
        try:
            check_password_strength(password)
        except ValidationFailed:
            continue
        return password


def end_sessions(user: User) -> None:
    """Every web session of ``user`` stops working at its next request."""
    user.session_version = (user.session_version or 0) + 1
    db.session.flush()


def sign_out(user: User) -> None:
    end_sessions(user)
    audit.record("logout", "user", user.username)


def change_password(user: User, new: str) -> None:
    """The user's own change (修改密码), once the current password was checked."""
    check_password_strength(new)
    if check_password_hash(user.password_hash, new):
        raise ValidationFailed.field("password", "新密码不能与当前密码相同")
    _set_password(user, new, must_change=False)
    audit.record("user.password_change", "user", user.username)


def reset_password(username: str) -> tuple[User, str]:
    """An administrator's reset (重置密码): a temporary password, to be changed at the
    next sign-in; every session of the user ends."""
    user = user_by_username(username)
    if user is None:
        raise NotFound(f"用户 {username} 不存在")
    password = generate_password()
    _set_password(user, password, must_change=True)
    audit.record("user.password_reset", "user", user.username, {"must_change": True})
    return user, password


def _set_password(user: User, password: str, *, must_change: bool) -> None:
    user.password_hash = _hash_password(password)
    user.must_change_password = must_change
    user.password_changed_at = clock.now()
    end_sessions(user)


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(username: str) -> str:
    """A new API token for the user; only its hash is stored."""
    user = user_by_username(username)
    if user is None:
        raise NotFound(f"用户 {username} 不存在")
    token = "rk_" + secrets.token_urlsafe(32)
    days = current_app.config["TOKEN_DAYS"]
    row = ApiToken(
        user=user,
        token_hash=_token_digest(token),
        hint=token[:TOKEN_HINT],
        expires_at=clock.now() + timedelta(days=days),
    )
    db.session.add(row)
    db.session.flush()
    audit.record("token.issue", "user", username, {"token": row.id, "expires_in_days": days})
    return token


def revoke_token(token_id: int, actor: str, owner: User | None = None) -> ApiToken:
    """Revoke a token at once; ``owner`` limits it to that user's own tokens."""
    row = db.session.get(ApiToken, token_id)
    if row is None or (owner is not None and row.user_id != owner.id):
        raise NotFound(f"API 令牌 {token_id} 不存在")
    if row.revoked:
        raise Conflict(f"API 令牌 {token_id} 已吊销")
    row.revoked, row.revoked_at, row.revoked_by = True, clock.now(), actor
    db.session.flush()
    audit.record("token.revoke", "user", row.user.username, {"token": row.id, "hint": row.hint})
    return row


def user_for_token(token: str) -> User | None:
    """The active user of a usable token (not revoked, not expired), with their unit (an
    officer's scope): one statement per API request, the token row itself not loaded.

    The same statement reads what the rest of the request would otherwise ask for
    apart: the shared stamp (``core.stamps``: settings and calendar caches), the data
    version (``core.listcache``: the API's list answers) and, for an
    officer, the ids of their unit's subtree (``queries.visible_unit_ids``). It runs on
    the DBAPI cursor (``core.direct``: every API request pays it), on PostgreSQL outside
    a transaction (no BEGIN, no COMMIT for it).

    A request that has no ORM session yet (each request under a server) reads on a
    pooled connection of its own, and the user and unit stay out of any session: a list
    answered from the cache (``core.listcache``) then ends without one. :func:`attach`
    brings them in for a request that goes on to its view. Where a session is already
    in use (a command, or a test's requests sharing its app context) the read runs on
    its connection, in its transaction, and they join it at once, as if an ORM query
    had loaded them."""
    statement, users, units = _token_user(db.engine.dialect.name)
    params = {"digest": _token_digest(token), "now": clock.now()}
    in_session = db.session.registry.has()
    if in_session:
        connection = db.session.connection()
        with direct.before_transaction(connection):  # PostgreSQL: no BEGIN for it
            rows = direct.execute(connection, statement, params)
    else:
        with db.engine.connect() as connection, direct.before_transaction(connection):
            rows = direct.execute(connection, statement, params)
    if not rows:
        return None
    row = rows[0]
    unit = None
    if row[len(users)] is not None:
        values = zip(units, row[len(users) : len(users) + len(units)], strict=True)
        unit = loaded(Unit, values, attach=False)  # joins with the user (save-update cascade)
    user = loaded(User, zip(users, row[: len(users)], strict=True), attach=in_session, unit=unit)
    stamps.seen(row[-3])
    stamps.data_seen(row[-2])
    if user.role == OFFICER:
        remember_subtree(user, row[-1])
    return user


def attach(user: User) -> User:
    """``user`` (read by :func:`user_for_token` outside any session) in the request's
    session, with their unit: the one the session already holds for either key if it
    loaded one meanwhile, else the object itself (one ``Session.add`` and its cascade).
    An object already in the session is returned as it is."""
    session = db.session
    if inspect(user).session is session():
        return user
    held = session.identity_map.get(inspect(user).key)
    if held is not None:
        return held
    unit = user.__dict__.get("unit")
    if unit is not None:
        held_unit = session.identity_map.get(inspect(unit).key)
        if held_unit is not None and held_unit is not unit:
            set_committed_value(user, "unit", held_unit)
    session.add(user)
    return user


@functools.cache
def _token_user(dialect: str) -> tuple[Select, list[str], list[str]]:
    """The statement of :func:`user_for_token`, built once (every API request runs it):
    the digest and the moment are its parameters. With it, the attribute names of the
    user's columns and of the unit's, in the order the row holds them."""
    users, units = _columns(User), _columns(Unit)
    statement = (
        select(
            *(column for _, column in users),
            *(column for _, column in units),
            stamps.column(),
            stamps.data_column(),
            case((User.role == OFFICER, subtree_column(dialect))),
        )
        .select_from(User)
        .join(ApiToken, ApiToken.user_id == User.id)
        .outerjoin(Unit, User.unit_id == Unit.id)
        .where(
            ApiToken.token_hash == bindparam("digest"),
            ApiToken.usable_at(bindparam("now")),
            User.active == true(),
        )
    )
    return statement, [key for key, _ in users], [key for key, _ in units]


def _columns(model: type) -> list[tuple[str, Any]]:
    return [(prop.key, prop.columns[0]) for prop in inspect(model).column_attrs]


def loaded(model: type, values: Any, attach: bool = True, **related: Any) -> Any:
    """The persistent object of ``model`` with these (attribute, value) pairs read from
    the database, in the session as an ORM query would leave it: the one the session
    already holds for that key, else a new one with no pending change. ``attach=False``
    leaves a new one detached, for an object it is given to as ``related`` to bring in
    (one ``Session.add`` and its cascade instead of two)."""
    state = dict(values, **related)
    mapper = inspect(model)
    key = mapper.identity_key_from_primary_key([state[k.key] for k in mapper.primary_key])
    # No session yet (a token read outside one): nothing is held, and none is made.
    held = db.session.identity_map.get(key) if db.session.registry.has() else None
    if held is not None:
        return held
    instance = mapper.class_manager.new_instance()
    instance.__dict__.update(state)
    make_transient_to_detached(instance)
    if attach:
        db.session.add(instance)
    return instance
