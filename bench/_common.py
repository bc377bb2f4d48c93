"""Timing and table helpers shared by the bench scripts.

Each bench script exposes ``scenarios() -> list[Row]`` so a runner can collect
every row, and prints its own rows with :func:`print_table` when run directly.
"""

from __future__ import annotations

import gc
import os
import statistics
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, NamedTuple


class Row(NamedTuple):
    scenario: str
    size: str
    median_s: float
    peak_mb: float


def measure(fn: Callable[[], Any], repeat: int = 3) -> tuple[float, float]:
    """Median wall time of ``repeat`` runs of ``fn``, and its peak memory in MB.

    The timed runs go untraced, since tracemalloc slows allocation-heavy code
    several times over; one extra traced run then gives the peak of Python
    allocations made during the call, above what was already allocated.
    """
    times = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    gc.collect()
    tracemalloc.start()
    try:
        fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return statistics.median(times), peak / 2**20


def print_table(rows: Iterable[Row]) -> None:
    """Print rows as a ``scenario | size | median s | peak MB`` table."""
    header = ("scenario", "size", "median s", "peak MB")
    cells = [(r.scenario, r.size, f"{r.median_s:.3f}", f"{r.peak_mb:.1f}") for r in rows]
    lines = [header, *cells]
    widths = [max(len(line[k]) for line in lines) for k in range(len(header))]
    lines.insert(1, tuple("-" * w for w in widths))
    for line in lines:
        text, size, *numbers = (c.ljust(w) for c, w in zip(line, widths, strict=True))
        print(" | ".join([text, size, *(n.strip().rjust(len(n)) for n in numbers)]))


@contextmanager
def bench_app() -> Iterator[Any]:
    """An app on a fresh database built by the migrations, inside an app context.

    SQLite in a temporary directory by default; a fresh PostgreSQL database when
    RISKCTL_BENCH_DATABASE_URL names a server (dropped afterwards).
    """
    from flask_migrate import upgrade

    from riskctl import create_app
    from riskctl.core.db import db

    base = os.environ.get("RISKCTL_BENCH_DATABASE_URL")
    with tempfile.TemporaryDirectory(prefix="riskctl-bench-") as tmp:
        url, drop = _database(base, tmp)
        app = create_app(app_config(url, tmp))
        try:
            with app.app_context():
                upgrade()
                yield app
                db.session.remove()
                db.engine.dispose()
        finally:
            drop()


def list_cache() -> str:
    """``on`` (riskctl keeps its list answers, core.listcache) or ``off``
    (BENCH_LIST_CACHE=off: every request runs its view)."""
    return "off" if os.environ.get("BENCH_LIST_CACHE", "on").lower() in ("off", "0") else "on"


def app_config(url: str, tmp: str) -> dict[str, Any]:
    """The bench's app settings: ``url``'s database, every file under ``tmp``, the list
    cache as BENCH_LIST_CACHE says."""
    return {
        **({"LIST_CACHE_BYTES": 0} if list_cache() == "off" else {}),
        "SQLALCHEMY_DATABASE_URI": url,
        "SECRET_KEY": "bench",
        "PII_KEY": "bench",
        "ENV": "bench",
        "INSTANCE_PATH": tmp,
        "REPORTS_DIR": f"{tmp}/reports",
        "ATTACHMENTS_DIR": f"{tmp}/attachments",
    }


def spread(num: list[float], den: list[float]) -> str:
    """The lowest and highest ratio ``num[i] / den[i]`` of paired rounds: ``min–max``."""
    ratios = [a / b for a, b in zip(num, den, strict=True)]
    return f"{min(ratios):.2f}–{max(ratios):.2f}"


def _database(base: str | None, tmp: str) -> tuple[str, Callable[[], None]]:
    if not base:
        return f"sqlite:///{tmp}/bench.sqlite3", lambda: None
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(base)
    name = f"riskctl_bench_{uuid.uuid4().hex[:8]}"
    admin = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return url.set(database=name).render_as_string(hide_password=False), drop


def backend() -> str:
    return "postgresql" if os.environ.get("RISKCTL_BENCH_DATABASE_URL") else "sqlite"
