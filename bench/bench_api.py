"""API throughput against its floor: riskctl vs a bare Flask app, same gunicorn config.

Both run under ``gunicorn -c gunicorn.conf.py`` with 2 workers, up at the same time;
``ab`` (apache2-utils, concurrency 8, keep-alive) loads each endpoint in alternating
rounds, riskctl on the demo database then the bare app (bench/bare_app.py, which
answers ``{"items": [], "total": 0}``), BENCH_AB_ROUNDS (3) of each. A round lasts
about BENCH_AB_SECONDS (2.5 s) on either side (its request count set from a warm-up of
200): a bare round of 1,500 requests takes under a second, where a scheduler hiccup of
the shared machine moves its rate by half. Each side's figure is the median of its
rounds; the spread is the lowest and highest ratio of a riskctl round to the bare round
next to it. The load average is printed too.

Run ``python -m bench api``; BENCH_AB_C / BENCH_AB_ROUNDS / BENCH_AB_SECONDS change it,
and BENCH_API_ONLY="health,units" measures only the endpoints of those labels.
Set RISKCTL_BENCH_DATABASE_URL=postgresql+psycopg://… to measure on PostgreSQL, and
BENCH_LIST_CACHE=off to run riskctl without its list cache (core.listcache).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench._common import Row, _database, backend, list_cache, print_table, spread  # noqa: E402

C = int(os.environ.get("BENCH_AB_C", "8"))
ROUNDS = int(os.environ.get("BENCH_AB_ROUNDS", "3"))
SECONDS = float(os.environ.get("BENCH_AB_SECONDS", "2.5"))
BIN = Path(sys.executable).parent
# (label, path, users whose token is tried in turn until one answers 200)
ENDPOINTS = [
    ("health", "/api/v1/health", ()),
    ("risk-points", "/api/v1/risk-points?per_page=20", ("duiyuan", "jiwei")),
    ("units", "/api/v1/units", ("duiyuan", "jiwei")),
    ("leniency records", "/api/v1/leniency/records?per_page=20", ("duiyuan", "jiwei")),
    ("inspection targets", "/api/v1/inspection/targets?per_page=20", ("duiyuan", "jiwei")),
    ("inspection tasks", "/api/v1/inspection/plans/{plan}/tasks?per_page=20", ("duiyuan", "jiwei")),
    ("rectification items", "/api/v1/rectification/items?per_page=20", ("duiyuan", "jiwei")),
    ("warnings", "/api/v1/warnings?per_page=20", ("duiyuan", "jiwei")),
    ("audit log", "/api/v1/audit?per_page=20", ("jiwei",)),
    ("case files", "/api/v1/reviews/case-files?per_page=20", ("duiyuan", "jiwei")),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


class Server:
    def __init__(self, module: str, env: dict[str, str]) -> None:
        self.port = _free_port()
        env = {**env, "RISKCTL_BIND": f"127.0.0.1:{self.port}", "RISKCTL_WORKERS": "2"}
        self.proc = subprocess.Popen(
            [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", module],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        self.base = f"http://127.0.0.1:{self.port}"
        for _ in range(200):
            try:
                urllib.request.urlopen(self.base + "/api/v1/health", timeout=1).read()
                return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"{module} did not start")

    def get(self, path: str, token: str | None) -> tuple[int, bytes]:
        req = urllib.request.Request(self.base + path)
        if token:
            req.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                return resp.status, resp.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()

    def stop(self) -> None:
        os.killpg(self.proc.pid, signal.SIGTERM)
        self.proc.wait(timeout=30)


def ab(url: str, token: str | None, n: int) -> float:
    """Requests per second of ``ab`` sending ``n`` requests to ``url`` (by count: ab's
    -t time limit can hang on a keep-alive connection)."""
    cmd = ["ab", "-q", "-n", str(n), "-c", str(C), "-k"]
    if token:
        cmd += ["-H", f"Authorization: Bearer {token}"]
    done = subprocess.run([*cmd, url], capture_output=True, text=True, check=True, timeout=120)
    out = done.stdout
    failed = int(re.search(r"Failed requests:\s+(\d+)", out).group(1))
    non2xx = re.search(r"Non-2xx responses:\s+(\d+)", out)
    if failed or non2xx:
        raise RuntimeError(f"ab {url}: {failed} failed, {non2xx and non2xx.group(1)} non-2xx")
    return float(re.search(r"Requests per second:\s+([\d.]+)", out).group(1))


def _flask(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    return subprocess.run(
        [str(BIN / "flask"), "--app", "bench.riskctl_app", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def scenarios() -> list[Row]:
    # A SIGTERM to the bench unwinds through the finally blocks that stop the servers.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if not shutil.which("ab"):
        raise SystemExit("ab is missing: apt-get install apache2-utils")
    with tempfile.TemporaryDirectory(prefix="riskctl-bench-api-") as tmp:
        url, drop = _database(os.environ.get("RISKCTL_BENCH_DATABASE_URL"), tmp)
        env = {
            **os.environ,
            "RISKCTL_DATABASE_URL": url,
            "RISKCTL_BENCH_INSTANCE": tmp,
            "RISKCTL_REPORTS_DIR": f"{tmp}/reports",
            "RISKCTL_ATTACHMENTS_DIR": f"{tmp}/attachments",
            "RISKCTL_ENV": "development",
            **({"RISKCTL_LIST_CACHE_MB": "0"} if list_cache() == "off" else {}),
        }
        try:
            _flask(env, "db", "upgrade")
            _flask(env, "demo")
            tokens = {
                u: _flask(env, "users", "token", u).strip().split()[-1]
                for u in ("duiyuan", "jiwei")
            }
            return _run(env, tokens)
        finally:
            drop()


def _run(env: dict[str, str], tokens: dict[str, str]) -> list[Row]:
    app = Server("bench.riskctl_app:app", env)
    try:
        plan = _drawn_plan(app, tokens["jiwei"])
        chosen = []
        only = set(filter(None, os.environ.get("BENCH_API_ONLY", "").split(",")))
        for label, path, users in ENDPOINTS:
            if only and label not in only:
                continue
            path = path.format(plan=plan)
            token = None
            for user in users:
                status, _ = app.get(path, tokens[user])
                if status == 200:
                    token = tokens[user]
                    break
            else:
                if users:
                    print(f"skip {label}: no token answers 200", file=sys.stderr)
                    continue
            chosen.append((label, path, token))
        # Both servers up at once, each endpoint's rounds alternating between them: a
        # load spike from the shared machine hits both sides of a ratio alike.
        bare = Server("bench.bare_app:app", env)
        try:
            measured = [
                (label, path, *_rounds(app, bare, path, token)) for label, path, token in chosen
            ]
        finally:
            bare.stop()
    finally:
        app.stop()
    print(
        f"\nAPI throughput [{backend()}, list cache {list_cache()}] ab -c {C} -k,"
        f" {ROUNDS} alternating rounds of {SECONDS:g} s a side, gunicorn 2 workers"
        " (median req/s of each side)"
    )
    print(
        f"{'endpoint':22} {'riskctl req/s':>14} {'bare req/s':>11} {'ratio':>6} {'spread':>9}  load"
    )
    rows = []
    for label, path, ours, theirs, avg in measured:
        rate, floor = statistics.median(ours), statistics.median(theirs)
        print(
            f"{label:22} {rate:14.0f} {floor:11.0f} {rate / floor:6.3f}"
            f" {spread(ours, theirs):>9}  {avg}"
        )
        rows.append(Row(f"api: {label} [{backend()}] s/request", path, 1 / rate, 0.0))
    return rows


def _rounds(
    app: Server, bare: Server, path: str, token: str | None
) -> tuple[list[float], list[float], str]:
    """``ROUNDS`` paired rounds (riskctl, then bare), each side sized by its warm-up to
    last about ``SECONDS``; the load average when they started."""
    sizes = [max(200, round(ab(s.base + path, token, n=200) * SECONDS)) for s in (app, bare)]
    avg = loadavg()
    ours, theirs = [], []
    for _ in range(ROUNDS):
        ours.append(ab(app.base + path, token, n=sizes[0]))
        theirs.append(ab(bare.base + path, token, n=sizes[1]))
    return ours, theirs, avg


def _drawn_plan(app: Server, token: str) -> str:
    status, body = app.get("/api/v1/inspection/plans?per_page=100", token)
    for plan in json.loads(body).get("items", []) if status == 200 else []:
        code = plan.get("code")
        status, tasks = app.get(f"/api/v1/inspection/plans/{code}/tasks?per_page=1", token)
        if status == 200 and json.loads(tasks).get("total"):
            return code
    return "none"


if __name__ == "__main__":
    print_table(scenarios())
