"""Appending to and verifying the audit chain.

Each entry's hash is an HMAC-SHA256, under the audit key (``RISKCTL_AUDIT_KEY``, kept
outside the database), of its own fields, the previous entry's hash and the id of the
key. Editing, deleting or inserting a row anywhere breaks every later link, and
nobody without the key can recompute the links after an edit. Truncating the newest
entries leaves a shorter chain that is still intact; recorded checkpoints of the head
(``checkpoints.py``) and anchors kept outside the system catch that.

Appends happen in the caller's transaction (a rolled-back change leaves no entry). On
PostgreSQL a transaction-scoped advisory lock serialises appenders across workers and
hosts; the unique ``prev_hash`` makes a fork impossible even without it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event, select, text
from sqlalchemy.orm import Session

from riskctl.core import clock
from riskctl.core.audit.keys import Keyring, keyring
from riskctl.core.audit.models import AuditCheckpoint, AuditEntry
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
    key: bytes,
    key_id: str,
    seq: int,
    at: datetime | str,
    actor: str,
    action: str,
    object_type: str,
    object_id: str,
    summary: str,
    prev_hash: str,
) -> str:
    """HMAC-SHA256 under ``key`` of the entry's fields, the previous hash and the key id."""
    fields = [seq, stamp(at), actor, action, object_type, object_id, summary, prev_hash, key_id]
    return hmac.new(key, _ENCODE(fields).encode(), hashlib.sha256).hexdigest()


def legacy_hash(
    seq: int,
    at: datetime | str,
    actor: str,
    action: str,
    object_type: str,
    object_id: str,
    summary: str,
    prev_hash: str,
) -> str:
    """The unkeyed SHA-256 of chains written before the audit key (migration 0011 re-signs
    them); anyone can compute it, so verification never accepts it."""
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
    ring = keyring()
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
        key_id=ring.current_id,
    )
    entry.hash = entry_hash(
        ring.current,
        ring.current_id,
        entry.seq,
        at,
        actor,
        action,
        object_type,
        entry.object_id,
        body,
        prev,
    )
    session.add(entry)
    session.flush()
    session.info[_TAIL] = (entry.seq, entry.hash)
    return entry


def _request_actor() -> str:
    """Who acts: ``g.actor`` as the access policy set it for this request."""
    from flask import g, has_request_context

    if has_request_context():
        user = g.get("actor")
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


@dataclass(frozen=True)
class Anchor:
    """A head kept outside the system, ``SEQ:HASH`` (a printed report, a 纪委 notebook)."""

    seq: int
    hash: str

    @classmethod
    def parse(cls, text: str) -> Anchor:
        seq, sep, digest = text.strip().partition(":")
        digest = digest.strip().lower()
        if not (sep and seq.strip().isdigit() and len(digest) == 64):
            raise ValueError(f"锚点“{text}”格式不对，应为 序号:哈希（64 位十六进制）")
        try:
            bytes.fromhex(digest)
        except ValueError:
            raise ValueError(f"锚点“{text}”的哈希不是十六进制") from None
        return cls(int(seq), digest)

    def __str__(self) -> str:
        return f"{self.seq}:{self.hash}"


@dataclass(frozen=True)
class Verification:
    """``count`` entries intact from the start; ``breaks``: the first broken entry, then
    every checkpoint or anchor the chain no longer holds."""

    count: int
    breaks: tuple[ChainBreak, ...]
    checked: int  # checkpoints and anchors compared

    @property
    def ok(self) -> bool:
        return not self.breaks


def _rows(batch: int = 20_000) -> Iterator[tuple]:
    """Every entry in order, streamed through the driver's own cursor (a server-side
    cursor on PostgreSQL) so a chain of millions never sits in memory."""
    sql = (
        "SELECT seq, at, actor, action, object_type, object_id, summary, prev_hash, hash, "
        "key_id FROM audit_entries ORDER BY seq"
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


def _walk(ring: Keyring) -> tuple[int, dict[int, str], ChainBreak | None]:
    """Check every link; return the entries intact, their hashes by seq, the first break."""
    hashes: dict[int, str] = {}
    expected_prev, expected_seq, count = GENESIS, 1, 0
    for seq, at, actor, action, otype, oid, summary, prev, own, kid in _rows():
        if seq != expected_seq:
            reason = f"序号不连续：应为 {expected_seq}，实际为 {seq}（有记录被删除或插入）"
            return count, hashes, ChainBreak(seq, reason)
        if prev != expected_prev:
            return count, hashes, ChainBreak(seq, "前一条记录的哈希不符（链条在此断开）")
        if kid is None:
            reason = "记录没有审计密钥签名（未经密钥签名的记录不可信）"
            return count, hashes, ChainBreak(seq, reason)
        key = ring.keys.get(kid)
        if key is None:
            reason = f"签名密钥 {kid} 未配置（密钥轮换后须在 RISKCTL_AUDIT_OLD_KEYS 中保留原密钥）"
            return count, hashes, ChainBreak(seq, reason)
        if entry_hash(key, kid, seq, at, actor, action, otype, oid, summary, prev) != own:
            return count, hashes, ChainBreak(seq, "记录内容与其哈希不符（记录被改动）")
        hashes[seq] = own
        expected_prev, expected_seq, count = own, seq + 1, count + 1
    return count, hashes, None


def _held(
    point: Anchor, hashes: dict[int, str], count: int, broken: ChainBreak | None
) -> str | None:
    """Why the chain no longer holds ``point`` (Chinese), or None when it does."""
    if point.seq in hashes:
        actual = hashes[point.seq]
        return None if actual == point.hash else f"第 {point.seq} 条记录的哈希现为 {actual}"
    if broken is not None and point.seq >= broken.seq:
        return f"链条在第 {broken.seq} 条处已断开，无法确认第 {point.seq} 条"
    return f"日志现只有 {count} 条记录，第 {point.seq} 条已不存在（日志被截断）"


def verify(anchors: Iterable[Anchor] = ()) -> Verification:
    """Walk the chain, then compare every recorded checkpoint and each given anchor."""
    count, hashes, broken = _walk(keyring())
    breaks = [broken] if broken else []
    points = db.session.execute(
        select(AuditCheckpoint.seq, AuditCheckpoint.hash, AuditCheckpoint.recorded_at).order_by(
            AuditCheckpoint.seq
        )
    ).all()
    for seq, digest, recorded_at in points:
        problem = _held(Anchor(seq, digest), hashes, count, broken)
        if problem:
            when = f"{clock.display(recorded_at)}（{clock.zone_label()}）"
            breaks.append(ChainBreak(seq, f"与 {when} 记录的检查点 {seq}:{digest} 不符：{problem}"))
    given = list(anchors)
    for anchor in given:
        problem = _held(anchor, hashes, count, broken)
        if problem:
            breaks.append(ChainBreak(anchor.seq, f"锚点 {anchor} 不符：{problem}"))
    return Verification(count, tuple(breaks), len(points) + len(given))


def verify_chain() -> tuple[int, ChainBreak | None]:
    """Walk the chain and its checkpoints; the entries intact and the first problem, if any."""
    result = verify()
    return result.count, result.breaks[0] if result.breaks else None
