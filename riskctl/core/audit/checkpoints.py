"""Checkpoints (检查点) of the chain's head: recorded, published, kept outside.

``head()`` is the newest entry as ``SEQ:HASH``. ``record_checkpoint`` stores the head
of the caller's transaction (committed entries plus any it appended) with where it
came from: the ``audit checkpoint`` command, the daily ``audit verify``, a quarterly
report issue. The checkpoint is itself an audit entry.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, select

from riskctl.core import clock
from riskctl.core.audit.chain import Anchor, record
from riskctl.core.audit.models import AuditCheckpoint, AuditEntry
from riskctl.core.db import db

# Where a checkpoint came from, as the public page names it.
SOURCES = {
    "command": "命令行记录",
    "auditor": "审计人员记录",
    "verify": "每日校验",
    "report": "季度报告签发",
    "migration": "审计链改为密钥签名",
}


def head() -> Anchor | None:
    """The newest entry of the chain as this transaction sees it."""
    row = db.session.execute(
        select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)
    ).first()
    return Anchor(row.seq, row.hash) if row else None


def current_head(actor: str | None = None) -> Anchor:
    """The head; an empty chain is started with an entry first, so there is one to anchor."""
    point = head()
    if point is None:
        record("audit.start", "audit_chain", 0, {}, actor=actor)
        point = head()
    return point


def record_checkpoint(
    source: str,
    note: str = "",
    actor: str | None = None,
    at: Anchor | None = None,
    recorded_at: datetime | None = None,
) -> AuditCheckpoint:
    """Record the head (or ``at``, an entry read earlier) as a checkpoint and audit it;
    ``recorded_at`` is the moment (now unless the caller has already printed one).

    ``source`` is one of SOURCES. Flushes only: the caller's transaction commits.
    """
    if source not in SOURCES:
        raise ValueError(f"unknown checkpoint source {source!r}")
    point = at or current_head(actor)
    label = SOURCES[source] + (f"：{note}" if note else "")
    checkpoint = AuditCheckpoint(
        seq=point.seq, hash=point.hash, recorded_at=recorded_at or clock.now(), source=label[:200]
    )
    db.session.add(checkpoint)
    db.session.flush()
    record(
        "audit.checkpoint",
        "audit_checkpoint",
        checkpoint.id,
        {"seq": point.seq, "hash": point.hash, "source": label},
        actor=actor,
    )
    return checkpoint


def checkpoints_query() -> Select:
    """Every checkpoint, newest first."""
    return select(AuditCheckpoint).order_by(AuditCheckpoint.seq.desc(), AuditCheckpoint.id.desc())


def recent_checkpoints(limit: int) -> list[AuditCheckpoint]:
    return list(db.session.scalars(checkpoints_query().limit(limit)))
