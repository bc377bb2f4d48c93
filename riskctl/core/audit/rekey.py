"""Re-signing a chain written before the audit key (迁移 0011).

Entries written before the key carry an unkeyed SHA-256 that anyone could recompute.
The migration that adds the key walks the old chain once: while every link still
checks out under the old scheme, the entry is re-signed under the configured key;
the first entry that does not (edited, deleted or inserted before the migration) and
everything after it stay unsigned, so ``audit verify`` keeps naming that entry
instead of the migration blessing a tampered chain. The old head is kept in the
checkpoint the migration records.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.engine import Connection

from riskctl.core.audit.chain import GENESIS, entry_hash, legacy_hash
from riskctl.core.audit.keys import Keyring

_BATCH = 5000


@dataclass(frozen=True)
class Rekeyed:
    signed: int
    broken_at: int | None  # first entry left unsigned because the old chain broke there
    old_head: str | None  # "SEQ:HASH" of the last entry that checked out, old scheme
    new_head: str | None  # the same entry, re-signed


def rekey_legacy(connection: Connection, ring: Keyring) -> Rekeyed:
    """Re-sign every unsigned entry, oldest first, up to the first broken link."""
    select_batch = text(
        "SELECT seq, at, actor, action, object_type, object_id, summary, prev_hash, hash "
        "FROM audit_entries WHERE seq > :after AND key_id IS NULL ORDER BY seq LIMIT :n"
    )
    update = text(
        "UPDATE audit_entries SET prev_hash = :prev, hash = :hash, key_id = :kid WHERE seq = :seq"
    )
    old_prev, new_prev, expected, signed = GENESIS, GENESIS, 1, 0
    old_head = new_head = None
    while True:
        rows = connection.execute(select_batch, {"after": expected - 1, "n": _BATCH}).all()
        updates = []
        for seq, at, actor, action, otype, oid, summary, prev, own in rows:
            intact = (
                seq == expected
                and prev == old_prev
                and legacy_hash(seq, at, actor, action, otype, oid, summary, prev) == own
            )
            if not intact:
                _apply(connection, update, updates)
                return Rekeyed(signed, seq, old_head, new_head)
            new = entry_hash(
                ring.current, ring.current_id, seq, at, actor, action, otype, oid, summary, new_prev
            )
            updates.append({"prev": new_prev, "hash": new, "kid": ring.current_id, "seq": seq})
            old_head, new_head = f"{seq}:{own}", f"{seq}:{new}"
            old_prev, new_prev, expected, signed = own, new, seq + 1, signed + 1
        _apply(connection, update, updates)
        if len(rows) < _BATCH:
            return Rekeyed(signed, None, old_head, new_head)


def _apply(connection: Connection, update, updates: list[dict]) -> None:
    if updates:
        connection.execute(update, updates)
