"""No N+1: a list request runs as many SQL statements for 50 rows as for 5.

Each main list is requested on the demo bureau at per_page=5 and per_page=50 while
an engine listener counts the statements; a count that grows with the page size
means a query per row (a lazy load in the schema or the view).
"""

from __future__ import annotations

import pytest
from sqlalchemy import event, func, inspect, select

from riskctl.accounts import operations as accounts
from riskctl.core import lean, listcache
from riskctl.core.db import db
from riskctl.inspections.models import Plan, Task
from tests.demo_data import load_demo
from tests.factories import ApiClient

LISTS = [
    ("/api/v1/risk-points", ("duiyuan", "jiwei")),
    ("/api/v1/leniency/records", ("duiyuan", "jiwei")),
    ("/api/v1/inspection/targets", ("duiyuan", "jiwei")),
    ("/api/v1/inspection/plans/{plan}/tasks", ("duiyuan", "jiwei")),
    ("/api/v1/rectification/items", ("duiyuan", "jiwei")),
    ("/api/v1/warnings", ("duiyuan", "jiwei")),
    ("/api/v1/audit", ("jiwei",)),
    ("/api/v1/reviews/case-files", ("duiyuan", "jiwei")),
]

ONCE_PER_REQUEST = ("calendar_stamp", "calendar_years", "calendar_days", "FROM settings")


@pytest.fixture
def demo_bureau(app):
    load_demo(app)
    tokens = {user: accounts.issue_token(user) for user in ("duiyuan", "jiwei")}
    db.session.commit()
    plan = db.session.scalar(
        select(Plan.code)
        .join(Task, Task.plan_id == Plan.id)
        .group_by(Plan.code)
        .order_by(func.count().desc())
    )
    return tokens, plan


def _count(app, client: ApiClient, url: str) -> tuple[int, int, int]:
    statements = []

    def seen(conn, cursor, statement, *args):
        # Once-per-request reads (the calendar stamp when a row needs the working-day
        # calendar, a setting) are not per row: only statements that could repeat count.
        if not any(table in statement for table in ONCE_PER_REQUEST):
            statements.append(statement)

    engine = db.engine
    listcache.store(app).clear()  # the view's statements, not a kept answer's
    event.listen(engine, "before_cursor_execute", seen)
    try:
        response = client.get(url)
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert response.status_code == 200, (url, response.get_json())
    body = response.get_json()
    return len(statements), len(body["items"]), body["total"]


@pytest.mark.parametrize(("path", "users"), LISTS, ids=[p for p, _ in LISTS])
def test_list_statements_do_not_grow_with_the_page(app, demo_bureau, path, users):
    tokens, plan = demo_bureau
    path = path.format(plan=plan)
    # The reader who sees the most rows (officers see their own unit's only).
    clients = [ApiClient(app.test_client(), tokens[user]) for user in users]
    client = max(
        clients, key=lambda c: (c.get(f"{path}?per_page=1").get_json() or {}).get("total", -1)
    )
    client.get(f"{path}?per_page=5")  # first request of a worker: settings, calendar
    small, small_rows, total = _count(app, client, f"{path}?per_page=5")
    large, large_rows, _ = _count(app, client, f"{path}?per_page=50")
    # The demo holds more rows than one small page, or the comparison proves nothing.
    assert large_rows > small_rows, (path, total)
    assert large <= small, (
        f"{path}: {small} statements for {small_rows} rows, {large} for {large_rows}"
    )


@pytest.mark.parametrize(("path", "users"), LISTS, ids=[p for p, _ in LISTS])
def test_lean_answer_is_the_schema_dump(app, demo_bureau, monkeypatch, path, users):
    """The lean read path (``riskctl.core.lean``) answers exactly what the documented
    response schema dumps from the same records loaded by the ORM, for every reader."""
    tokens, plan = demo_bureau
    url = path.format(plan=plan) + "?per_page=50"
    for user in users:
        client = ApiClient(app.test_client(), tokens[user])
        lean_body = client.get(url).get_json()
        with monkeypatch.context() as patched:
            patched.setattr(lean, "dump_many", _schema_dump)
            listcache.store(app).clear()  # the view runs again, patched
            schema_body = client.get(url).get_json()
        assert lean_body["items"], (url, user)
        assert lean_body == schema_body, (url, user)


def _schema_dump(schema, rows):
    """marshmallow's dump of the page's records as ORM objects (a row read by the lean
    path as plain columns is loaded again by its id)."""
    model = schema.Meta.model
    (key,) = inspect(model).primary_key  # ``id``, or the audit log's ``seq``
    records = [
        db.session.get(model, getattr(r, key.key)) if isinstance(r, lean.Record) else r
        for r in rows
    ]
    assert None not in records
    return schema(many=True).dump(records)


def test_task_list_of_an_unknown_plan_is_a_404_and_a_page_past_the_end_is_empty(app, demo_bureau):
    """The task list finds its plan inside the page's statements: an unknown plan is
    still a 404, a known plan's page past its end still an empty page."""
    tokens, plan = demo_bureau
    client = ApiClient(app.test_client(), tokens["jiwei"])
    missing = client.get("/api/v1/inspection/plans/NOPE-1/tasks")
    assert missing.status_code == 404
    assert "抽查计划 NOPE-1 不存在" in missing.get_data(as_text=True)
    past = client.get(f"/api/v1/inspection/plans/{plan}/tasks?page=999")
    assert past.status_code == 200
    assert past.get_json()["items"] == [] and past.get_json()["total"] > 0
