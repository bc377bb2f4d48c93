"""Issue a quarterly report over a province-scale quarter (``bench.dataset``).

The whole issue is timed: the snapshot of every module's figures (SQL aggregates
in one consistent read), the PDF layout, the archive write and the database row;
the snapshot and the layout are also timed alone. Target: under 15 s and 1 GB.
``RISKCTL_BENCH_SCALE`` (default 1.0) shrinks the data set for a quick run.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench._common import Row, backend, bench_app, measure, print_table  # noqa: E402
from bench.dataset import build_province  # noqa: E402
from riskctl.core import clock  # noqa: E402
from riskctl.core.db import db  # noqa: E402
from riskctl.reporting import operations  # noqa: E402
from riskctl.reporting.content import build_report  # noqa: E402
from riskctl.reporting.pdf import render_pdf  # noqa: E402
from riskctl.reporting.snapshot import build_snapshot  # noqa: E402


def scenarios() -> list[Row]:
    scale = float(os.environ.get("RISKCTL_BENCH_SCALE", "1.0"))
    with bench_app():
        province = build_province(scale)
        q, today = province.quarter, clock.today()
        c = province.counts
        size = (
            f"{c['risk_points']:,} RP / {c['targets']:,} T / {c['plans']} plans / "
            f"{c['results']:,} R / {c['case_files']:,} CF / {c['leniency']:,} L ({backend()})"
        )
        snapshot = build_snapshot(q, today)

        def issue() -> None:
            operations.issue_report(q.year, q.number, "bench")
            db.session.commit()

        cases = [
            ("reporting: snapshot (all SQL aggregates)", lambda: build_snapshot(q, today)),
            (
                "reporting: PDF layout of the snapshot",
                lambda: render_pdf(build_report(snapshot, version=1, issued_on=today)),
            ),
            ("reporting: issue (snapshot + PDF + archive + row)", issue),
        ]
        return [Row(name, size, *measure(fn)) for name, fn in cases]


if __name__ == "__main__":
    print_table(scenarios())
