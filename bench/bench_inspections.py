"""双随机 inspections at city scale, database included.

- import a 1,000,000-row target roster from CSV, and 100,000 rows from .xlsx, into an
  empty roster (all rows new: the heaviest case);
- lock a plan over those 1,000,000 targets (4 credit classes, ~50,500 to draw),
  2,000 inspectors in 20 units and 20,000 declared 回避 pairs, teams of 2;
- draw it (the engine, the selections and the inspection tasks saved);
- verify the stored draw from its manifest.

Imports need an empty roster before every run, which ``measure`` cannot give, so
:func:`measure_fresh` runs an untimed ``setup`` before each run (same median and
traced-peak method). Run ``python bench/bench_inspections.py``; SQLite by default,
PostgreSQL with RISKCTL_BENCH_DATABASE_URL.
"""

from __future__ import annotations

import csv
import gc
import io
import random
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import delete, insert, select  # noqa: E402

from bench._common import Row, backend, bench_app, measure, print_table  # noqa: E402
from riskctl.accounts import operations as accounts  # noqa: E402
from riskctl.accounts.queries import user_by_username  # noqa: E402
from riskctl.core.db import db  # noqa: E402
from riskctl.core.ids import credit_code_check_char  # noqa: E402
from riskctl.core.tabular.writing import write_xlsx  # noqa: E402
from riskctl.draws.models import Draw  # noqa: E402
from riskctl.draws.queries import manifest_document  # noqa: E402
from riskctl.draws.runner import recompute  # noqa: E402
from riskctl.inspections import operations  # noqa: E402
from riskctl.inspections.models import ConflictDeclaration, Inspector, Plan, Target  # noqa: E402
from riskctl.inspections.plans import operations as plan_operations  # noqa: E402
from riskctl.inspections.rosters.imports import INSPECTORS, TARGETS  # noqa: E402

CSV_ROWS = 1_000_000
XLSX_ROWS = 100_000
INSPECTOR_COUNT = 2_000
UNITS = 20
CONFLICTS = 20_000
# Share of the roster per credit class and the plan's sampling ratio (~50,500 drawn).
CLASSES = {"A": (0.10, "0.03"), "B": (0.40, "0.03"), "C": (0.35, "0.05"), "D": (0.15, "0.12")}
KINDS = ("企业", "个体工商户", "企业", "企业", "项目")
ENTROPY = "2026-11-20 公证摇号 07 13 22 31 45"
SOURCE = "2026-11-20 省体彩排列5 第 26310 期开奖号码"
RUNS = 3


def measure_fresh(
    setup: Callable[[], Any], fn: Callable[[], Any], repeat: int = RUNS
) -> tuple[float, float]:
    """Like ``measure``, but ``setup`` runs untimed (and untraced) before every run."""
    times = []
    for _ in range(repeat):
        setup()
        gc.collect()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    setup()
    gc.collect()
    tracemalloc.start()
    try:
        fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return statistics.median(times), peak / 2**20


def _unit(k: int) -> str:
    return f"ZD-{k % UNITS + 1:02d}"


def target_rows(n: int) -> list[list[str]]:
    rng = random.Random(20261120)
    classes, weights = list(CLASSES), [share for share, _ in CLASSES.values()]
    strata = rng.choices(classes, weights, k=n)
    rows = []
    for k in range(n):
        first17 = f"914104{k:011d}"
        rows.append(
            [
                f"DX{k:07d}",
                f"新华路商户{k:07d}",
                first17 + credit_code_check_char(first17),
                KINDS[k % len(KINDS)],
                f"新华路 {k % 999 + 1} 号",
                strata[k],
                _unit(k),
            ]
        )
    return rows


def as_csv(headers: list[str], rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    writer.writerows(rows)
    return buffer.getvalue().encode()


def _headers(spec) -> list[str]:
    return [c.header for c in spec.columns if c.required]


def _clear_targets() -> None:
    db.session.execute(delete(Target))
    db.session.commit()


def _import(data: bytes, name: str) -> Callable[[], None]:
    def run() -> None:
        operations.import_roster("targets", data, name, None, "bench")
        db.session.commit()

    return run


def _setup_people() -> None:
    accounts.create_unit("JU", "市城市管理综合执法局")
    # The operations record who locked and drew: a legal-office user.
    accounts.create_user("bench", "法制科", "legal", "bench-password-42", "JU")
    for k in range(UNITS):
        accounts.create_unit(_unit(k), f"第{k + 1:02d}中队", "JU")
    people = [
        [f"ZF-{k:04d}", f"执法队员{k:04d}", f"豫执{k:06d}", _unit(k), "市容秩序", "在岗"]
        for k in range(INSPECTOR_COUNT)
    ]
    operations.import_roster(
        "inspectors", as_csv(_headers(INSPECTORS), people), "i.csv", None, "bench"
    )
    db.session.commit()


def _declare_conflicts() -> None:
    """20,000 declared pairs, inserted in bulk (the bench's data, not what it measures)."""
    rng = random.Random(7)
    inspectors = list(db.session.scalars(select(Inspector.id)))
    targets = list(db.session.scalars(select(Target.id)))
    pairs = {(rng.choice(inspectors), rng.choice(targets)) for _ in range(CONFLICTS)}
    db.session.execute(
        insert(ConflictDeclaration),
        [
            {
                "inspector_id": i,
                "target_id": t,
                "relation": "近亲属关系",
                "reason": "bench",
                "recorded_by": "bench",
            }
            for i, t in pairs
        ],
    )
    db.session.commit()


def _plans(count: int) -> list[Plan]:
    plans = []
    for k in range(count):
        plans.append(
            plan_operations.create_plan(
                {
                    "code": f"SJ-BENCH-{k + 1}",
                    "name": "bench",
                    "items": [],
                    "ratios": {c: ratio for c, (_, ratio) in CLASSES.items()},
                    "quotas": None,
                    "team_size": 2,
                    "cap": None,
                    "exclude_recent_months": 0,
                    "lookback_months": 12,
                    "cross_unit": False,
                    "units": None,
                },
                "bench",
            )
        )
    db.session.commit()
    return plans


def _import_rows() -> list[Row]:
    rows = target_rows(CSV_ROWS)
    headers = _headers(TARGETS)
    xlsx = write_xlsx(headers, rows[:XLSX_ROWS], "检查对象名录库")
    data = as_csv(headers, rows)
    del rows
    out = [
        Row(
            f"inspections: import targets .xlsx [{backend()}]",
            f"{XLSX_ROWS:,} rows",
            *measure_fresh(_clear_targets, _import(xlsx, "名录.xlsx")),
        ),
        Row(
            f"inspections: import targets .csv [{backend()}]",
            f"{CSV_ROWS:,} rows",
            *measure_fresh(_clear_targets, _import(data, "名录.csv")),
        ),
    ]
    return out


def scenarios() -> list[Row]:
    size = f"{CSV_ROWS:,} T / {INSPECTOR_COUNT:,} I / {CONFLICTS:,} C / m=2"
    with bench_app():
        _setup_people()
        rows = _import_rows()  # leaves the 1,000,000-row roster in place
        _declare_conflicts()
        plans = iter(_plans(RUNS + 1))
        locked: list[Plan] = []
        drawn: list[int] = []

        def lock() -> None:
            plan = next(plans)
            plan_operations.lock_plan(plan, user_by_username("bench"))
            db.session.commit()
            locked.append(plan)

        def draw() -> None:
            plan = locked[len(drawn)]
            drawn.append(
                plan_operations.draw_plan(plan, ENTROPY, SOURCE, user_by_username("bench")).id
            )
            db.session.commit()

        def verify() -> None:
            stored = db.session.get(Draw, drawn[0])
            if recompute(manifest_document(stored)).result_digest != stored.result_digest:
                raise AssertionError("the stored draw does not verify from its manifest")
            db.session.expire_all()

        for name, fn in [
            ("lock plan", lock),
            ("draw plan (incl. tasks saved)", draw),
            ("verify stored draw from manifest", verify),
        ]:
            rows.append(Row(f"inspections: {name} [{backend()}]", size, *measure(fn, RUNS)))
        return rows


if __name__ == "__main__":
    print_table(scenarios())
