"""Reading manifests, draws and selections."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, Select, exists, func, or_, select
from sqlalchemy.orm import joinedload

from riskctl.accounts.models import Unit
from riskctl.core.db import db
from riskctl.core.errors import NotFound
from riskctl.draws.models import Draw, DrawManifest, DrawSelection


def get_draw(draw_id: int) -> Draw:
    draw = db.session.get(Draw, draw_id)
    if draw is None:
        raise NotFound(f"抽取编号 {draw_id} 不存在")
    return draw


def get_manifest(manifest_id: int) -> DrawManifest:
    manifest = db.session.get(DrawManifest, manifest_id)
    if manifest is None:
        raise NotFound(f"抽取清单编号 {manifest_id} 不存在")
    return manifest


def manifest_for(kind: str, subject: str) -> DrawManifest | None:
    """The newest version of a subject's manifest (a re-lock makes a new version)."""
    return db.session.scalar(
        select(DrawManifest)
        .where(DrawManifest.kind == kind, DrawManifest.subject == subject)
        .order_by(DrawManifest.version.desc())
        .limit(1)
    )


def _series(manifest_id: int):
    """Ids of every manifest version of the same subject as ``manifest_id``."""
    this = select(DrawManifest.kind, DrawManifest.subject).where(DrawManifest.id == manifest_id)
    same = this.subquery()
    return select(DrawManifest.id).where(
        DrawManifest.kind == same.c.kind, DrawManifest.subject == same.c.subject
    )


def latest_round(manifest_id: int) -> Draw | None:
    """The round in force of the manifest's subject, over all its manifest versions."""
    return db.session.scalar(
        select(Draw)
        .where(Draw.manifest_id.in_(_series(manifest_id)))
        .order_by(Draw.round.desc())
        .limit(1)
    )


def latest_rounds(manifest_ids: list[int]) -> dict[int, int]:
    """The round in force of each manifest's subject: ``{manifest_id: round}``."""
    subjects = (
        select(DrawManifest.kind, DrawManifest.subject, func.max(Draw.round).label("round"))
        .join(Draw, Draw.manifest_id == DrawManifest.id)
        .group_by(DrawManifest.kind, DrawManifest.subject)
        .subquery()
    )
    return dict(
        db.session.execute(
            select(DrawManifest.id, subjects.c.round)
            .join(
                subjects,
                (subjects.c.kind == DrawManifest.kind)
                & (subjects.c.subject == DrawManifest.subject),
            )
            .where(DrawManifest.id.in_(manifest_ids))
        ).all()
    )


def draw_for(kind: str, subject: str) -> Draw | None:
    """The draw in force for a plan or campaign: its latest round, or None if not drawn."""
    manifest = manifest_for(kind, subject)
    return None if manifest is None else latest_round(manifest.id)


def rounds(manifest_id: int) -> list[Draw]:
    """Every round of the manifest's subject, first to last (re-draws and re-locked
    manifest versions included)."""
    return list(
        db.session.scalars(
            select(Draw).where(Draw.manifest_id.in_(_series(manifest_id))).order_by(Draw.round)
        )
    )


def selections(draw: Draw) -> list[DrawSelection]:
    """The selected targets of a draw in result order."""
    return list(
        db.session.scalars(
            select(DrawSelection)
            .where(DrawSelection.draw_id == draw.id)
            .order_by(DrawSelection.position)
        )
    )


def selection_query(draw: Draw, stratum: str = "", q: str = "") -> Select:
    """Selections as plain rows (position, target_id, public_label, stratum, key, inspectors)."""
    query = select(
        DrawSelection.position,
        DrawSelection.target_id,
        DrawSelection.public_label,
        DrawSelection.stratum,
        DrawSelection.key,
        DrawSelection.inspectors,
    ).where(DrawSelection.draw_id == draw.id)
    if stratum:
        query = query.where(DrawSelection.stratum == stratum)
    if q:
        # Masked ids are searched by their public label only, never by the hidden id.
        query = query.where(
            or_(
                DrawSelection.public_label.contains(q, autoescape=True),
                (DrawSelection.public_label.is_(None))
                & DrawSelection.target_id.contains(q, autoescape=True),
            )
        )
    return query.order_by(DrawSelection.position)


def selection_rows(draw: Draw) -> list[Row[Any]]:
    return list(db.session.execute(selection_query(draw)))


def manifest_document(draw: Draw) -> dict[str, Any]:
    """The full draw-spec manifest of a draw (its frozen manifest plus this round's entropy)."""
    document = draw.manifest.body
    document["entropy"] = draw.entropy
    return document


def draws_query(kind: str = "", q: str = "") -> Select:
    """Every draw, newest first, optionally of one kind or matching a subject or plan code."""
    query = select(Draw).join(DrawManifest).options(joinedload(Draw.manifest))
    if kind:
        query = query.where(DrawManifest.kind == kind)
    if q:
        query = query.where(
            or_(
                DrawManifest.subject.contains(q, autoescape=True),
                DrawManifest.plan.contains(q, autoescape=True),
            )
        )
    return query.order_by(Draw.drawn_at.desc(), Draw.id.desc())


def pending_manifests(kind: str = "", q: str = "") -> Select:
    """Manifests locked and published but not drawn yet, newest first."""
    query = select(DrawManifest).where(~exists().where(Draw.manifest_id == DrawManifest.id))
    if kind:
        query = query.where(DrawManifest.kind == kind)
    if q:
        query = query.where(
            or_(
                DrawManifest.subject.contains(q, autoescape=True),
                DrawManifest.plan.contains(q, autoescape=True),
            )
        )
    return query.order_by(DrawManifest.locked_at.desc(), DrawManifest.id.desc())


def strata(draw: Draw) -> list[str]:
    return list(
        db.session.scalars(
            select(DrawSelection.stratum)
            .where(DrawSelection.draw_id == draw.id)
            .group_by(DrawSelection.stratum)
            .order_by(DrawSelection.stratum)
        )
    )


def stratum_names(manifest: DrawManifest, strata: list[str]) -> dict[str, str]:
    """The unit names beside a review draw's strata (its units' codes), for people to read.

    Display only: the code stays the published, verifiable value; an inspection draw's
    strata are credit classes and have no name.
    """
    if manifest.kind != "review" or not strata:
        return {}
    rows = db.session.execute(select(Unit.code, Unit.name).where(Unit.code.in_(set(strata))))
    return {code: name for code, name in rows}


def count(query: Select) -> int:
    return db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
