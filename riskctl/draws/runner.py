"""The one code path from a manifest document to a draw result (抽取与核验).

Drawing a locked plan, ``POST /api/v1/draws/verify`` and ``flask draws verify`` all
call :func:`run` (through :func:`recompute` or, for the public, with a budget in
``verification.py``), so a stored draw and its verification cannot diverge.
"""

from __future__ import annotations

from typing import Any

from riskctl.core.errors import ValidationFailed
from riskctl.draws.engine.cost import Budget
from riskctl.draws.engine.draw import DrawResult, run_draw
from riskctl.draws.engine.manifest import (
    DrawError,
    DrawSpecError,
    Manifest,
    ManifestError,
    parse_manifest,
)


def as_validation_error(exc: DrawSpecError) -> ValidationFailed:
    """The engine's Chinese message as a 422 naming the manifest field at fault."""
    field = "targets" if isinstance(exc, DrawError) else exc.field or "manifest"
    return ValidationFailed(exc.message, {field: [exc.message]})


def parse(document: Any, *, require_entropy: bool = True) -> Manifest:
    try:
        return parse_manifest(document, require_entropy=require_entropy)
    except ManifestError as exc:
        raise as_validation_error(exc) from exc


def run(manifest: Manifest, budget: Budget | None = None) -> DrawResult:
    """Run riskctl-draw/1 on a parsed manifest, within ``budget`` when given."""
    try:
        return run_draw(manifest, budget)
    except DrawSpecError as exc:
        raise as_validation_error(exc) from exc


def recompute(document: Any) -> DrawResult:
    """Validate ``document`` (a draw-spec manifest with entropy) and run riskctl-draw/1."""
    return run(parse(document))
