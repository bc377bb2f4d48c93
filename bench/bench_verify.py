"""The public ``POST /api/v1/draws/verify`` through the whole HTTP stack, limits on.

- the bureau's real size: bench_draw's manifest (1,000,000 targets, 2,000 inspectors,
  20,000 conflicts, ~50,500 drawn) and the same roster at api.md's default ratios
  (5/10/30/70 %, ~287,500 drawn, default cap);
- issue 13's hostile manifest (1,000,000 inspectors, 500,000 targets, all drawn,
  cap 1), which ran 112 s per request before the work budget: now refused.

Each request comes from its own address so the per-address limits stay out of the
way. Times are of one request each; peak memory is not traced (tracemalloc would slow
the run past its own time limit) and shows as 0. Run ``python bench/bench_verify.py``;
a runner may call :func:`scenarios`.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench._common import Row, bench_app, print_table  # noqa: E402
from bench.bench_draw import SIZE, build_manifest  # noqa: E402

DEFAULT_RATIOS = {"A": 0.05, "B": 0.10, "C": 0.30, "D": 0.70}


def default_ratio_manifest() -> dict[str, Any]:
    """bench_draw's roster drawn at api.md's default ratios, with the default cap."""
    obj = dict(build_manifest())
    sizes = {s: 0 for s in DEFAULT_RATIOS}
    for target in obj["targets"]:
        sizes[target["stratum"]] += 1
    quotas = {s: -(-sizes[s] * round(r * 100) // 100) for s, r in DEFAULT_RATIOS.items()}
    selected = sum(quotas.values())
    obj["quotas"] = quotas
    obj["cap"] = -(-2 * selected // len(obj["inspectors"])) + 1
    return obj


def hostile_manifest() -> dict[str, Any]:
    return {
        "plan": "X",
        "targets": [{"id": f"T{k:07d}", "stratum": "A"} for k in range(500_000)],
        "quotas": {"A": 500_000},
        "inspectors": [{"id": f"I{k:07d}", "unit": "U"} for k in range(1_000_000)],
        "conflicts": [],
        "team_size": 2,
        "cap": 1,
        "entropy": "e",
    }


def _body(obj: dict[str, Any]) -> bytes:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode()


def scenarios() -> list[Row]:
    cases = [
        ("verify: bureau size (bench ratios)", SIZE, _body(build_manifest()), 200),
        ("verify: bureau size (default ratios)", SIZE, _body(default_ratio_manifest()), 200),
        (
            "verify: hostile, refused",
            "500,000 T / 1,000,000 I / cap 1",
            _body(hostile_manifest()),
            503,
        ),
    ]
    rows = []
    with bench_app() as app:
        client = app.test_client()
        for k, (name, size, body, status) in enumerate(cases, start=1):
            start = time.perf_counter()
            response = client.post(
                "/api/v1/draws/verify",
                data=body,
                content_type="application/json",
                environ_base={"REMOTE_ADDR": f"10.0.0.{k}"},
            )
            seconds = time.perf_counter() - start
            if response.status_code != status:
                raise AssertionError(f"{name}: {response.status_code} {response.data[:300]!r}")
            rows.append(Row(name, f"{size} ({len(body) / 1e6:.1f} MB)", seconds, 0))
    return rows


if __name__ == "__main__":
    print_table(scenarios())
