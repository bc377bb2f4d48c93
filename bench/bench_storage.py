"""The storage layer on each backend (``filesystem``, ``database``), database included.

- issue a quarterly report (snapshot + PDF + the PDF and its JSON archived + row) over a
  small province (``RISKCTL_BENCH_SCALE``, default 0.05 of ``bench.dataset``);
- download the issued PDF through the HTTP stack, its SHA-256 checked;
- download a 50 MB attachment through the HTTP stack, streamed and checked;
- import a 100,000-row target roster (.csv) into an empty roster, its archive included.

The peak is Python's (tracemalloc): on the database backend a download holds a few
1 MiB chunks, never the file. Run ``python bench/bench_storage.py``; SQLite by default,
PostgreSQL with RISKCTL_BENCH_DATABASE_URL.
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import delete, select  # noqa: E402

from bench._common import Row, backend, bench_app, measure, print_table  # noqa: E402
from bench.bench_inspections import _headers, as_csv, measure_fresh, target_rows  # noqa: E402
from bench.dataset import build_province  # noqa: E402
from riskctl.accounts import operations as accounts  # noqa: E402
from riskctl.accounts.models import Unit  # noqa: E402
from riskctl.core.db import db  # noqa: E402
from riskctl.core.storage.models import Blob, BlobChunk  # noqa: E402
from riskctl.inspections import operations as inspections  # noqa: E402
from riskctl.inspections.models import Target  # noqa: E402
from riskctl.inspections.rosters.imports import TARGETS  # noqa: E402
from riskctl.rectification import attachments  # noqa: E402
from riskctl.rectification import operations as ledger  # noqa: E402
from riskctl.reporting import operations as reporting  # noqa: E402
from riskctl.reporting.models import QuarterlyReport  # noqa: E402
from riskctl.reporting.periods import Quarter  # noqa: E402

BACKENDS = ("filesystem", "database")
ROSTER_ROWS = 100_000
ATTACHMENT_MB = 50


def _download(client, url: str, token: str, sha256: str) -> Callable[[], None]:
    def run() -> None:
        response = client.get(url, headers={"Authorization": f"Bearer {token}"}, buffered=False)
        digest = hashlib.sha256()
        for chunk in response.response:
            digest.update(chunk)
        response.close()
        assert response.status_code == 200 and digest.hexdigest() == sha256

    return run


def roster_csv(rows: int) -> bytes:
    """``rows`` new targets (codes BS…) in the province's squads."""
    squads = [f"ZD{d}-{s}" for d in range(1, 9) for s in range(1, 7)]
    data = target_rows(rows)
    for k, row in enumerate(data):
        row[0], row[6] = f"BS{k:07d}", squads[k % len(squads)]
    return as_csv(_headers(TARGETS), data)


def _empty_roster(storage: str) -> Callable[[], None]:
    def run() -> None:
        db.session.execute(delete(Target).where(Target.code.like("BS%")))
        if storage == "database":  # otherwise the archive's blob would already be there
            db.session.execute(delete(BlobChunk))
            db.session.execute(delete(Blob))
        db.session.commit()

    return run


def _import(data: bytes) -> Callable[[], None]:
    def run() -> None:
        inspections.import_roster("targets", data, "名录.csv", False, "fazhi")
        db.session.commit()

    return run


def _rows(app, storage: str, quarter: Quarter, roster: bytes, token: str, scale: float):
    app.config["STORAGE"] = storage
    tag = f"[{storage}, {backend()}]"
    client = app.test_client()

    def issue() -> None:
        reporting.issue_report(quarter.year, quarter.number, "fazhi")
        db.session.commit()

    rows = [Row(f"storage: issue a report {tag}", f"scale {scale}", *measure(issue))]
    report = db.session.scalar(select(QuarterlyReport).order_by(QuarterlyReport.id.desc()))
    pdf_url = f"/api/v1/reports/quarterly/{report.year}/{report.quarter}/v{report.version}.pdf"
    rows.append(
        Row(
            f"storage: download the report PDF {tag}",
            f"{report.size / 1024:.0f} KB",
            *measure(_download(client, pdf_url, token, report.sha256)),
        )
    )
    unit = db.session.scalar(select(Unit).where(Unit.code == "ZD1-1"))
    item = ledger.open_item("warning", f"bench-{storage}", "bench", unit.id, None, 10, "", "fazhi")
    data = b"%PDF-1.7\n" + os.urandom(ATTACHMENT_MB * 1024 * 1024)
    found = attachments.add_attachment(item, "bench.pdf", data, "fazhi")
    db.session.commit()
    del data
    url = f"/api/v1/rectification/items/{item.id}/attachments/{found.id}"
    rows.append(
        Row(
            f"storage: download an attachment {tag}",
            f"{ATTACHMENT_MB} MB",
            *measure(_download(client, url, token, found.sha256)),
        )
    )
    rows.append(
        Row(
            f"storage: import targets .csv, archive included {tag}",
            f"{ROSTER_ROWS:,} rows, {len(roster) / 1024 / 1024:.1f} MB",
            *measure_fresh(_empty_roster(storage), _import(roster)),
        )
    )
    return rows


def scenarios() -> list[Row]:
    scale = float(os.environ.get("RISKCTL_BENCH_SCALE", "0.05"))
    with bench_app() as app:
        province = build_province(scale)
        token = accounts.issue_token("fazhi")
        db.session.commit()
        roster = roster_csv(ROSTER_ROWS)
        rows = []
        for storage in BACKENDS:
            rows += _rows(app, storage, province.quarter, roster, token, scale)
        return rows


if __name__ == "__main__":
    print_table(scenarios())
