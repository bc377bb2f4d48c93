"""``make bench``: run every bench_*.py scenario and print one table.

``python -m bench`` runs all; ``python -m bench audit draw`` only those modules.
Set RISKCTL_BENCH_DATABASE_URL=postgresql+psycopg://… to measure on PostgreSQL.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

from bench._common import backend, print_table


def main(selected: list[str]) -> None:
    names = sorted(p.stem for p in Path(__file__).parent.glob("bench_*.py"))
    if selected:
        names = [n for n in names if n.removeprefix("bench_") in selected]
    rows = []
    for name in names:
        print(f"… {name} ({backend()})", file=sys.stderr, flush=True)
        rows.extend(importlib.import_module(f"bench.{name}").scenarios())
    print_table(rows)


if __name__ == "__main__":
    main(sys.argv[1:])
