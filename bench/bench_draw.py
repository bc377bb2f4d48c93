"""Bench riskctl-draw/1 at city scale: 1,000,000 targets in 4 strata (~50,500
drawn), 2,000 inspectors in 20 units, 20,000 conflict pairs, teams of 2.

Run ``python bench/bench_draw.py``; a runner may call :func:`scenarios`.
``BENCH_DRAW_SCALE`` (default 1) shrinks targets, inspectors and conflicts alike for a
quick run (bench_draws and bench_lockdraw use this manifest too).
"""

from __future__ import annotations

import os
import random
import sys
from functools import cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench._common import Row, measure, print_table  # noqa: E402
from riskctl.draws.engine.draw import compute_digests, run_draw  # noqa: E402
from riskctl.draws.engine.manifest import parse_manifest  # noqa: E402

SCALE = float(os.environ.get("BENCH_DRAW_SCALE", "1"))
TARGETS = round(1_000_000 * SCALE)
INSPECTORS = round(2_000 * SCALE)
UNITS = 20
CONFLICTS = round(20_000 * SCALE)
# Credit-risk classes: share of the roster and sampling ratio (抽查比例).
STRATA = {"A": (0.10, 0.03), "B": (0.40, 0.03), "C": (0.35, 0.05), "D": (0.15, 0.12)}
SIZE = f"{TARGETS:,} T / {INSPECTORS:,} I / {CONFLICTS:,} C / m=2"


def target_id(k: int) -> str:
    """Unique, unsorted ids: an odd multiplier permutes 64-bit numbers; every
    20th target is an individual business (个体工商户) named in Chinese."""
    n = (k * 0x9E3779B97F4A7C15) % 2**64
    return f"个体-新华路-{n:020d}" if k % 20 == 0 else f"91{n:016X}"


@cache
def build_manifest() -> dict[str, Any]:
    """The bench manifest as posted JSON would give it; same on every call."""
    rng = random.Random(20261120)
    names, weights = list(STRATA), [share for share, _ in STRATA.values()]
    strata = rng.choices(names, weights, k=TARGETS)
    ids = [target_id(k) for k in range(TARGETS)]
    sizes = {s: strata.count(s) for s in names}
    inspectors = [f"ZF-{k:04d}" for k in range(INSPECTORS)]
    return {
        "plan": "SJ-2026-BENCH",
        "targets": [{"id": t, "stratum": s} for t, s in zip(ids, strata, strict=True)],
        "quotas": {s: -(-sizes[s] * round(ratio * 100) // 100) for s, (_, ratio) in STRATA.items()},
        "inspectors": [
            {"id": i, "unit": f"第{k % UNITS + 1:02d}中队"} for k, i in enumerate(inspectors)
        ],
        "conflicts": [[rng.choice(inspectors), rng.choice(ids)] for _ in range(CONFLICTS)],
        "team_size": 2,
        "cap": 60,
        "entropy": "2026-11-20 公证摇号 07 13 22 31 45",
    }


def scenarios() -> list[Row]:
    obj = build_manifest()
    manifest = parse_manifest(obj)
    published = run_draw(manifest).result_digest

    def verify() -> None:
        if run_draw(parse_manifest(obj)).result_digest != published:
            raise AssertionError("verify recomputed a different result_digest")

    cases = [
        ("parse_manifest", lambda: parse_manifest(obj)),
        ("compute_digests", lambda: compute_digests(manifest)),
        ("run_draw", lambda: run_draw(manifest)),
        ("verify (parse + draw + compare)", verify),
    ]
    return [Row(name, SIZE, *measure(fn)) for name, fn in cases]


if __name__ == "__main__":
    print_table(scenarios())
