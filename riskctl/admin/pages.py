"""The audit log's API list read as plain rows (``riskctl.core.lean``), not ORM objects."""

from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import Select

from riskctl.core import lean
from riskctl.core.audit.models import AuditEntry

_COLUMNS = (
    "seq", "at", "actor", "action", "object_type", "object_id", "summary", "prev_hash", "hash",
)  # fmt: skip


def audit_page(query: Select, args: dict[str, Any]) -> dict[str, Any]:
    """One page of :func:`riskctl.admin.queries.audit_query`: the columns of
    ``AuditEntrySchema`` (the summary is parsed by the schema, as before)."""
    return lean.page(query, args, _shape())


@functools.cache
def _shape() -> lean.Shape:
    return lean.Shape({name: getattr(AuditEntry, name) for name in _COLUMNS})
