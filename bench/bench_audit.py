"""Audit chain: append 10,000 entries; verify a chain of 1,000,000 entries."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import insert

from bench._common import Row, backend, bench_app, measure, print_table
from riskctl.core import audit, clock
from riskctl.core.audit import AuditEntry, verify_chain
from riskctl.core.audit.chain import GENESIS, canonical, entry_hash
from riskctl.core.audit.keys import keyring
from riskctl.core.db import db

APPENDS = 10_000
CHAIN = 1_000_000


def _append_entries() -> None:
    for i in range(APPENDS):
        audit.record("bench.write", "thing", i, {"i": i, "note": "抽查结果录入"}, actor="bench")
        if i % 100 == 99:
            db.session.commit()
    db.session.commit()


def _build_chain(n: int) -> None:
    """Write a valid chain quickly (not timed): hashes computed here, rows bulk-inserted."""
    db.session.execute(AuditEntry.__table__.delete())
    ring = keyring()
    start, prev, batch = clock.now(), GENESIS, []
    for seq in range(1, n + 1):
        at = start + timedelta(microseconds=seq)
        summary = canonical({"seq": seq, "field": "风险等级", "before": "中", "after": "高"})
        own = entry_hash(
            ring.current,
            ring.current_id,
            seq,
            at,
            "bench",
            "risk_point.update",
            "risk_point",
            str(seq),
            summary,
            prev,
        )
        batch.append(
            {
                "seq": seq,
                "at": at,
                "actor": "bench",
                "action": "risk_point.update",
                "object_type": "risk_point",
                "object_id": str(seq),
                "summary": summary,
                "prev_hash": prev,
                "hash": own,
                "key_id": ring.current_id,
            }
        )
        prev = own
        if len(batch) == 50_000:
            db.session.execute(insert(AuditEntry), batch)
            batch = []
    if batch:
        db.session.execute(insert(AuditEntry), batch)
    db.session.commit()


def _verify() -> None:
    count, broken = verify_chain()
    assert broken is None and count == CHAIN, (count, broken)


def scenarios() -> list[Row]:
    rows = []
    with bench_app():
        seconds, peak = measure(_append_entries, repeat=1)
        rows.append(
            Row(f"audit append ({backend()}, commit per 100)", f"{APPENDS:,}", seconds, peak)
        )
        _build_chain(CHAIN)
        seconds, peak = measure(_verify, repeat=1)
        rows.append(Row(f"audit verify chain ({backend()})", f"{CHAIN:,}", seconds, peak))
    return rows


if __name__ == "__main__":
    print_table(scenarios())
