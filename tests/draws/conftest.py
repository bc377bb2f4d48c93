"""Factories for the draw flow: manifests locked from the published vectors, and draws."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from riskctl.core.db import db
from riskctl.draws import operations
from riskctl.draws.models import Draw, DrawManifest

VECTORS = json.loads(Path(__file__).with_name("draw-vectors.json").read_text("utf-8"))["vectors"]
GOOD = [v for v in VECTORS if "error" not in v["expected"]]
BAD = [v for v in VECTORS if "error" in v["expected"]]
SOURCE = "2026-11-20 省体彩排列5 第 26310 期开奖号码"
# A valid 居民身份证号 (check digit included): an individual trader's id, personal data.
ID_CARD = "410402199001011230"


def vector(name: str) -> dict[str, Any]:
    """A published vector: ``{"name", "manifest", "expected"}`` (a copy)."""
    return copy.deepcopy(next(v for v in VECTORS if v["name"] == name))


def lock_inputs(manifest: dict[str, Any]) -> dict[str, Any]:
    """freeze_manifest's keyword arguments for a manifest, as a subject module builds them."""
    return {
        "plan": manifest["plan"],
        "targets": [(t["id"], t["stratum"]) for t in manifest["targets"]],
        "quotas": manifest["quotas"],
        "inspectors": [(i["id"], i["unit"]) for i in manifest.get("inspectors", [])],
        "conflicts": [tuple(pair) for pair in manifest.get("conflicts", [])],
        "team_size": manifest.get("team_size", 2),
        "cap": manifest.get("cap"),
    }


def lock(
    name: str = "tiny-two-strata",
    subject: str = "SJ-2026-11-001",
    kind: str = "inspection",
    actor: str = "legal",
    **overrides: Any,
) -> DrawManifest:
    """Lock the manifest of vector ``name`` (committed, as after a request)."""
    inputs = lock_inputs(vector(name)["manifest"]) | overrides
    manifest = operations.freeze_manifest(kind, subject, actor=actor, **inputs)
    db.session.commit()
    return manifest


def draw(manifest: DrawManifest, entropy: str | None = None, actor: str = "legal") -> Draw:
    """Draw a locked manifest with its vector's entropy (committed)."""
    entropy = entropy or vector("tiny-two-strata")["manifest"]["entropy"]
    result = operations.perform_draw(manifest, entropy, SOURCE, actor)
    db.session.commit()
    return result


def with_individual(name: str = "tiny-two-strata") -> dict[str, Any]:
    """Lock inputs of a vector whose targets include an individual named by 身份证号."""
    manifest = vector(name)["manifest"]
    manifest["targets"].append({"id": ID_CARD, "stratum": "C"})
    manifest["quotas"]["C"] = sum(1 for t in manifest["targets"] if t["stratum"] == "C")
    manifest["cap"] = 4  # seven targets, teams of two, five inspectors
    return lock_inputs(manifest)
