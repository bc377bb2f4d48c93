"""Reading the unit tree and what a user may see of it."""

from __future__ import annotations

from typing import Any

from flask import g, has_request_context
from sqlalchemy import String, cast, func, literal, select
from sqlalchemy.orm import aliased

from riskctl.accounts.models import ApiToken, Unit, User
from riskctl.accounts.roles import OFFICER
from riskctl.core.db import db
from riskctl.core.errors import NotFound, ValidationFailed
from riskctl.core.listing import related


def unit_by_code(code: str) -> Unit:
    unit = db.session.scalar(select(Unit).where(Unit.code == code))
    if unit is None:
        raise NotFound(f"单位 {code} 不存在")
    return unit


def usable_unit(code: str, field: str = "unit") -> Unit:
    """The unit new work goes to (a user, a record, a quota): 422 on ``field`` when it
    does not exist or is deactivated. What it already holds stays where it is."""
    unit = db.session.scalar(select(Unit).where(Unit.code == code))
    if unit is None:
        raise ValidationFailed.field(field, f"单位 {code} 不存在")
    if not unit.active:
        raise ValidationFailed.field(field, inactive_message(unit))
    return unit


def inactive_message(unit: Unit) -> str:
    return f"单位“{unit.name}”已停用，不能再分配新的人员、记录或抽查配额"


def inactive_codes(codes: list[str] | set[str]) -> dict[str, str]:
    """Of ``codes``, the deactivated units: code -> name."""
    if not codes:
        return {}
    rows = db.session.execute(
        select(Unit.code, Unit.name).where(Unit.code.in_(list(codes)), Unit.active.is_(False))
    )
    return dict(rows.all())


def units_tree() -> list[Unit]:
    return list(db.session.scalars(select(Unit).order_by(Unit.path)))


def subtree_ids(unit: Unit) -> list[int]:
    return list(db.session.scalars(select(Unit.id).where(Unit.path.startswith(unit.path))))


def subtree_column(dialect: str) -> Any:
    """The ids of the subtree of the unit ``Unit`` stands for in an enclosing statement,
    as one text ("3,4,7"): the bearer-token statement reads an officer's scope with it."""
    below = aliased(Unit)
    if dialect == "postgresql":
        ids = func.string_agg(cast(below.id, String), literal(","))
    else:
        ids = func.group_concat(below.id, literal(","))
    return select(ids).where(below.path.startswith(Unit.path)).correlate(Unit).scalar_subquery()


def remember_subtree(user: User, ids: str | None) -> None:
    """The officer's subtree ids read with their token: this request's
    :func:`visible_unit_ids` of ``user`` asks the database nothing."""
    if has_request_context():
        g.actor_subtree = (user, [int(i) for i in ids.split(",")] if ids else [])


def visible_unit_ids(user: User | None) -> list[int] | None:
    """Unit ids the user may see, or None for the whole bureau (every role but officers)."""
    if user is None or user.role != OFFICER:
        return None
    known = g.get("actor_subtree") if has_request_context() else None
    if known is not None and known[0] is user:
        return list(known[1])
    return subtree_ids(user.unit) if user.unit else []


def can_see_unit(user: User | None, unit_id: int) -> bool:
    ids = visible_unit_ids(user)
    return ids is None or unit_id in ids


def user_by_username(username: str) -> User | None:
    return db.session.scalar(select(User).where(User.username == username))


def tokens_of(user: User) -> list[ApiToken]:
    """The user's API tokens, newest first (revoked and expired ones included)."""
    return list(
        db.session.scalars(
            select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())
        )
    )


# The columns a token list may be sorted by (in memory: a person has a handful of tokens).
TOKEN_SORTS = {
    "id": lambda t: t.id,
    "user": lambda t: t.user.username,
    "created": lambda t: t.created_at,
    "expires": lambda t: t.expires_at,
    "state": lambda t: t.state,
}


def all_tokens() -> list[ApiToken]:
    return list(
        db.session.scalars(
            select(ApiToken).join(ApiToken.user).order_by(User.username, ApiToken.id.desc())
        )
    )


def unit_order(unit_id: Any) -> Any:
    """Sort key for a list column holding a unit id: the unit's place in the tree."""
    return related(Unit.path, Unit.id, unit_id)


def user_order(username: Any) -> Any:
    """Sort key for a list column holding a username: the person's name."""
    return related(User.display_name, User.username, username)


def person_name(username: str | None) -> str:
    """The name a page shows for an account name (``jiwei`` → ``纪委 王洁``): the
    ``person`` template filter. Anything else (``cli:root``, a scan) shows as it is.
    The request reads the accounts once."""
    if not username:
        return username or ""
    people = g.get("people_by_username")
    if people is None:
        rows = db.session.execute(select(User.username, User.display_name))
        people = {username: name for username, name in rows}
        g.people_by_username = people
    return people.get(username, username)
