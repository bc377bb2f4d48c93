"""List latency at province scale: 1,000,000 leniency records, 1,000,000 targets,
100,000 inspection tasks and 1,000,000 audit entries.

The data goes in by bulk inserts (bench/dataset.py; the audit entries in batches of
raw rows, since a list does not check the chain). Each list is then requested through
the app, officer-scoped where the role allows (the audit log: the discipline
inspector), filtered by status and date where the list has them, over several pages:
p50 and p95 per list, total included. Targets: p50 < 50 ms, p95 < 150 ms.

Run ``python -m bench province``; BENCH_PROVINCE_SCALE=0.1 builds a tenth. The list
cache is off (BENCH_LIST_CACHE=on measures its hits). The build
time is printed; so is the plan of each list's statements (EXPLAIN QUERY PLAN on
SQLite, EXPLAIN ANALYZE on PostgreSQL; BENCH_PROVINCE_PLANS=0 leaves them out).
BENCH_PROVINCE_COMPARE=<revision> measures the same data again after a downgrade to
that revision (before/after of a migration's indexes without a second build).
"""

from __future__ import annotations

import contextvars
import hashlib
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
from bench._common import Row, backend, bench_app, list_cache, print_table  # noqa: E402

# The lists' own work at scale: each request runs its view (the list cache, which would
# answer every repeat of a page from memory, is off unless BENCH_LIST_CACHE=on).
os.environ.setdefault("BENCH_LIST_CACHE", "off")
SCALE = float(os.environ.get("BENCH_PROVINCE_SCALE", "1"))
REQUESTS = int(os.environ.get("BENCH_PROVINCE_REQUESTS", "40"))
PLANS = os.environ.get("BENCH_PROVINCE_PLANS", "1") != "0"
# After measuring at head, downgrade to this revision and measure the same data again.
COMPARE = os.environ.get("BENCH_PROVINCE_COMPARE", "")
# SQLite: a copy of the built database at this path (statements measured on it later).
KEEP = os.environ.get("BENCH_PROVINCE_KEEP", "")
# SQLite: measure a database kept that way instead of building one (before/after of a
# code change on the same data; the scale must be the kept one's).
REUSE = os.environ.get("BENCH_PROVINCE_REUSE", "")
# After measuring, keep the database (PostgreSQL's too) while this file exists: its
# statements can be examined from outside before the bench drops it.
HOLD = os.environ.get("BENCH_PROVINCE_HOLD", "")


ACTIONS = [
    "leniency.record",
    "leniency.followup",
    "inspection.result",
    "inspection.publish",
    "risk.update",
    "risk.review",
    "rectification.open",
    "rectification.close",
    "review.confirm",
    "warning.close",
    "login.success",
    "target.import",
]
HISTORY_YEARS = 3  # records, tasks and audit entries spread over the last three years


def _audit_rows(first: int, n: int, end: datetime):
    # A chain as the list sees it: consecutive seqs, each entry's prev_hash the hash of
    # the one before, moments spread over the years up to ``end``.
    step = HISTORY_YEARS * 365 * 86400 / max(1, n)
    start = end - timedelta(seconds=step * n)
    previous = hashlib.sha256(b"genesis").hexdigest()
    for k, seq in enumerate(range(first, first + n)):
        digest = hashlib.sha256(f"{seq}:{previous}".encode()).hexdigest()
        yield {
            "seq": seq,
            "at": start + timedelta(seconds=int(k * step)),
            "actor": f"user{int(digest[:6], 16) % 300}",
            "action": ACTIONS[int(digest[6:12], 16) % len(ACTIONS)],
            "object_type": "record",
            "object_id": str(seq),
            "summary": "{}",
            "prev_hash": previous,
            "hash": digest,
            "key_id": "bench",
        }
        previous = digest


def build(scale: float) -> tuple[dict[str, int], dataset.Province]:
    from sqlalchemy import func, select, text

    from riskctl.core.db import db, is_postgres

    # The issue's province: 1M leniency records and 1M targets, 100k tasks.
    dataset.BASE.update(leniency=1_000_000, targets=1_000_000, results=100_000)
    if not is_postgres():  # the build's own connection only; reset below
        db.session.execute(text("PRAGMA cache_size = -262144"))
    province = dataset.build_province(scale=scale, history_years=HISTORY_YEARS)
    audit = dataset._table("audit_entries")
    counts = dict(province.counts)
    first = (db.session.scalar(select(func.max(audit.c.seq))) or 0) + 1
    end = datetime.combine(province.quarter.end, datetime.min.time(), tzinfo=UTC)
    counts["audit_entries"] = dataset.bulk(audit, _audit_rows(first, int(1_000_000 * scale), end))
    db.session.commit()
    if is_postgres():  # what autovacuum would have done on a live server
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))  # statistics and visibility map
    else:
        db.session.execute(text("PRAGMA cache_size = -2000"))  # SQLite's default again
    db.session.commit()
    return counts, province


def _plans(client, url: str, headers: dict) -> None:
    """Print the plan of every statement one request runs (the token lookup left out):
    EXPLAIN QUERY PLAN on SQLite, EXPLAIN (ANALYZE, BUFFERS) on PostgreSQL."""
    from sqlalchemy import event

    from riskctl.core.db import db, is_postgres

    seen: list[tuple[str, object]] = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT") and "api_tokens" not in statement:
            seen.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", capture)
    try:
        contextvars.Context().run(client.get, url, headers=headers)
    finally:
        event.remove(db.engine, "before_cursor_execute", capture)
    raw = db.engine.raw_connection()
    try:
        cursor = raw.cursor()
        for statement, parameters in seen:
            print("   SQL:", " ".join(statement.split())[:600])
            if is_postgres():
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
                lines = [row[0] for row in cursor.fetchall()]
            else:
                cursor.execute("EXPLAIN QUERY PLAN " + statement, parameters)
                lines = [f"{row[1]}>{row[0]} {row[-1]}" for row in cursor.fetchall()]
            for line in lines:
                print("     ", line)
        raw.rollback()
    finally:
        raw.close()


def scenarios() -> list[Row]:
    from sqlalchemy import func, select

    from riskctl.accounts import operations as accounts
    from riskctl.core.db import db
    from riskctl.inspections.models import Plan, Task

    with bench_app() as app:
        province = _reuse(REUSE) if REUSE else _build_and_keep()
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
        year = q.start.replace(month=1, day=1).isoformat()
        lists = [
            (
                "leniency records (status, date)",
                f"/api/v1/leniency/records?status=committed&from={start}&to={end}",
                officer,
            ),
            ("leniency records (date, year)", f"/api/v1/leniency/records?from={year}", officer),
            ("leniency records (all, status)", "/api/v1/leniency/records?status=corrected", jiwei),
            ("inspection targets (status)", "/api/v1/inspection/targets?status=active", officer),
            (
                "inspection tasks (state)",
                f"/api/v1/inspection/plans/{plan}/tasks?state=published",
                officer,
            ),
            (
                "inspection tasks (state, all)",
                f"/api/v1/inspection/plans/{plan}/tasks?state=published",
                jiwei,
            ),
            ("audit log (action)", "/api/v1/audit?action=leniency.record", jiwei),
            ("audit log (actor, action)", "/api/v1/audit?actor=user7&action=leniency", jiwei),
        ]
        client = app.test_client()
        rows = _measure(app, client, lists, "head")
        if COMPARE:  # the same data at an earlier schema revision (its indexes)
            from flask_migrate import downgrade

            started = time.perf_counter()
            downgrade(revision=COMPARE)
            print(f"\ndowngraded to {COMPARE} in {time.perf_counter() - started:.0f} s")
            rows += _measure(app, client, lists, COMPARE)
        if HOLD:
            print(f"\nholding {db.engine.url} while {HOLD} exists", flush=True)
            while Path(HOLD).exists():
                time.sleep(5)
        return rows


def _build_and_keep() -> dataset.Province:
    from sqlalchemy import text

    from riskctl.accounts import operations as accounts
    from riskctl.accounts.models import Unit
    from riskctl.core.db import db, is_postgres

    started, cpu = time.perf_counter(), time.process_time()
    counts, province = build(SCALE)
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    print(
        f"built in {time.perf_counter() - started:.0f} s wall, "
        f"{time.process_time() - cpu:.0f} s CPU of this process (load {load}): {counts}",
        flush=True,
    )
    squad = db.session.get(Unit, province.squads[0])
    accounts.create_user("bench-officer", "队员", "officer", "Bench-Pass-2026!", squad.code)
    accounts.create_user("bench-jiwei", "纪委", "discipline", "Bench-Pass-2026!", squad.code)
    db.session.commit()
    if KEEP and not is_postgres():
        db.session.execute(text("VACUUM INTO :path"), {"path": KEEP})
        print(f"kept a copy in {KEEP}", flush=True)
    return province


def _reuse(path: str) -> dataset.Province:
    """The kept database in place of the bench's fresh one; the province read back (the
    quarter is the one the build would choose today; the squad the officer's)."""
    import shutil

    from sqlalchemy import select

    from riskctl.accounts.models import Unit, User
    from riskctl.core import clock
    from riskctl.core.db import db

    db.session.remove()
    db.engine.dispose()
    shutil.copyfile(path, db.engine.url.database)
    squad = db.session.scalar(select(User.unit_id).where(User.username == "bench-officer"))
    assert db.session.get(Unit, squad) is not None
    print(f"reusing {path} (a copy)", flush=True)
    quarter = dataset.quarter_of(clock.today()).previous()
    return dataset.Province(quarter, squads=[squad], history_years=HISTORY_YEARS)


def _measure(app, client, lists, tag: str) -> list[Row]:
    rows = []
    print(
        f"\nProvince lists [{backend()}, list cache {list_cache()}] scale {SCALE},"
        f" schema {tag}, {REQUESTS} requests each"
    )
    # cpu: median CPU time of this process per request (SQLite's work included, not
    # PostgreSQL's server): a figure the machine's load does not inflate.
    print(f"{'list':36} {'p50 ms':>7} {'p95 ms':>7} {'cpu ms':>7} {'total':>9}  load")
    for label, path, token in lists:
        headers = {"Authorization": f"Bearer {token}"}
        times, cpus, total = [], [], None
        for k in range(REQUESTS + 3):
            url = f"{path}&per_page=20&page={k % 5 + 1}"
            c0, t0 = time.process_time(), time.perf_counter()
            # Outside the bench's app context, as under a server: otherwise every
            # request shares one ``g`` (the first caller's user, the calendar).
            response = contextvars.Context().run(client.get, url, headers=headers)
            elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
            if response.status_code != 200:
                raise RuntimeError(f"{url}: {response.status_code} {response.get_data()[:300]}")
            body = response.get_json()
            total = (body["total"], body.get("total_estimated", False))
            if k >= 3:  # the first requests warm the caches
                times.append(elapsed)
                cpus.append(cpu)
        times.sort()
        p50 = statistics.median(times)
        p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
        load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
        shown = f"{total[0]}{'~' if total[1] else ''}"
        cpu = statistics.median(cpus) * 1000
        print(
            f"{label:36} {p50 * 1000:7.1f} {p95 * 1000:7.1f} {cpu:7.1f} {shown:>9}  {load}",
            flush=True,
        )
        name = f"province: {label} [{backend()}, {tag}]"
        rows.append(Row(f"{name} p50", f"scale {SCALE}", p50, 0.0))
        rows.append(Row(f"{name} p95", f"scale {SCALE}", p95, 0.0))
    if PLANS:
        for label, path, token in lists:
            print(f"\n== plan: {label} (page 3, schema {tag})")
            _plans(client, f"{path}&per_page=20&page=3", {"Authorization": f"Bearer {token}"})
    return rows


if __name__ == "__main__":
    print_table(scenarios())
