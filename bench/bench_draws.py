"""The draw flow at city scale, database included: lock a manifest of 1,000,000 targets,
2,000 inspectors and 20,000 conflict pairs; draw it (~50,500 selections saved); verify
the stored draw from its manifest; serve the manifest and the public JSON.

The manifest is bench_draw's (the engine bench), handed over as a subject module
would: lists of ``(id, stratum)``, ``(id, unit)`` and ``(inspector, target)`` tuples.
Run ``python bench/bench_draws.py``; a runner may call :func:`scenarios`.
"""

from __future__ import annotations

import itertools
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench._common import Row, backend, bench_app, measure, print_table  # noqa: E402
from bench.bench_draw import SIZE, build_manifest  # noqa: E402
from riskctl.core.db import db  # noqa: E402
from riskctl.draws import operations, queries  # noqa: E402
from riskctl.draws.models import Draw, DrawManifest  # noqa: E402
from riskctl.draws.publication import published  # noqa: E402
from riskctl.draws.runner import recompute  # noqa: E402
from riskctl.draws.schemas import PublishedDrawSchema  # noqa: E402

SOURCE = "2026-11-20 省体彩排列5 第 26310 期开奖号码"


def lock_inputs() -> tuple[dict[str, Any], str]:
    """freeze_manifest's keyword arguments for the bench manifest, and its entropy."""
    obj = build_manifest()
    inputs = {
        "plan": obj["plan"],
        "targets": [(t["id"], t["stratum"]) for t in obj["targets"]],
        "quotas": obj["quotas"],
        "inspectors": [(i["id"], i["unit"]) for i in obj["inspectors"]],
        "conflicts": [tuple(pair) for pair in obj["conflicts"]],
        "team_size": obj["team_size"],
        "cap": obj["cap"],
    }
    return inputs, obj["entropy"]


def scenarios() -> list[Row]:
    inputs, entropy = lock_inputs()
    with bench_app() as app:
        subjects = itertools.count(1)
        locked: list[int] = []
        drawn: list[int] = []

        def lock() -> None:
            subject = f"SJ-BENCH-{next(subjects)}"
            manifest = operations.freeze_manifest("inspection", subject, actor="bench", **inputs)
            db.session.commit()
            locked.append(manifest.id)

        def draw() -> None:
            # Each run draws a manifest of its own: a manifest is drawn once only.
            manifest = db.session.get(DrawManifest, locked[len(drawn)])
            drawn.append(operations.perform_draw(manifest, entropy, SOURCE, "bench").id)
            db.session.commit()

        def verify() -> None:
            stored = db.session.get(Draw, drawn[0])
            if recompute(queries.manifest_document(stored)).result_digest != stored.result_digest:
                raise AssertionError("the stored draw does not verify from its manifest")
            db.session.expire_all()

        def manifest_json() -> None:
            document = queries.manifest_document(db.session.get(Draw, drawn[0]))
            json.dumps(document, ensure_ascii=False, separators=(",", ":"))
            db.session.expire_all()

        def public_json() -> None:
            with app.test_request_context():
                data = PublishedDrawSchema().dump(published(db.session.get(Draw, drawn[0])))
                json.dumps(data, ensure_ascii=False, separators=(",", ":"))
            db.session.expire_all()

        cases = [
            ("draws: lock (validate, digests, store)", lock),
            ("draws: draw (load, run_draw, save selections)", draw),
            ("draws: verify stored draw from its manifest", verify),
            ("draws: manifest JSON (GET …/manifest)", manifest_json),
            ("draws: public JSON (~50,500 selected)", public_json),
        ]
        return [Row(f"{name} [{backend()}]", SIZE, *measure(fn)) for name, fn in cases]


if __name__ == "__main__":
    print_table(scenarios())
