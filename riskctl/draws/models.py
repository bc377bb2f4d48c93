"""Frozen manifests (抽取清单), draws (抽取) and their selections (抽中对象).

Nothing here is ever updated or deleted: a manifest is written once at lock time,
a draw once per round, its selections once with it.
"""

from __future__ import annotations

import json
import zlib
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from riskctl.core import clock
from riskctl.core.db import UTCDateTime, db
from riskctl.draws.kinds import KINDS

# Why a draw is drawn again (重抽) — nothing else justifies a new round:
ENTROPY_FAILURE, MANIFEST_ERROR = "entropy_failure", "manifest_error"
REDRAW_KINDS = {
    # the published source produced no value, or a wrong one: same manifest, new entropy
    ENTROPY_FAILURE: "随机数来源失效",
    # a target closed, an inspector left, a conflict missed: re-lock, then new entropy
    MANIFEST_ERROR: "抽取清单有误",
}
REDRAW_STATUSES = {"pending": "待审批", "approved": "已批准", "refused": "不批准", "used": "已重抽"}
# What a kind's targets, inspectors and teams are called on its pages.
NOUNS = {"inspection": ("检查对象", "检查人员", "检查组"), "review": ("案卷", "评查人员", "评查组")}
DIGEST_FIELDS = ("targets_digest", "inspectors_digest", "conflicts_digest", "quotas_digest")
# zlib level 1: a million-target manifest packs to ~14 MB in ~0.6 s; level 6 saves
# only a further 15 % for twice the time, and lock time is what the bureau waits for.
_ZLIB_LEVEL = 1


def pack_document(document: dict[str, Any]) -> bytes:
    """A manifest document as stored: compact UTF-8 JSON, zlib-compressed."""
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    return zlib.compress(text.encode(), _ZLIB_LEVEL)


def unpack_document(blob: bytes) -> dict[str, Any]:
    return json.loads(zlib.decompress(blob))


class DrawManifest(db.Model):
    """The frozen inputs of a draw (抽取清单): locked once per plan or campaign.

    ``body_zlib`` holds the draw-spec manifest without entropy; the counts, quotas
    and digests are kept beside it so pages never unpack a million targets.
    ``personal_ids`` are target ids that are personal data (e.g. an individual's
    身份证号): shown masked on public pages.

    A re-draw because the manifest was wrong re-locks the subject as a new version
    (``previous_id`` the one it corrects, ``changes`` what was added and removed);
    the rounds of every version of a subject are one series.
    """

    __tablename__ = "draw_manifests"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    subject: Mapped[str] = mapped_column(String(100))
    plan: Mapped[str] = mapped_column(Text)
    team_size: Mapped[int] = mapped_column(Integer)
    cap: Mapped[int] = mapped_column(Integer)
    quotas: Mapped[dict[str, int]] = mapped_column(JSON)
    target_count: Mapped[int] = mapped_column(Integer)
    inspector_count: Mapped[int] = mapped_column(Integer)
    conflict_count: Mapped[int] = mapped_column(Integer)
    targets_digest: Mapped[str] = mapped_column(String(64))
    inspectors_digest: Mapped[str] = mapped_column(String(64))
    conflicts_digest: Mapped[str] = mapped_column(String(64))
    quotas_digest: Mapped[str] = mapped_column(String(64))
    personal_ids: Mapped[list[str]] = mapped_column(JSON, deferred=True)
    # Deferred: lists and pages load manifests without their (megabytes of) body.
    body_zlib: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    locked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    locked_by: Mapped[str] = mapped_column(String(60))
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    previous_id: Mapped[int | None] = mapped_column(ForeignKey("draw_manifests.id"))
    changes: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    previous: Mapped[DrawManifest | None] = relationship(remote_side="DrawManifest.id")

    __table_args__ = (
        UniqueConstraint("kind", "subject", "version"),
        CheckConstraint(f"kind IN {tuple(KINDS)}", name="kind"),
        CheckConstraint("team_size >= 0 AND cap >= 0", name="team_and_cap"),
    )

    @property
    def kind_label(self) -> str:
        return KINDS[self.kind]

    @property
    def nouns(self) -> tuple[str, str, str]:
        return NOUNS[self.kind]

    @property
    def digests(self) -> dict[str, str]:
        """The four published digests (D_T, D_I, D_C, D_Q) by their draw-spec names."""
        return {name: getattr(self, name) for name in DIGEST_FIELDS}

    @property
    def body(self) -> dict[str, Any]:
        """The manifest document without entropy (unpacked on each access: can be large)."""
        return unpack_document(self.body_zlib)

    @property
    def selected_count(self) -> int:
        return sum(self.quotas.values())

    @property
    def public_manifest(self) -> bool:
        """The whole manifest may be published: no target id in it is personal data."""
        return not self.personal_ids


class Draw(db.Model):
    """One round of drawing a manifest (抽取): round 1, then a re-draw (重抽) per round.

    ``(manifest_id, round)`` is unique, so two requests racing to draw the same
    manifest cannot both succeed. A re-draw carries its reason and the approving
    leader; every earlier round stays as it was and stays public.
    """

    __tablename__ = "draws"

    id: Mapped[int] = mapped_column(primary_key=True)
    # No index of its own: the unique (manifest_id, round) key leads with it.
    manifest_id: Mapped[int] = mapped_column(ForeignKey("draw_manifests.id"))
    round: Mapped[int] = mapped_column(Integer)
    entropy: Mapped[str] = mapped_column(Text)
    entropy_source: Mapped[str] = mapped_column(String(300))
    seed: Mapped[str] = mapped_column(String(64))
    result_digest: Mapped[str] = mapped_column(String(64))
    selected_count: Mapped[int] = mapped_column(Integer)
    has_personal: Mapped[bool] = mapped_column(Boolean)
    drawn_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    drawn_by: Mapped[str] = mapped_column(String(60))
    redraw_reason: Mapped[str | None] = mapped_column(Text)
    approved_by: Mapped[str | None] = mapped_column(String(60))
    redraw_kind: Mapped[str | None] = mapped_column(String(20))

    manifest: Mapped[DrawManifest] = relationship()

    __table_args__ = (
        UniqueConstraint("manifest_id", "round"),
        CheckConstraint("round >= 1", name="round"),
        CheckConstraint(
            "round = 1 OR (redraw_reason IS NOT NULL AND approved_by IS NOT NULL"
            " AND redraw_kind IS NOT NULL)",
            name="redraw_approved",
        ),
        CheckConstraint(
            f"redraw_kind IS NULL OR redraw_kind IN {tuple(REDRAW_KINDS)}", name="redraw_kind"
        ),
    )

    @property
    def redraw_kind_label(self) -> str:
        return REDRAW_KINDS.get(self.redraw_kind or "", "")


class DrawSelection(db.Model):
    """A selected target in result order (``position`` from 1) with its hex key and team.

    ``public_label`` is what public pages show instead of ``target_id`` when the id
    is personal data (masked); None means the id itself is public.
    """

    __tablename__ = "draw_selections"

    draw_id: Mapped[int] = mapped_column(ForeignKey("draws.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    target_id: Mapped[str] = mapped_column(Text)
    stratum: Mapped[str] = mapped_column(Text)
    key: Mapped[str] = mapped_column(String(64))
    inspectors: Mapped[list[str]] = mapped_column(JSON)
    public_label: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (UniqueConstraint("draw_id", "target_id"),)

    @property
    def shown_target(self) -> str:
        return self.public_label or self.target_id


class RedrawRequestMixin:
    """A request to draw a subject again (重抽): kind and reason, a leader's decision, then
    for a wrong manifest the re-locked one (``manifest_id``), and the new draw."""

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), default=ENTROPY_FAILURE)
    reason: Mapped[str] = mapped_column(Text)
    requested_by: Mapped[str] = mapped_column(String(60))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    decided_by: Mapped[str | None] = mapped_column(String(60))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_note: Mapped[str | None] = mapped_column(Text)

    @declared_attr
    def draw_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("draws.id"))

    @declared_attr
    def manifest_id(cls) -> Mapped[int | None]:
        return mapped_column(ForeignKey("draw_manifests.id"))

    @declared_attr
    def new_draw_id(cls) -> Mapped[int | None]:
        return mapped_column(ForeignKey("draws.id"))

    @declared_attr
    def manifest(cls) -> Mapped[DrawManifest | None]:
        return relationship(DrawManifest, foreign_keys=[cls.manifest_id])

    @property
    def kind_label(self) -> str:
        return REDRAW_KINDS[self.kind]

    @property
    def status_label(self) -> str:
        return REDRAW_STATUSES[self.status]
