"""Administrative changes not covered by accounts.operations.

三员分立: the administrator manages users but not the auditor's account. An
administrator who could create an auditor, reset an auditor's password or revoke
an auditor's token could read the audit log through that account or silence it;
auditor accounts are kept by the operators on the command line instead.
"""

from __future__ import annotations

from riskctl.accounts import login
from riskctl.accounts import operations as accounts
from riskctl.accounts.models import ApiToken, User
from riskctl.accounts.roles import AUDITOR
from riskctl.core import audit
from riskctl.core.db import db
from riskctl.core.errors import Forbidden, NotFound, ValidationFailed

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
