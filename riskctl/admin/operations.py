"""Administrative changes not covered by accounts.operations."""

from __future__ import annotations

from riskctl.accounts.models import User
from riskctl.core import audit
from riskctl.core.db import db
from riskctl.core.errors import NotFound, ValidationFailed


def set_user_active(user_id: int, active: bool, actor: User) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("用户不存在")
    if user.id == actor.id and not active:
        raise ValidationFailed.field("active", "不能停用自己的账号")
    user.active = active
    db.session.flush()
    audit.record("user.activate" if active else "user.deactivate", "user", user.username)
    return user
