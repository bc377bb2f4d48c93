"""Authentication (session and bearer token) and authorisation (per-route policies)."""

from riskctl.core.auth.policy import (
    ADMIN,
    ALL_ROLES,
    AUDIT_READERS,
    AUDITOR,
    DISCIPLINE,
    LEADER,
    LEGAL,
    OFFICER,
    Policy,
    allow,
    current_actor,
    public,
    require_actor,
)

__all__ = [
    "ADMIN",
    "ALL_ROLES",
    "AUDITOR",
    "AUDIT_READERS",
    "DISCIPLINE",
    "LEADER",
    "LEGAL",
    "OFFICER",
    "Policy",
    "allow",
    "current_actor",
    "public",
    "require_actor",
]
