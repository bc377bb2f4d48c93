"""The warnings scan (预警扫描) over a province-scale quarter (``bench.dataset``).

Scenarios: a full first scan (every rule's SQL aggregates, then the warnings raised and
audited), a repeat scan (every condition already open: refreshed, nothing raised), and
the board's summary. Each scan is rolled back after timing so that every run starts
from the same state. Target: a full scan under 30 s. ``RISKCTL_BENCH_SCALE`` (default
1.0) shrinks the data set for a quick run; RISKCTL_BENCH_DATABASE_URL selects PostgreSQL.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench._common import Row, backend, bench_app, measure, print_table  # noqa: E402
from bench.dataset import build_province  # noqa: E402
from riskctl.core.db import db  # noqa: E402
from riskctl.warnings import queries, scan  # noqa: E402


def _scan_and_roll_back() -> scan.ScanReport:
    report = scan.run_scan()
    db.session.rollback()
    return report


def _per_rule(report: scan.ScanReport) -> str:
    return ", ".join(
        f"{o.key}={o.raised + o.still_open}" for o in report.outcomes if o.state == "ran"
    )


def scenarios() -> list[Row]:
    scale = float(os.environ.get("RISKCTL_BENCH_SCALE", "1.0"))
    with bench_app():
        started = time.perf_counter()
        province = build_province(scale)
        built = time.perf_counter() - started
        c = province.counts
        size = (
            f"{c['risk_points']:,} RP / {c['results']:,} R / {c['case_files']:,} CF / "
            f"{c['leniency']:,} L / {c['ledger']:,} items ({backend()})"
        )
        first = _scan_and_roll_back()
        print(
            f"data set built in {built:.1f} s; a scan finds {first.raised} conditions: "
            f"{_per_rule(first)}",
            file=sys.stderr,
        )
        rows = [
            Row("warnings: full scan, first time (raises)", size, *measure(_scan_and_roll_back))
        ]
        scan.run_scan()
        db.session.commit()
        rows.append(
            Row(
                "warnings: repeat scan (all open, refresh only)",
                size,
                *measure(_scan_and_roll_back),
            )
        )
        rows.append(
            Row(
                "warnings: board summary (open by colour, unit, rule)",
                size,
                *measure(queries.open_warnings_summary),
            )
        )
        return rows


if __name__ == "__main__":
    print_table(scenarios())
