"""Administrative changes not covered by accounts.operations.

三员分立: the administrator manages users but not the auditor's account. An
administrator who could create an auditor, reset an auditor's password or revoke
an auditor's token could read the audit log through that account or silence it;
auditor accounts are kept by the operators on the command line instead.
"""

from __future__ import annotations

from sqlalchemy import select

from riskctl.accounts import login
from riskctl.accounts import operations as accounts
from riskctl.accounts.models import ApiToken, Unit, User
from riskctl.accounts.queries import inactive_message, unit_by_code, usable_unit
from riskctl.accounts.roles import ALL_ROLES, AUDITOR, OFFICER
from riskctl.core import audit
from riskctl.core.db import db
from riskctl.core.errors import Conflict, Forbidden, NotFound, ValidationFailed

AUDITOR_BY_CLI = "审计管理员账号由运维人员在服务器上用命令行管理（三员分立），系统管理员不能"


def _user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("用户不存在")
    return user


def _not_auditor(user: User, action: str) -> None:
    if user.role == AUDITOR:
        raise Forbidden(f"{AUDITOR_BY_CLI}{action}")


def create_user(
    username: str, display_name: str, role: str, password: str, unit_code: str | None
) -> User:
    if role == AUDITOR:
        raise ValidationFailed.field("role", f"{AUDITOR_BY_CLI}创建审计管理员")
    return accounts.create_user(username, display_name, role, password, unit_code)


def set_user_active(user_id: int, active: bool, actor: User) -> User:
    user = _user(user_id)
    if user.id == actor.id and not active:
        raise ValidationFailed.field("active", "不能停用自己的账号")
    _not_auditor(user, "停用或启用审计管理员")
    if active and user.unit is not None and not user.unit.active:
        raise ValidationFailed.field(
            "active", f"{inactive_message(user.unit)}：请先启用该单位，或把用户改到其他单位"
        )
    user.active = active
    if not active:
        accounts.end_sessions(user)
    db.session.flush()
    audit.record("user.activate" if active else "user.deactivate", "user", user.username)
    return user


def reset_password(user_id: int, actor: User) -> tuple[User, str]:
    user = _user(user_id)
    if user.id == actor.id:
        raise ValidationFailed.field("user", "请在“修改密码”页面修改自己的密码")
    _not_auditor(user, "重置审计管理员的密码")
    return accounts.reset_password(user.username)


def revoke_token(token_id: int, actor: User) -> ApiToken:
    row = db.session.get(ApiToken, token_id)
    if row is not None:
        _not_auditor(row.user, "吊销审计管理员的令牌")
    return accounts.revoke_token(token_id, actor.username)


def unlock(kind: str, subject: str) -> bool:
    if kind not in ("account", "address"):
        raise ValidationFailed.field("kind", "解锁对象须为账号（account）或地址（address）")
    return login.unlock(kind, subject)


def update_user(
    user_id: int, display_name: str, role: str, unit_code: str | None, actor: User
) -> User:
    """Change a user's name, role and unit (修改用户); audited, sessions end on a new role/unit."""
    user = _user(user_id)
    _not_auditor(user, "修改审计管理员")
    display_name = display_name.strip()
    if not display_name or len(display_name) > 60:
        raise ValidationFailed.field("display_name", "姓名不能为空，且不超过 60 个字")
    if role == AUDITOR:
        raise ValidationFailed.field("role", f"{AUDITOR_BY_CLI}指定审计管理员")
    if role not in ALL_ROLES:
        raise ValidationFailed.field("role", "请选择角色")
    if user.id == actor.id and role != user.role:
        raise ValidationFailed.field("role", "不能修改自己的角色")
    unit = None
    if unit_code and user.unit is not None and unit_code == user.unit.code:
        unit = user.unit  # staying in a deactivated unit is no new assignment
    elif unit_code:
        unit = usable_unit(unit_code)
    if role == OFFICER and unit is None:
        raise ValidationFailed.field("unit", "执法队员必须指定所属单位")
    before = {
        "display_name": user.display_name,
        "role": user.role,
        "unit": user.unit.code if user.unit else None,
    }
    after = {"display_name": display_name, "role": role, "unit": unit.code if unit else None}
    changes = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
    if not changes:
        return user
    user.display_name, user.role, user.unit = display_name, role, unit
    if "role" in changes or "unit" in changes:
        accounts.end_sessions(user)
    db.session.flush()
    audit.record("user.update", "user", user.username, changes)
    return user


def update_unit(code: str, name: str, parent_code: str | None) -> Unit:
    """Rename a unit or move it under another (修改单位); its sub-units move with it."""
    unit = _unit(code)
    name = name.strip()
    if not name or len(name) > 100:
        raise ValidationFailed.field("name", "单位名称不能为空，且不超过 100 个字")
    parent = _unit(parent_code, "parent") if parent_code else None
    if parent is not None and parent.path.startswith(unit.path):
        raise ValidationFailed.field("parent", f"不能把{unit.name}移到它自己或它的下级单位之下")
    old_parent = unit.parent.code if unit.parent else None
    if parent is not None and parent_code != old_parent and not parent.active:
        raise ValidationFailed.field("parent", inactive_message(parent))
    changes: dict = {}
    if name != unit.name:
        changes["name"] = [unit.name, name]
        unit.name = name
    if parent_code != old_parent:
        changes["parent"] = [old_parent, parent_code]
        old_path = unit.path
        new_path = (parent.path if parent else "/") + unit.code + "/"
        for member in db.session.scalars(
            select(Unit).where(Unit.path.startswith(old_path, autoescape=True))
        ):
            member.path = new_path + member.path[len(old_path) :]
        unit.parent = parent
    if changes:
        db.session.flush()
        audit.record("unit.update", "unit", unit.code, changes)
    return unit


def set_unit_active(code: str, active: bool) -> Unit:
    """Deactivate (停用) or reactivate (启用) a unit, audited (the page and the API).

    A deactivated unit keeps everything it holds (users who were stopped, records,
    results, history) but takes no new user, record or quota. It is refused while the
    unit still has users in service or sub-units in use, and a unit under a deactivated
    parent cannot be reactivated before the parent: both refusals are a ``Conflict`` (409)
    whose Chinese message names what is in the way.
    """
    unit = _unit(code)
    if unit.active == active:
        return unit
    if active:
        if unit.parent is not None and not unit.parent.active:
            message = f"上级单位“{unit.parent.name}”已停用：请先启用上级单位"
            raise Conflict(message, {"active": [message]})
    else:
        users = db.session.scalars(
            select(User.display_name)
            .where(User.unit_id == unit.id, User.active.is_(True))
            .order_by(User.username)
        ).all()
        children = db.session.scalars(
            select(Unit.name)
            .where(Unit.parent_id == unit.id, Unit.active.is_(True))
            .order_by(Unit.path)
        ).all()
        reasons = []
        if users:
            names = "、".join(users[:5]) + (" 等" if len(users) > 5 else "")
            reasons.append(f"还有 {len(users)} 名在用人员（{names}），请先停用或改派到其他单位")
        if children:
            names = "、".join(children[:5]) + (" 等" if len(children) > 5 else "")
            reasons.append(f"还有 {len(children)} 个在用的下级单位（{names}），请先停用下级单位")
        if reasons:
            message = f"不能停用“{unit.name}”：" + "；".join(reasons)
            raise Conflict(message, {"active": [message]})
    unit.active = active
    db.session.flush()
    audit.record(
        "unit.activate" if active else "unit.deactivate", "unit", unit.code, {"name": unit.name}
    )
    return unit


def _unit(code: str, field: str = "unit") -> Unit:
    try:
        return unit_by_code(code)
    except NotFound as exc:
        raise ValidationFailed.field(field, "所选单位不存在") from exc
