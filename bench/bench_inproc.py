"""API per-request cost in one process: riskctl vs the bare Flask app, interleaved.

Less sensitive to a shared machine's load than ``bench api`` (no sockets, no second
process): each endpoint is called through the WSGI stack (werkzeug's test client) on
riskctl with the demo data and on ``bench/bare_app.py``, in alternating rounds of
``BENCH_INPROC_N`` requests; the ratio compares the median round of each (the spread is
the lowest and highest ratio of a round to its paired round), timed in CPU
seconds of this process (``BENCH_INPROC_CLOCK=wall`` for wall time). The Python function
calls per request (one profiled round) are printed too: a figure load cannot move.

Run ``python -m bench inproc``; RISKCTL_BENCH_DATABASE_URL=postgresql+psycopg://… for PG;
BENCH_LIST_CACHE=off runs riskctl without its list cache (core.listcache).
"""

from __future__ import annotations

import cProfile
import os
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench._common import (  # noqa: E402
    Row,
    _database,
    app_config,
    backend,
    list_cache,
    print_table,
    spread,
)
from bench.bench_api import ENDPOINTS, loadavg  # noqa: E402

N = int(os.environ.get("BENCH_INPROC_N", "50"))
ROUNDS = int(os.environ.get("BENCH_INPROC_ROUNDS", "5"))
# CPU time of this process by default: what other processes take from a shared machine's
# cores does not count (SQLite runs in-process; a PostgreSQL server's own work is not
# counted). BENCH_INPROC_CLOCK=wall for wall time.
CLOCK = time.perf_counter if os.environ.get("BENCH_INPROC_CLOCK") == "wall" else time.process_time


def _round(client, path: str, headers: dict[str, str]) -> float:
    start = CLOCK()
    for _ in range(N):
        response = client.get(path, headers=headers)
        response.close()
        assert response.status_code == 200, (path, response.status_code)
    return (CLOCK() - start) / N


def _calls(client, path: str, headers: dict[str, str], n: int = 20) -> float:
    """Python function calls per request: a count the machine's load cannot move."""
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(n):
        client.get(path, headers=headers).close()
    profile.disable()
    return pstats.Stats(profile).total_calls / n


def scenarios() -> list[Row]:
    with tempfile.TemporaryDirectory(prefix="riskctl-bench-inproc-") as tmp:
        url, drop = _database(os.environ.get("RISKCTL_BENCH_DATABASE_URL"), tmp)
        try:
            return _measure(_demo_app(url, tmp))
        finally:
            drop()


def _demo_app(url: str, tmp: str):
    """riskctl on the demo data, with no app context left pushed: each request then
    gets its own context, session and ``g``, as under a server."""
    from flask_migrate import upgrade

    from riskctl import create_app

    app = create_app(app_config(url, tmp))
    with app.app_context():
        upgrade()
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    return app


def _measure(app) -> list[Row]:
    from bench.bare_app import app as bare
    from riskctl.accounts import operations as accounts
    from riskctl.core.db import db

    rows = []
    with app.app_context():
        tokens = {u: accounts.issue_token(u) for u in ("duiyuan", "jiwei")}
        db.session.commit()
    try:
        client, floor = app.test_client(), bare.test_client()
        plan = _drawn_plan(client, tokens["jiwei"])
        only = set(filter(None, os.environ.get("BENCH_INPROC_ONLY", "").split(",")))
        clock = "wall" if CLOCK is time.perf_counter else "CPU"
        print(
            f"\nin-process [{backend()}, list cache {list_cache()}] {ROUNDS} rounds × {N}"
            f" requests, {clock} ms per request"
        )
        print(
            f"{'endpoint':22} {'riskctl':>8} {'bare':>7} {'ratio':>6} {'spread':>9}"
            f" {'calls/req':>9}  load"
        )
        for label, path, users in ENDPOINTS:
            if only and label not in only:
                continue
            path = path.format(plan=plan)
            headers = {}
            for user in users:
                if client.get(path, headers=_auth(tokens[user])).status_code == 200:
                    headers = _auth(tokens[user])
                    break
            ours, theirs = [], []
            for _ in range(ROUNDS):
                ours.append(_round(client, path, headers))
                theirs.append(_round(floor, path, headers))
            a, b = statistics.median(ours), statistics.median(theirs)
            calls = _calls(client, path, headers)
            print(
                f"{label:22} {a * 1e3:8.2f} {b * 1e3:7.3f} {b / a:6.3f}"
                f" {spread(theirs, ours):>9} {calls:9.0f}  {loadavg()}"
            )
            rows.append(Row(f"inproc: {label} [{backend()}] s/request", path, a, 0.0))
    finally:
        with app.app_context():
            db.engine.dispose()
    return rows


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _drawn_plan(client, token: str) -> str:
    body = client.get("/api/v1/inspection/plans?per_page=100", headers=_auth(token)).get_json()
    for plan in body.get("items", []):
        tasks = client.get(
            f"/api/v1/inspection/plans/{plan['code']}/tasks?per_page=1", headers=_auth(token)
        ).get_json()
        if tasks.get("total"):
            return plan["code"]
    return "none"


if __name__ == "__main__":
    print_table(scenarios())
