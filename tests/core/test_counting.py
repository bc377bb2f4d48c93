"""count_rows: exact up to the bound, an estimate flagged as such past it."""

from __future__ import annotations

from sqlalchemy import select

from riskctl.core import audit
from riskctl.core.audit.models import AuditEntry
from riskctl.core.counting import count_rows
from riskctl.core.db import db


def _entries(n: int) -> None:
    for k in range(n):
        audit.record("bench.even" if k % 2 == 0 else "bench.odd", "thing", k, {})
    db.session.flush()


def test_exact_up_to_the_bound(app):
    _entries(12)
    query = select(AuditEntry).where(AuditEntry.action == "bench.even")
    assert count_rows(query, exact_up_to=6) == (6, False)
    assert count_rows(select(AuditEntry), exact_up_to=12) == (12, False)


def test_past_the_bound_an_estimate_from_the_newest_rows(app):
    _entries(40)
    query = select(AuditEntry).where(AuditEntry.action == "bench.even").order_by(AuditEntry.seq)
    total, estimated = count_rows(query, exact_up_to=5)
    assert estimated is True
    # The whole table fits in the sample here, so the estimate is the count itself.
    assert total == 20
    # Never below the bound it passed.
    few = select(AuditEntry).where(AuditEntry.action.in_(("bench.even", "bench.odd")))
    assert count_rows(few, exact_up_to=39) == (40, True)


def test_api_list_says_when_its_total_is_estimated(app, api, monkeypatch):
    from riskctl.core import counting

    _entries(30)
    db.session.commit()
    reader = api("discipline")
    body = reader.get("/api/v1/audit?per_page=5").get_json()
    assert "total_estimated" not in body
    exact = body["total"]
    monkeypatch.setattr(counting, "EXACT_UP_TO", 10)
    monkeypatch.setattr(counting.count_rows, "__defaults__", (10,))
    body = reader.get("/api/v1/audit?per_page=5").get_json()
    assert body["total_estimated"] is True
    assert body["total"] >= exact
    assert len(body["items"]) == 5
