"""List latency at province scale: 1,000,000 leniency records, 1,000,000 targets,
100,000 inspection tasks and 1,000,000 audit entries.

The data goes in by bulk inserts (bench/dataset.py; the audit entries in batches of
raw rows, since a list does not check the chain). Each list is then requested through
the app, officer-scoped where the role allows (the audit log: the discipline
inspector), filtered by status and date where the list has them, over several pages:
p50 and p95 per list, total included. Targets: p50 < 50 ms, p95 < 150 ms.

Run ``python -m bench province``; BENCH_PROVINCE_SCALE=0.1 builds a tenth.
"""

from __future__ import annotations

import contextvars
import os
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import dataset  # noqa: E402
from bench._common import Row, backend, bench_app, print_table  # noqa: E402

SCALE = float(os.environ.get("BENCH_PROVINCE_SCALE", "1"))
REQUESTS = int(os.environ.get("BENCH_PROVINCE_REQUESTS", "40"))


def _audit_rows(first: int, n: int):
    start = datetime(2026, 7, 1, tzinfo=UTC)
    actions = ["leniency.record", "inspection.result", "risk.update", "rectification.close"]
    for seq in range(first, first + n):
        yield {
            "seq": seq,
            "at": start + timedelta(seconds=seq * 7),
            "actor": f"user{seq % 300}",
            "action": actions[seq % len(actions)],
            "object_type": "record",
            "object_id": str(seq),
            "summary": "{}",
            "prev_hash": f"b{seq - 1:063x}",
            "hash": f"b{seq:063x}",
            "key_id": "bench",
        }


def build(scale: float) -> tuple[dict[str, int], dataset.Province]:
    from sqlalchemy import func, select

    from riskctl.core.db import db

    # The issue's province: 1M leniency records and 1M targets, 100k tasks.
    dataset.BASE.update(leniency=1_000_000, targets=1_000_000, results=100_000)
    province = dataset.build_province(scale=scale)
    audit = dataset._table("audit_entries")
    counts = dict(province.counts)
    first = (db.session.scalar(select(func.max(audit.c.seq))) or 0) + 1
    counts["audit_entries"] = dataset.bulk(audit, _audit_rows(first, int(1_000_000 * scale)))
    db.session.commit()
    return counts, province


def scenarios() -> list[Row]:
    from sqlalchemy import func, select

    from riskctl.accounts import operations as accounts
    from riskctl.accounts.models import Unit
    from riskctl.core.db import db
    from riskctl.inspections.models import Plan, Task

    with bench_app() as app:
        started = time.perf_counter()
        counts, province = build(SCALE)
        print(f"built in {time.perf_counter() - started:.0f} s: {counts}", file=sys.stderr)
        squad = db.session.get(Unit, province.squads[0])
        accounts.create_user("bench-officer", "队员", "officer", "Bench-Pass-2026!", squad.code)
        accounts.create_user("bench-jiwei", "纪委", "discipline", "Bench-Pass-2026!", squad.code)
        officer = accounts.issue_token("bench-officer")
        jiwei = accounts.issue_token("bench-jiwei")
        plan = db.session.scalar(
            select(Plan.code)
            .join(Task, Task.plan_id == Plan.id)
            .group_by(Plan.code)
            .order_by(func.count().desc())
        )
        db.session.commit()
        q = province.quarter
        start, end = q.start.isoformat(), q.end.isoformat()
        lists = [
            (
                "leniency records (status, date)",
                f"/api/v1/leniency/records?status=committed&from={start}&to={end}",
                officer,
            ),
            ("inspection targets (status)", "/api/v1/inspection/targets?status=active", officer),
            (
                "inspection tasks (state)",
                f"/api/v1/inspection/plans/{plan}/tasks?state=entered",
                jiwei,
            ),
            ("audit log (action)", "/api/v1/audit?action=leniency.record", jiwei),
        ]
        client = app.test_client()
        rows = []
        print(f"\nProvince lists [{backend()}] scale {SCALE}, {REQUESTS} requests each")
        print(f"{'list':36} {'p50 ms':>7} {'p95 ms':>7} {'total':>9}  load")
        for label, path, token in lists:
            headers = {"Authorization": f"Bearer {token}"}
            times, total = [], None
            for k in range(REQUESTS + 3):
                url = f"{path}&per_page=20&page={k % 5 + 1}"
                t0 = time.perf_counter()
                # Outside the bench's app context, as under a server: otherwise every
                # request shares one ``g`` (the first caller's user, the calendar).
                response = contextvars.Context().run(client.get, url, headers=headers)
                elapsed = time.perf_counter() - t0
                if response.status_code != 200:
                    raise RuntimeError(f"{url}: {response.status_code} {response.get_data()[:300]}")
                body = response.get_json()
                total = (body["total"], body.get("total_estimated", False))
                if k >= 3:  # the first requests warm the caches
                    times.append(elapsed)
            times.sort()
            p50 = statistics.median(times)
            p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
            load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
            shown = f"{total[0]}{'~' if total[1] else ''}"
            print(f"{label:36} {p50 * 1000:7.1f} {p95 * 1000:7.1f} {shown:>9}  {load}")
            rows.append(Row(f"province: {label} p50 [{backend()}]", f"scale {SCALE}", p50, 0.0))
            rows.append(Row(f"province: {label} p95 [{backend()}]", f"scale {SCALE}", p95, 0.0))
        return rows


if __name__ == "__main__":
    print_table(scenarios())
