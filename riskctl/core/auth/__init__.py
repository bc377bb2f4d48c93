"""Authorisation: per-route policies (who is signed in is Flask-Login's current_user)."""

from riskctl.core.auth.policy import (
    Policy,
    allow,
    current_actor,
    public,
    require_actor,
)

__all__ = [
    "Policy",
    "allow",
    "current_actor",
    "public",
    "require_actor",
]
