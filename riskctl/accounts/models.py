"""Units (单位) and users (用户) with their API tokens and login attempts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_login import UserMixin
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ColumnElement,
    ForeignKey,
    Index,
    Integer,
    String,
    and_,
    false,
    true,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from riskctl.accounts.roles import ALL_ROLES
from riskctl.core import clock
from riskctl.core.db import UTCDateTime, db

UNIT_KINDS = {"bureau": "局", "office": "科室", "detachment": "支队", "squad": "中队"}


class Unit(db.Model):
    """A node of the unit tree 局 → 科室/支队 → 中队.

    ``path`` is the materialised path of codes ("/JU/ZD1/ZD1-1/"), so a subtree is
    one indexed prefix match.
    """

    __tablename__ = "units"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    path: Mapped[str] = mapped_column(String(400), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    # A deactivated unit (已停用) keeps its history but takes no new users, records or quotas.
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())

    parent: Mapped[Unit | None] = relationship(remote_side=[id])

    __table_args__ = (CheckConstraint(f"kind IN {tuple(UNIT_KINDS)}", name="kind"),)


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(60), unique=True)
    display_name: Mapped[str] = mapped_column(String(60))
    role: Mapped[str] = mapped_column(String(20))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    # Every web session carries the version it was opened under; bumping it (logout,
    # password change or reset, deactivation) ends all of the user's sessions at once.
    session_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # Set by an administrator's reset: the next sign-in must choose a new password.
    must_change_password: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    unit: Mapped[Unit | None] = relationship()

    __table_args__ = (
        CheckConstraint(f"role IN {ALL_ROLES}", name="role"),
        CheckConstraint("role != 'officer' OR unit_id IS NOT NULL", name="officer_has_unit"),
    )

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active


class ApiToken(db.Model):
    """Only the SHA-256 of a token is stored; the token itself is shown once.

    ``hint`` keeps the token's first characters so its owner can tell tokens apart.
    """

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hint: Mapped[str] = mapped_column(String(12), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by: Mapped[str | None] = mapped_column(String(60))

    user: Mapped[User] = relationship()

    @hybrid_property
    def usable(self) -> bool:
        return not self.revoked and self.expires_at > clock.now()

    @usable.inplace.expression
    @classmethod
    def _usable_clause(cls) -> ColumnElement[bool]:
        return cls.usable_at(clock.now())

    @classmethod
    def usable_at(cls, moment: Any) -> ColumnElement[bool]:
        """The rule of ``usable`` in SQL, at ``moment`` (a datetime or a bound parameter)."""
        return and_(cls.revoked == false(), cls.expires_at > moment)

    @property
    def state(self) -> str:
        if self.usable:
            return "有效"
        return "已吊销" if self.revoked else "已过期"


class LoginAttempt(db.Model):
    """Kept in the database so throttling holds across workers and hosts."""

    __tablename__ = "login_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(60))
    remote_addr: Mapped[str] = mapped_column(String(64))
    succeeded: Mapped[bool] = mapped_column(Boolean)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    __table_args__ = (Index("ix_login_attempts_username_at", "username", "at"),)
