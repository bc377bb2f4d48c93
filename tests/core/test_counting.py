"""count_rows: exact up to the bound, an estimate flagged as such past it."""

from __future__ import annotations

from sqlalchemy import select

from riskctl.core import audit, listcache
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
    listcache.store(app).clear()  # the answer kept was made under the old bound
    body = reader.get("/api/v1/audit?per_page=5").get_json()
    assert body["total_estimated"] is True
    assert body["total"] >= exact
    assert len(body["items"]) == 5


# Actions around the edges of a key range: LIKE's wildcards, case, a character whose
# successor skips the surrogates (U+D7FF -> U+E000), the last code point (U+10FFFF, no
# successor: the range moves up a character) and Chinese text.
EDGE_ACTIONS = [
    "a%b.x",
    "aXb.y",
    "a_b.z",
    "acb.w",
    "a/b",
    "a/%",
    "login.success",
    "Login.success",
    "LOGIN",
    "审计.查看",
    "审计x",
    "审讦",
    "\ud7ff.x",
    "\ud7ff",
    "\ue000",
    "z\U0010ffff",
    "z\U0010ffffa",
    "z\U0010ffff\U0010ffff",
    "{",
]
EDGE_PREFIXES = [
    "a%",
    "a_",
    "a%b",
    "a_b",
    "a/",
    "a/%",
    "a",
    "login",
    "Login",
    "LOGIN",
    "审计",
    "审",
    "\ud7ff",
    "z\U0010ffff",
    "z\U0010ffff\U0010ffff",
    "z",
    "{",
    "nothing",
]


def _raw_entries(actions: list[str]) -> None:
    """Entries written as rows (a count reads no chain): one per action, in order."""
    from datetime import UTC, datetime

    from sqlalchemy import func, insert

    first = (db.session.scalar(select(func.max(AuditEntry.seq))) or 0) + 1
    at = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    rows = [
        {
            "seq": seq,
            "at": at,
            "actor": f"user{seq % 3}",
            "action": action,
            "object_type": "thing",
            "object_id": str(seq),
            "summary": "{}",
            "prev_hash": f"p{seq:063d}",
            "hash": f"h{seq:063d}",
            "key_id": "test",
        }
        for seq, action in enumerate(actions, start=first)
    ]
    db.session.execute(insert(AuditEntry), rows)
    db.session.flush()


def test_a_key_prefix_counts_what_the_page_lists(app):
    from riskctl.admin.queries import audit_query

    _raw_entries(EDGE_ACTIONS * 3)
    stored = list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.seq)))
    for prefix in EDGE_PREFIXES:
        expected = sum(1 for action in stored if action.startswith(prefix))
        query = audit_query(action=prefix)
        listed = db.session.scalars(query).all()
        assert [e.action for e in listed] == [
            a for a in reversed(stored) if a.startswith(prefix)
        ], prefix
        assert count_rows(query) == (expected, False), prefix
        # Past the bound the estimate reads the same range (the table fits in its sample).
        if expected >= 2:
            assert count_rows(query, exact_up_to=1) == (expected, True), prefix
    # Literally, and case by case: "a%" is no wildcard, "login" is not "Login".
    assert count_rows(audit_query(action="a%")) == (3, False)
    assert count_rows(audit_query(action="a_")) == (3, False)
    assert count_rows(audit_query(action="Login")) == (3, False)
    assert count_rows(audit_query(action="z\U0010ffff")) == (9, False)


def test_the_audit_api_totals_a_prefix_with_wildcard_characters(app, api):
    _raw_entries(EDGE_ACTIONS)
    db.session.commit()
    reader = api("discipline")
    for prefix, total in [("a%25", 1), ("a_", 1), ("%E5%AE%A1%E8%AE%A1", 2), ("login", 1)]:
        body = reader.get(f"/api/v1/audit?action={prefix}&per_page=5").get_json()
        assert body["total"] == total, prefix
        assert len(body["items"]) == total, prefix
        assert "total_estimated" not in body


def _plans(statements) -> list[str]:
    connection = db.session.connection()
    plans = []
    for statement, parameters in statements:
        rows = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
        plans.append(" ; ".join(row[-1] for row in rows))
    return plans


def _statements(call) -> list[tuple[str, object]]:
    from sqlalchemy import event

    seen: list[tuple[str, object]] = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", capture)
    try:
        call()
    finally:
        event.remove(db.engine, "before_cursor_execute", capture)
    return seen


def test_sqlite_counts_a_prefix_and_samples_by_key_ranges(app, monkeypatch):
    """The plans SQLite chooses (no statistics, as in production): the count of an action
    prefix searches the (action, seq) index, the estimate's sample the key ranges."""
    import pytest

    from riskctl.admin.queries import audit_query
    from riskctl.core import counting
    from riskctl.core.db import is_postgres

    if is_postgres():
        pytest.skip("SQLite's planner")
    _raw_entries(["leniency.record", "risk.update", "leniency.followup"] * 20)
    capped, *_ = _plans(_statements(lambda: count_rows(audit_query(action="leniency.rec"))))
    assert "ix_audit_entries_action_seq (action>? AND action<?)" in capped
    monkeypatch.setattr(counting, "SAMPLE", 20)
    monkeypatch.setattr(counting, "WINDOWS", 4)
    query = select(AuditEntry).where(AuditEntry.object_type == "thing")
    *_, sample = _plans(_statements(lambda: count_rows(query, exact_up_to=5)))
    # Four key ranges, none read through the object_type index.
    assert sample.count("sqlite_autoindex_audit_entries_1 (seq>? AND seq<?)") == 4
    assert "ix_audit_entries_object" not in sample


def _skewed(n: int, share) -> int:
    """``n`` entries, the k-th one a hit ("skew.hit") when an evenly spread sequence falls
    below ``share(k / n)``; returns how many hits."""
    actions = []
    for k in range(n):
        spread = (k * 0.6180339887) % 1.0
        actions.append("skew.hit" if spread < share(k / n) else "skew.miss")
    _raw_entries(actions)
    return actions.count("skew.hit")


def test_the_estimate_holds_on_a_skewed_table(app, monkeypatch):
    """Within 5 % when the share of matches follows the rows' age: rising from 10 % to
    90 % (the newest rows alone would say 90 %: 80 % too many), or all in the oldest
    40 % of the table (the newest rows alone would say none)."""
    from riskctl.core import counting

    monkeypatch.setattr(counting, "SAMPLE", 400)  # 20 windows of 20 keys over 4,000
    query = select(AuditEntry).where(AuditEntry.action == "skew.hit")
    hits = _skewed(4000, lambda age: 0.1 + 0.8 * age)
    total, estimated = count_rows(query, exact_up_to=100)
    assert estimated is True
    assert abs(total - hits) <= 0.05 * hits, (total, hits)


def test_the_estimate_holds_when_matches_are_all_old(app, monkeypatch):
    from riskctl.core import counting

    monkeypatch.setattr(counting, "SAMPLE", 400)
    query = select(AuditEntry).where(AuditEntry.action == "skew.hit")
    hits = _skewed(4000, lambda age: 1.0 if age < 0.4 else 0.0)
    total, estimated = count_rows(query, exact_up_to=100)
    assert estimated is True
    assert abs(total - hits) <= 0.05 * hits, (total, hits)
