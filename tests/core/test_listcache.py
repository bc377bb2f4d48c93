"""The API's list cache (core.listcache) under the data version (core.writes).

A hit is seen by the statements the request ran: only the bearer token's. Every way
of writing (the API, another worker, the driver's own bulk path, a test factory, a CLI
command) makes the next GET show the change; the business date, the user asking and
an audited search each get their own answer; ETag / If-None-Match answer 304.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import event, func, select

from riskctl.accounts import operations as accounts
from riskctl.accounts.models import ApiToken, User
from riskctl.core import clock, listcache, stamps, writes
from riskctl.core.audit import AuditEntry
from riskctl.core.calendar import current_calendar
from riskctl.core.db import db
from riskctl.inspections import bulk
from riskctl.inspections.models import Target
from riskctl.leniency.models import LeniencyItem
from tests.events import heard
from tests.factories import ApiClient
from tests.factories.leniency import leniency_item, leniency_record
from tests.factories.risks import risk_point
from tests.inspections.conftest import targets_csv, upload

TARGETS = "/api/v1/inspection/targets?per_page=50"
RECORDS = "/api/v1/leniency/records?per_page=50"
POINTS = "/api/v1/risk-points?per_page=50"


@contextmanager
def statements() -> Iterator[list[str]]:
    """The SQL statements sent while the block runs."""
    seen: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        seen.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def fetch(client, url: str, **kw):
    """A GET with the statements it ran."""
    db.session.remove()
    with statements() as seen:
        response = client.get(url, **kw)
    db.session.remove()
    return response, len(seen)


def total(client, url: str) -> int:
    response, _ = fetch(client, url)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["total"]


def test_a_second_identical_get_runs_only_the_token_statement(api):
    legal = api("legal")
    upload(legal, "targets", targets_csv(3))
    first, ran = fetch(legal, TARGETS)
    assert first.status_code == 200 and ran > 1
    again, hit = fetch(legal, TARGETS)
    assert hit == 1
    assert again.status_code == 200 and again.get_data() == first.get_data()
    assert again.headers["ETag"] == first.headers["ETag"]
    assert again.headers["X-Content-Type-Options"] == first.headers["X-Content-Type-Options"]
    assert again.get_json()["total"] == 3
    # Another query string is its own answer.
    other, ran = fetch(legal, TARGETS + "&page=1")
    assert ran > 1 and other.get_json()["total"] == 3


def test_every_main_list_is_a_hit_the_second_time(api, bureau):
    lists = {
        "discipline": [
            "/api/v1/risk-points?per_page=20",
            "/api/v1/units",
            "/api/v1/leniency/records?per_page=20",
            "/api/v1/inspection/targets?per_page=20",
            "/api/v1/rectification/items?per_page=20",
            "/api/v1/warnings?per_page=20",
            "/api/v1/audit?per_page=20",
            "/api/v1/reviews/case-files?per_page=20",
        ]
    }
    for role, urls in lists.items():
        for url in urls:
            first, _ = fetch(api(role), url)
            assert first.status_code == 200, (url, first.get_json())
            again, ran = fetch(api(role), url)
            assert (url, ran, again.get_data()) == (url, 1, first.get_data())


def test_a_write_through_the_api_shows_at_the_next_get(api):
    legal = api("legal")
    upload(legal, "targets", targets_csv(2))
    assert total(legal, TARGETS) == 2
    assert total(legal, TARGETS) == 2  # kept
    upload(legal, "targets", targets_csv(5))
    assert total(legal, TARGETS) == 5


def test_the_drivers_own_bulk_path_shows_at_the_next_get(api):
    legal = api("legal")
    upload(legal, "targets", targets_csv(1))
    assert total(legal, TARGETS) == 1
    row = db.session.execute(select(Target.__table__)).mappings().one()
    copy = {k: v for k, v in row.items() if k != "id"}
    copy.update(code="T99999", name="批量写入的商户", credit_code=None)
    copy.update(created_at=bulk.timestamp(), updated_at=bulk.timestamp())
    bulk.insert_rows(Target.__table__, list(copy), [tuple(copy.values())])
    db.session.commit()
    assert total(legal, TARGETS) == 2


def test_a_cli_command_shows_at_the_next_get(app, api, tmp_path):
    legal = api("legal")
    assert total(legal, TARGETS) == 0
    path = tmp_path / "名录.csv"
    path.write_bytes(targets_csv(4))
    done = app.test_cli_runner().invoke(args=["inspection", "import-targets", str(path)])
    assert done.exit_code == 0, done.output
    assert total(legal, TARGETS) == 4


def test_a_factory_commit_shows_at_the_next_get(api):
    discipline = api("discipline")
    item = leniency_item().id
    leniency_record(db.session.get(LeniencyItem, item), "ZD1-1", clock.today() - timedelta(3))
    assert total(discipline, RECORDS) == 1
    assert total(discipline, RECORDS) == 1
    leniency_record(db.session.get(LeniencyItem, item), "ZD2-1", clock.today() - timedelta(2))
    assert total(discipline, RECORDS) == 2


@pytest.fixture
def other_worker(another_app):
    """A second instance of the service over the same database: another worker."""
    return another_app("worker-b")


def test_a_commit_on_another_worker_shows_at_the_next_get(app, api, other_worker):
    discipline = api("discipline")
    today = clock.today()
    assert total(discipline, POINTS) == 0
    assert total(discipline, POINTS) == 0
    db.session.remove()
    with other_worker.app_context():
        risk_point("ZD1-1", "另一进程登记的风险点", 3, 3, today, today + timedelta(days=90))
        db.session.remove()
    assert total(discipline, POINTS) == 1
    # And the other way: the other worker kept its answer, this one writes.
    token = discipline.headers["Authorization"].removeprefix("Bearer ")
    db.session.remove()
    with other_worker.app_context():
        assert total(ApiClient(other_worker.test_client(), token), POINTS) == 1
    risk_point("ZD2-1", "本进程登记的风险点", 2, 2, today, today + timedelta(days=90))
    db.session.remove()
    with other_worker.app_context():
        assert total(ApiClient(other_worker.test_client(), token), POINTS) == 2


def _beijing(day, hour: int = 10) -> datetime:
    return clock.from_local(datetime.combine(day, time(hour)))


def test_the_next_business_day_counts_overdue_days_again(api, travel):
    discipline = api("discipline")
    record = leniency_record(leniency_item(), "ZD1-1", clock.today() - timedelta(days=30))
    due, calendar = record.followup_due, current_calendar()

    def overdue(day):
        return calendar.working_days_between(due, day)

    day = clock.today() + timedelta(days=1)
    while overdue(day + timedelta(days=1)) == overdue(day):
        day += timedelta(days=1)
    travel(_beijing(day))
    first, _ = fetch(discipline, RECORDS)
    assert first.get_json()["items"][0]["followup_overdue_working_days"] == overdue(day)
    assert fetch(discipline, RECORDS)[1] == 1  # kept for the day
    travel(_beijing(day + timedelta(days=1), hour=0) + timedelta(minutes=5))
    later, ran = fetch(discipline, RECORDS)
    assert ran > 1
    days = later.get_json()["items"][0]["followup_overdue_working_days"]
    assert days == overdue(day + timedelta(days=1)) != overdue(day)


def test_each_user_gets_their_own_answer(api):
    item = leniency_item()
    own = leniency_record(item, "ZD1-1", clock.today() - timedelta(days=3)).id
    other = leniency_record(item, "ZD2-1", clock.today() - timedelta(days=2)).id
    everything, _ = fetch(api("discipline"), RECORDS)
    assert {r["id"] for r in everything.get_json()["items"]} == {own, other}
    officer, ran = fetch(api("officer"), RECORDS)
    assert ran > 1
    assert [r["id"] for r in officer.get_json()["items"]] == [own]
    assert fetch(api("officer"), RECORDS)[0].get_data() == officer.get_data()
    assert fetch(api("discipline"), RECORDS)[0].get_data() == everything.get_data()


def test_an_audited_full_id_search_is_never_kept_and_audits_each_time(api):
    from tests.leniency.conftest import credit_code

    legal = api("legal")
    url = f"{RECORDS}&party_id={credit_code()}"

    def audited() -> int:
        return db.session.scalar(select(func.count()).select_from(AuditEntry))

    before = audited()
    for n in (1, 2, 3):
        response, ran = fetch(legal, url)
        assert response.status_code == 200 and ran > 1
        assert "ETag" not in response.headers
        assert audited() == before + n


def test_a_revoked_token_is_refused_though_its_answer_was_kept(app, api, bureau):
    legal = api("legal")
    assert fetch(legal, TARGETS)[0].status_code == 200
    assert fetch(legal, TARGETS)[1] == 1
    user = db.session.scalar(select(User).where(User.role == "legal"))
    token = db.session.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
    # Revoked by hand, the data version put back: only the token statement can refuse.
    version = stamps.data_current()
    db.session.remove()
    with writes.quiet():
        accounts.revoke_token(token.id, "admin")
        db.session.commit()
    assert stamps.data_current() == version
    assert len(listcache.store(app)) >= 1
    refused, _ = fetch(legal, TARGETS)
    assert refused.status_code == 401


def test_if_none_match_answers_304_with_no_body(api):
    legal = api("legal")
    upload(legal, "targets", targets_csv(2))
    first, _ = fetch(legal, TARGETS)
    etag = first.headers["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    assert first.headers["Cache-Control"] == "private, no-cache"
    assert "Authorization" in first.headers["Vary"]
    kept, ran = fetch(legal, TARGETS, headers={"If-None-Match": etag})
    assert (kept.status_code, kept.get_data(), kept.headers["ETag"], ran) == (304, b"", etag, 1)
    # A write elsewhere: the view runs again, its answer is the same, still 304.
    risk_point("ZD1-1", "无关的写入", 2, 2, clock.today(), clock.today() + timedelta(days=90))
    same, ran = fetch(legal, TARGETS, headers={"If-None-Match": etag})
    assert (same.status_code, same.get_data(), ran > 1) == (304, b"", True)
    # A change to the list: 200 with the new answer and its own tag.
    upload(legal, "targets", targets_csv(3))
    changed, _ = fetch(legal, TARGETS, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.get_json()["total"] == 3
    assert changed.headers["ETag"] != etag


def test_with_the_cache_off_nothing_is_kept(another_app, bureau):
    off = another_app("off", LIST_CACHE_BYTES=0)
    try:
        with off.app_context():
            client = ApiClient(off.test_client(), bureau.tokens["legal"])
            answers = [fetch(client, TARGETS) for _ in range(3)]
            assert listcache.store(off) is None
            db.session.remove()
            db.engine.dispose()
    finally:
        db.session.remove()
    assert all(r.status_code == 200 and ran > 1 for r, ran in answers)
    assert all("ETag" not in r.headers for r, _ in answers)


def test_the_byte_bound_evicts_the_least_recently_used():
    store = listcache.Store(max_bytes=1000)

    def entry(n: int) -> listcache.Entry:
        return listcache.Entry(b"x" * n, (), '"t"', n)

    store.put(("/a", 1), entry(400))
    store.put(("/b", 1), entry(400))
    assert store.get(("/a", 1)) is not None  # /a used last: /b goes first
    store.put(("/c", 1), entry(400))
    assert store.get(("/b", 1)) is None
    assert store.get(("/a", 1)) is not None and store.get(("/c", 1)) is not None
    assert store.size <= 1000
    store.put(("/huge", 1), entry(1001))
    assert store.get(("/huge", 1)) is None and len(store) == 2
    # A new data version drops every answer kept under the old one.
    store.put(("/a", 2), entry(10))
    assert (store.get(("/c", 1)), len(store)) == (None, 1)


@pytest.mark.parametrize(
    ("sql", "writes_data"),
    [
        ("SELECT 1", False),
        ("  select * from x for update", False),
        ("PRAGMA foreign_keys = ON", False),
        ("SAVEPOINT sa_1", False),
        ("WITH a AS (SELECT 1) SELECT * FROM a", False),
        ("INSERT INTO t VALUES (1)", True),
        ("\n  update t set a = 1", True),
        ('DELETE FROM "t"', True),
        ("COPY t (a) FROM STDIN", True),
        ("TRUNCATE t", True),
        ("WITH moved AS (DELETE FROM t RETURNING *) SELECT * FROM moved", True),
        ("CREATE TEMP TABLE x AS SELECT 1", True),
        ("ALTER SEQUENCE s RESTART", True),
    ],
)
def test_text_sql_is_told_a_write_by_its_verb(sql, writes_data):
    assert writes.is_write(sql) is writes_data


def test_on_sqlite_a_write_no_statement_event_saw_still_moves_the_version(bureau, is_postgres):
    if is_postgres:
        pytest.skip("SQLite's own count of changed rows (total_changes)")
    before = stamps.data_current()
    driver = db.session.connection().connection.driver_connection
    driver.execute("UPDATE units SET name = name || '' WHERE id = (SELECT min(id) FROM units)")
    db.session.commit()
    assert stamps.data_current() not in (before, None)


def transaction_ends():
    """The ends ("commit" or "rollback") of the transactions of the engine's connections."""
    return heard((db.engine, "commit"), (db.engine, "rollback"))


def test_a_hit_ends_without_a_commit_and_a_write_still_commits(api):
    """A request that began nothing on the database (the token read outside a transaction
    on PostgreSQL, a read SQLite runs without one) skips the ORM's commit: its session is
    closed at teardown. One that wrote commits, and the version moves."""
    legal = api("legal")
    assert total(legal, TARGETS) == 0
    assert total(legal, TARGETS) == 0  # kept
    db.session.remove()
    with transaction_ends() as ends:
        response = legal.get(TARGETS)
    db.session.remove()
    assert response.status_code == 200 and "commit" not in ends
    before = stamps.data_current()
    with transaction_ends() as ends:
        upload(legal, "targets", targets_csv(2))
    assert "commit" in ends
    assert stamps.data_current() != before
    assert total(legal, TARGETS) == 2


def test_a_connection_is_unwritten_until_a_statement_or_the_driver_writes(bureau, is_postgres):
    from riskctl.core import direct

    db.session.commit()
    connection = db.session.connection()
    assert writes.unwritten(connection)
    db.session.execute(select(func.count()).select_from(User))
    assert writes.unwritten(connection)
    if is_postgres:
        assert direct.transaction_open(connection)  # a read in a transaction: BEGIN sent
        db.session.execute(select(User).where(User.id == 0).with_for_update())
        assert writes.unwritten(connection)
    else:
        assert not direct.transaction_open(connection)  # sqlite3 begins before a write only
        driver = connection.connection.driver_connection
        driver.execute("UPDATE units SET name = name || '' WHERE id = (SELECT min(id) FROM units)")
        assert direct.transaction_open(connection)
        assert not writes.unwritten(connection)  # no statement event saw it: total_changes
    db.session.rollback()


def test_a_connection_lost_inside_a_transaction_rolls_back_cleanly(bureau):
    """The write marks' rollback listener must not raise for an invalidated connection:
    the request that lost its connection ends with its own error, then a fresh one works."""
    db.session.execute(select(func.count()).select_from(User))
    connection = db.session.connection()
    connection.invalidate()
    db.session.rollback()  # raised PendingRollbackError from the listener
    db.session.remove()
    assert db.session.scalar(select(func.count()).select_from(User)) == len(bureau.users)
