"""Reading users and the audit log for the administration pages."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, select

from riskctl.accounts.models import User
from riskctl.core.audit import AuditEntry
from riskctl.core.counting import key_prefix


def users_query() -> Select:
    return select(User).order_by(User.role, User.username)


def audit_query(
    action: str = "",
    actor: str = "",
    object_type: str = "",
    object_id: str = "",
    since: datetime | None = None,
    before: datetime | None = None,
) -> Select:
    """Entries newest first; ``action`` is a key prefix (``login`` finds every login.*),
    taken literally and case by case; counted as a range of its index (counting.py)."""
    query = select(AuditEntry).order_by(AuditEntry.seq.desc())
    if action:
        query = query.where(key_prefix(AuditEntry.action, action))
    if actor:
        query = query.where(AuditEntry.actor == actor)
    if object_type:
        query = query.where(AuditEntry.object_type == object_type)
    if object_id:
        query = query.where(AuditEntry.object_id == object_id)
    if since is not None:
        query = query.where(AuditEntry.at >= since)
    if before is not None:
        query = query.where(AuditEntry.at < before)
    return query
