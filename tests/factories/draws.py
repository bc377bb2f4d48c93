"""A locked draw manifest and its rounds, as rows (the draw engine has its own tests)."""

from __future__ import annotations

from datetime import datetime, timedelta

from riskctl.core import clock
from riskctl.core.db import db
from riskctl.draws.models import Draw, DrawManifest
from tests.factories.common import seq


def manifest(
    subject: str,
    *,
    rounds: int = 1,
    locked_at: datetime | None = None,
    drawn_at: datetime | None = None,
    quotas: dict | None = None,
    target_count: int = 1,
    selected: int = 1,
) -> DrawManifest:
    """An inspection manifest locked a day before its first round (drawn two days ago)."""
    drawn_at = drawn_at or clock.now() - timedelta(days=2)
    row = DrawManifest(
        kind="inspection",
        subject=subject,
        plan="{}",
        team_size=2,
        cap=3,
        quotas=quotas or {"B": 1},
        target_count=target_count,
        inspector_count=2,
        conflict_count=0,
        targets_digest="a" * 64,
        inspectors_digest="b" * 64,
        conflicts_digest="c" * 64,
        quotas_digest="d" * 64,
        personal_ids=[],
        body_zlib=b"x",
        locked_at=locked_at or drawn_at - timedelta(days=1),
        locked_by="legal",
    )
    db.session.add(row)
    db.session.flush()
    for number in range(1, rounds + 1):
        db.session.add(
            Draw(
                manifest_id=row.id,
                round=number,
                entropy="07 13 22",
                entropy_source="公证摇号",
                seed="e" * 64,
                result_digest=f"{next(seq):064x}",
                selected_count=selected,
                has_personal=False,
                drawn_by="legal",
                drawn_at=drawn_at,
                redraw_reason=None if number == 1 else "抽中对象已注销",
                approved_by=None if number == 1 else "leader",
                redraw_kind=None if number == 1 else "manifest_error",
            )
        )
    db.session.commit()
    return row


def first_round(frozen: DrawManifest) -> Draw:
    return db.session.query(Draw).filter_by(manifest_id=frozen.id, round=1).one()
