"""The audit log's API list read as plain rows (``riskctl.core.lean``), not ORM objects."""

from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import Select

from riskctl.admin.queries import audit_query
from riskctl.core import lean
from riskctl.core.audit.models import AuditEntry

_COLUMNS = (
    "seq", "at", "actor", "action", "object_type", "object_id", "summary", "prev_hash", "hash",
)  # fmt: skip


def audit_page(args: dict[str, Any]) -> dict[str, Any]:
    """One page of :func:`riskctl.admin.queries.audit_query` of the request's filters:
    the columns of ``AuditEntrySchema`` (the summary is parsed by the schema, as before)."""
    return lean.page(_statement(args), args, _shape())


def _statement(args: dict[str, Any]) -> Select:
    return _query(args["action"], args["actor"], args["object_type"], args["object_id"])


@functools.lru_cache(maxsize=256)
def _query(action: str, actor: str, object_type: str, object_id: str) -> Select:
    """:func:`audit_query` built once per value of its filters (they read nothing from
    the database; every reader sees the whole log): a statement is a value of them alone
    (immutable), and one reused keeps its cache key, so a repeated request neither
    builds nor walks it again."""
    return audit_query(action, actor, object_type, object_id)


@functools.cache
def _shape() -> lean.Shape:
    return lean.Shape({name: getattr(AuditEntry, name) for name in _COLUMNS})
