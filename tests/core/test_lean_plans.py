"""lean.page runs a list's statements built once per form of its query: every request of
the same form, with other values, answers what a statement built afresh answers."""

from __future__ import annotations

from sqlalchemy import case, event, select

from riskctl.core import audit, lean
from riskctl.core.audit.models import AuditEntry
from riskctl.core.db import db


def _entries(n: int) -> None:
    for k in range(n):
        audit.record(f"plan.{'abc'[k % 3]}", "thing", k, {"k": k})
    db.session.flush()


def _query(actions: list[str], since: int, first: str) -> select:
    """One form, many values: an IN list, a comparison and a CASE in the ORDER BY."""
    return (
        select(AuditEntry)
        .where(AuditEntry.action.in_(actions), AuditEntry.seq >= since)
        .order_by(case((AuditEntry.action == first, 0), else_=1), AuditEntry.seq.desc())
    )


def _fresh(query, page: int, per_page: int) -> tuple[list[int], int]:
    rows = db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)).all()
    total = len(db.session.scalars(query).all())
    return [row.seq for row in rows], total


def test_one_form_with_other_values_answers_as_built_afresh(app):
    _entries(30)
    shape = lean.Shape({"seq": AuditEntry.seq, "action": AuditEntry.action})
    cases = [
        (["plan.a"], 0, "plan.a", 1, 4),
        (["plan.a", "plan.b"], 5, "plan.b", 2, 4),
        (["plan.b", "plan.c", "plan.a"], 10, "plan.c", 1, 7),
        (["plan.c"], 1000, "plan.c", 1, 5),  # nothing: an empty first page
        (["plan.a", "plan.c"], 0, "plan.a", 9, 5),  # past the end: counted apart
        (["plan.a"], 0, "plan.b", 3, 2),
    ]
    for actions, since, first, page_no, per_page in cases:
        query = _query(actions, since, first)
        body = lean.page(query, {"page": page_no, "per_page": per_page}, shape)
        seqs, total = _fresh(query, page_no, per_page)
        assert [record.seq for record in body["items"]] == seqs, (actions, since, first)
        assert body["total"] == total, (actions, since, first)
    # Six requests of at most two forms (an IN list of any length is one form).
    assert len(shape._plans) <= 2
    assert None not in shape._plans.values()  # none read the slow way


def test_a_page_is_one_statement(app):
    _entries(12)
    shape = lean.Shape({"seq": AuditEntry.seq})
    query = _query(["plan.a", "plan.b"], 0, "plan.a")
    lean.page(query, {"page": 1, "per_page": 3}, shape)  # the form's first request
    statements = []

    def seen(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        body = lean.page(_query(["plan.c"], 2, "plan.c"), {"page": 2, "per_page": 3}, shape)
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    assert len(statements) == 1
    assert body["total"] == 4
    assert len(body["items"]) == 1
