"""Lock + draw against its floor, database included, in one run.

riskctl: ``freeze_manifest`` + commit, then ``perform_draw`` + commit, on the bench
manifest (1,000,000 targets, 2,000 inspectors, 20,000 conflicts, teams of 2).
Floor (bench/draw_floor.py): the same riskctl-draw/1 done minimally, checked against
draw-vectors.json and against riskctl's result digest; the manifest stored as one
compressed JSON blob, the ~50,500 selections inserted with a raw ``executemany``.
Runs alternate so that the shared machine's load hits both sides alike.

Run ``python -m bench lockdraw``; RISKCTL_BENCH_DATABASE_URL for PostgreSQL,
BENCH_DRAW_SCALE=0.2 for a fifth of the manifest while iterating (default 1).
"""

from __future__ import annotations

import gc
import itertools
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import draw_floor  # noqa: E402
from bench._common import Row, backend, bench_app, print_table  # noqa: E402
from bench.bench_draw import SIZE, build_manifest  # noqa: E402
from bench.bench_draws import SOURCE, lock_inputs  # noqa: E402

REPEAT = int(os.environ.get("BENCH_LOCKDRAW_REPEAT", "3"))
FLOOR_TABLES = """
CREATE TABLE floor_manifests (id INTEGER PRIMARY KEY, digests TEXT NOT NULL, body {blob} NOT NULL);
CREATE TABLE floor_selections (manifest_id INTEGER NOT NULL, position INTEGER NOT NULL,
  target TEXT NOT NULL, stratum TEXT NOT NULL, key TEXT NOT NULL, inspectors TEXT NOT NULL,
  PRIMARY KEY (manifest_id, position))
"""


def scenarios() -> list[Row]:
    from riskctl.core.db import db
    from riskctl.draws import operations
    from riskctl.draws.models import Draw

    draw_floor.check_vectors()
    inputs, entropy = lock_inputs()
    manifest = build_manifest()
    with bench_app():
        pg = db.engine.dialect.name == "postgresql"
        mark = "%s" if pg else "?"
        raw = db.engine.raw_connection()
        cur = raw.cursor()
        for statement in FLOOR_TABLES.format(blob="BYTEA" if pg else "BLOB").split(";"):
            cur.execute(statement)
        raw.commit()
        subjects = itertools.count(1)
        floor_ids = itertools.count(1)
        digests = {}

        def riskctl() -> None:
            locked = operations.freeze_manifest(
                "inspection", f"SJ-BENCH-{next(subjects)}", actor="bench", **inputs
            )
            db.session.commit()
            drawn = operations.perform_draw(locked, entropy, SOURCE, "bench")
            db.session.commit()
            digests["riskctl"] = drawn.result_digest
            db.session.expire_all()

        def floor() -> None:
            mid = next(floor_ids)
            draw_floor.validate(manifest)
            frozen = draw_floor.digests(manifest)
            cur.execute(
                f"INSERT INTO floor_manifests (id, digests, body) VALUES ({mark}, {mark}, {mark})",
                (mid, " ".join(frozen), draw_floor.compress(manifest)),
            )
            raw.commit()
            cur.execute(f"SELECT digests, body FROM floor_manifests WHERE id = {mark}", (mid,))
            stored, blob = cur.fetchone()
            result = draw_floor.draw(draw_floor.decompress(bytes(blob)), tuple(stored.split()))
            cur.executemany(
                "INSERT INTO floor_selections VALUES "
                f"({mark}, {mark}, {mark}, {mark}, {mark}, {mark})",
                [
                    (mid, pos, s["target"], s["stratum"], s["key"], ",".join(s["inspectors"]))
                    for pos, s in enumerate(result["selected"])
                ],
            )
            raw.commit()
            digests["floor"] = result["result_digest"]

        times: dict[str, list[float]] = {"riskctl": [], "floor": []}
        for _ in range(REPEAT):
            for name, fn in (("riskctl", riskctl), ("floor", floor)):
                gc.collect()
                start = time.perf_counter()
                fn()
                times[name].append(time.perf_counter() - start)
        if digests["riskctl"] != digests["floor"]:
            raise AssertionError("the floor and riskctl drew different results")
        assert db.session.query(Draw).count() == REPEAT
        raw.close()
    ours, base = statistics.median(times["riskctl"]), statistics.median(times["floor"])
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    print(f"\nlock + draw [{backend()}] {SIZE}, median of {REPEAT}")
    print(f"riskctl {ours:.2f} s  floor {base:.2f} s  ratio {ours / base:.2f}x  load {load}")
    print(json.dumps({k: [round(t, 2) for t in v] for k, v in times.items()}))
    return [
        Row(f"lock+draw: riskctl [{backend()}]", SIZE, ours, 0.0),
        Row(f"lock+draw: floor [{backend()}]", SIZE, base, 0.0),
    ]


if __name__ == "__main__":
    print_table(scenarios())
