"""一公开: what a published draw shows, and the hooks subject modules fill in.

The publication list is draw-spec's ("A published draw shows: …") plus the plan,
its counts and every round. Personal target ids appear only as their masked
``public_label``; signed-in roles that need them get the ids in full.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import url_for

from riskctl.accounts.queries import user_by_username
from riskctl.draws.engine.manifest import ALGORITHM
from riskctl.draws.models import DIGEST_FIELDS, Draw, DrawManifest
from riskctl.draws.queries import rounds, selection_rows


@dataclass(frozen=True)
class SubjectHooks:
    """``page(subject)`` → URL of the plan's or campaign's public page (or None);
    ``results(draw)`` → ``{target_id: result text}`` already published for that draw."""

    page: Callable[[str], str | None] | None = None
    results: Callable[[Draw], Mapping[str, str]] | None = None


_HOOKS: dict[str, SubjectHooks] = {}


def register_subject(
    kind: str,
    *,
    page: Callable[[str], str | None] | None = None,
    results: Callable[[Draw], Mapping[str, str]] | None = None,
) -> None:
    """Let public draw pages link to the subject's own page and show published results."""
    _HOOKS[kind] = SubjectHooks(page, results)


def subject_page(manifest: DrawManifest) -> str | None:
    hooks = _HOOKS.get(manifest.kind)
    return hooks.page(manifest.subject) if hooks and hooks.page else None


def published_results(draw: Draw) -> Mapping[str, str]:
    hooks = _HOOKS.get(draw.manifest.kind)
    return hooks.results(draw) if hooks and hooks.results else {}


def iso(at: datetime) -> str:
    return at.isoformat(timespec="seconds")


def approver_name(draw: Draw) -> str | None:
    """The approving leader as the public reads it (display name, not the login)."""
    if draw.approved_by is None:
        return None
    user = user_by_username(draw.approved_by)
    return user.display_name if user is not None else draw.approved_by


def redraw_facts(draw: Draw, previous: Draw) -> dict[str, Any]:
    """Why a round was drawn again, who approved it, and what changed in the manifest."""
    changed = previous.manifest_id != draw.manifest_id
    return {
        "kind": draw.redraw_kind,
        "kind_label": draw.redraw_kind_label,
        "reason": draw.redraw_reason,
        "approved_by": approver_name(draw),
        "previous_draw_id": previous.id,
        "manifest_changed": changed,
        "previous_manifest_id": previous.manifest_id if changed else None,
        "changes": draw.manifest.changes if changed else None,
    }


def round_list(every: list[Draw]) -> list[dict[str, Any]]:
    """Every round of a manifest; ``current`` marks the one in force (the latest)."""
    return [
        {
            "draw_id": d.id,
            "round": d.round,
            "manifest_id": d.manifest_id,
            "manifest_version": d.manifest.version,
            "redraw_kind": d.redraw_kind,
            "drawn_at": iso(d.drawn_at),
            "entropy_source": d.entropy_source,
            "result_digest": d.result_digest,
            "reason": d.redraw_reason,
            "current": d is every[-1],
        }
        for d in every
    ]


def published(draw: Draw, *, full: bool = False) -> dict[str, Any]:
    """The draw as published (``full=False``) or as signed-in roles read it (ids in full)."""
    manifest = draw.manifest
    every = rounds(draw.manifest_id)
    previous = next((r for r in every if r.round == draw.round - 1), None)
    data: dict[str, Any] = {
        "version": ALGORITHM,
        "draw_id": draw.id,
        "kind": manifest.kind,
        "kind_label": manifest.kind_label,
        "subject": manifest.subject,
        "plan": manifest.plan,
        "round": draw.round,
        "manifest_id": manifest.id,
        "manifest_version": manifest.version,
        "locked_at": iso(manifest.locked_at),
        "drawn_at": iso(draw.drawn_at),
        **{name: getattr(manifest, name) for name in DIGEST_FIELDS},
        "team_size": manifest.team_size,
        "cap": manifest.cap,
        "quotas": manifest.quotas,
        "target_count": manifest.target_count,
        "inspector_count": manifest.inspector_count,
        "conflict_count": manifest.conflict_count,
        "entropy": draw.entropy,
        "entropy_source": draw.entropy_source,
        "seed": draw.seed,
        "selected": [_selection(row, full) for row in selection_rows(draw)],
        "result_digest": draw.result_digest,
        "redraw": None if previous is None else redraw_facts(draw, previous),
        "rounds": round_list(every),
        "manifest_url": manifest_url(draw),
        "verify_url": url_for("draws_api.verify"),
        "spec_url": url_for("draws.spec"),
    }
    if full:
        data["drawn_by"] = draw.drawn_by
    return data


def _selection(row: Any, full: bool) -> dict[str, Any]:
    masked = row.public_label is not None
    return {
        "position": row.position,
        "target": row.target_id if full or not masked else row.public_label,
        "stratum": row.stratum,
        "key": row.key,
        "inspectors": row.inspectors,
        "masked": masked,
    }


def manifest_url(draw: Draw) -> str | None:
    """Where anyone may download the manifest, when none of its target ids is personal."""
    if not draw.manifest.public_manifest:
        return None
    return url_for("draws.public_manifest", draw_id=draw.id)
