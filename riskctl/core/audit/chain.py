"""Appending to and verifying the audit chain.

Each entry's hash covers its own fields and the previous entry's hash, so editing,
deleting or inserting a row anywhere breaks every later link. Appends happen in the
caller's transaction (a rolled-back change leaves no entry). On PostgreSQL a
transaction-scoped advisory lock serialises appenders across workers and hosts; the
unique ``prev_hash`` makes a fork impossible even without it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event, select, text
from sqlalchemy.orm import Session

from riskctl.core import clock
from riskctl.core.audit.models import AuditEntry
from riskctl.core.db import db

GENESIS = "0" * 64
_LOCK_KEY = 0x5249534B  # "RISK": one advisory lock for the whole chain
_TAIL = "audit_tail"


def canonical(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def stamp(at: datetime | str) -> str:
    """The UTC time as hashed: ``2026-11-21T08:30:00.000000Z``.

    A raw SQLite read gives the stored text ("2026-11-21 08:30:00.000000", UTC);
    turning that into the stamp directly keeps verification of a long chain fast.
    """
    if isinstance(at, str):
        return (
            at[:26].replace(" ", "T") + "Z" if len(at) >= 26 else stamp(datetime.fromisoformat(at))
        )
    if at.tzinfo is None:
        raise ValueError(f"naive audit time {at!r}")
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_hash(
    seq: int,
    at: datetime | str,
    actor: str,
    action: str,
    object_type: str,
    object_id: str,
    summary: str,
    prev_hash: str,
) -> str:
    payload = _ENCODE([seq, stamp(at), actor, action, object_type, object_id, summary, prev_hash])
    return hashlib.sha256(payload.encode()).hexdigest()


def _tail(session: Session) -> tuple[int, str]:
    cached = session.info.get(_TAIL)
    if cached is not None:
        return cached
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})
    row = session.execute(
        select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)
    ).first()
    return (row.seq, row.hash) if row else (0, GENESIS)


def record(
    action: str,
    object_type: str,
    object_id: Any,
    summary: dict[str, Any] | None = None,
    *,
    actor: str | None = None,
    session: Session | None = None,
) -> AuditEntry:
    """Append an entry in the current transaction and flush it.

    ``actor`` defaults to the user behind the current request ("system" outside one).
    """
    session = session or db.session
    if actor is None:
        actor = _request_actor()
    seq, prev = _tail(session)
    at = clock.now()
    body = canonical(summary or {})
    entry = AuditEntry(
        seq=seq + 1,
        at=at,
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        summary=body,
        prev_hash=prev,
    )
    entry.hash = entry_hash(entry.seq, at, actor, action, object_type, entry.object_id, body, prev)
    session.add(entry)
    session.flush()
    session.info[_TAIL] = (entry.seq, entry.hash)
    return entry


def _request_actor() -> str:
    from flask import has_request_context

    from riskctl.core.auth.policy import current_actor

    if has_request_context():
        user = current_actor()
        return user.username if user is not None else "anonymous"
    return "system"


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _forget_tail(session: Session) -> None:
    # The cached tail is only valid inside the transaction that holds the lock.
    session.info.pop(_TAIL, None)


@dataclass(frozen=True)
class ChainBreak:
    seq: int
    reason: str


def _rows(batch: int = 20_000) -> Iterator[tuple]:
    """Every entry in order, streamed through the driver's own cursor (a server-side
    cursor on PostgreSQL) so a chain of millions never sits in memory."""
    sql = (
        "SELECT seq, at, actor, action, object_type, object_id, summary, prev_hash, hash "
        "FROM audit_entries ORDER BY seq"
    )
    raw = db.engine.raw_connection()
    try:
        postgres = db.engine.dialect.name == "postgresql"
        cursor = raw.cursor(name="audit_verify") if postgres else raw.cursor()
        cursor.execute(sql)
        while rows := cursor.fetchmany(batch):
            yield from rows
        cursor.close()
    finally:
        raw.close()


def verify_chain() -> tuple[int, ChainBreak | None]:
    """Walk the chain; return the number of entries checked and the first break, if any."""
    expected_prev, expected_seq, count = GENESIS, 1, 0
    for seq, at, actor, action, otype, oid, summary, prev, own in _rows():
        if seq != expected_seq:
            return count, ChainBreak(
                seq, f"序号不连续：应为 {expected_seq}，实际为 {seq}（有记录被删除或插入）"
            )
        if prev != expected_prev:
            return count, ChainBreak(seq, "前一条记录的哈希不符（链条在此断开）")
        if entry_hash(seq, at, actor, action, otype, oid, summary, prev) != own:
            return count, ChainBreak(seq, "记录内容与其哈希不符（记录被改动）")
        expected_prev, expected_seq, count = own, seq + 1, count + 1
    return count, None
