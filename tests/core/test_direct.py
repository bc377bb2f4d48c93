"""riskctl.core.direct runs a kept statement on the DBAPI cursor: its rows are the values
Connection.execute answers, on SQLite and PostgreSQL alike, and every main list answers
the same bytes read directly or through SQLAlchemy's execution."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import bindparam, event, select
from sqlalchemy.exc import DBAPIError

from riskctl.accounts.models import Unit, User
from riskctl.core import clock, direct
from riskctl.core.db import db
from riskctl.risks.models import RiskPoint
from tests.factories import ApiClient
from tests.test_list_queries import LISTS, demo_bureau  # noqa: F401 (a fixture)


def _both(statement, params):
    connection = db.session.connection()
    expected = [tuple(row) for row in connection.execute(statement, params)]
    got = direct.Direct(statement, connection.dialect).rows(connection, params)
    return got, expected


def test_rows_are_connection_execute_values(app, demo_bureau):  # noqa: F811
    """Dates, aware UTC moments, booleans, NULLs, IN lists of any length (none too),
    a value bound by the statement itself and values given at run time."""
    statement = (
        select(
            RiskPoint.id,
            RiskPoint.title,
            RiskPoint.next_review,
            RiskPoint.last_reviewed,
            RiskPoint.retired_at,
            RiskPoint.created_at,
            Unit.active,
            Unit.code,
        )
        .join(Unit, Unit.id == RiskPoint.unit_id)
        .where(
            RiskPoint.id.in_(bindparam("ids", expanding=True)),
            RiskPoint.next_review >= bindparam("day"),
            RiskPoint.created_at < bindparam("moment"),
            RiskPoint.status.in_(["active", "retired"]),
        )
        .order_by(RiskPoint.id)
    )
    ids = list(db.session.scalars(select(RiskPoint.id).order_by(RiskPoint.id)))
    assert len(ids) > 10
    later = clock.now() + timedelta(days=1)
    cases = [
        (ids, date(2000, 1, 1), later),
        (ids[:1], date(2000, 1, 1), later),
        ([], date(2000, 1, 1), later),
        (ids[3:9], date(2000, 1, 1), later),
        (ids, date(2099, 1, 1), later),  # nothing
        (ids, date(2000, 1, 1), datetime(2000, 1, 1, tzinfo=UTC)),  # nothing
    ]
    seen = 0
    for chosen, day, moment in cases:
        got, expected = _both(statement, {"ids": chosen, "day": day, "moment": moment})
        assert got == expected, (chosen, day, moment)
        seen += len(got)
        for row in got:
            assert type(row[2]) is date
            assert row[5].tzinfo is UTC  # aware UTC, as UTCDateTime answers
            assert type(row[6]) is bool
    assert seen > len(ids)
    # The statement's own values (no parameter given): a NULL compared, a constant.
    users = select(User.username, User.password_changed_at, User.active).where(
        User.active.is_(True), User.username != "nobody"
    )
    got, expected = _both(users.order_by(User.id), {})
    assert got == expected and got


@pytest.mark.parametrize(("path", "users"), LISTS, ids=[p for p, _ in LISTS])
def test_each_list_answers_the_same_bytes_direct_or_not(
    app,
    demo_bureau,  # noqa: F811
    monkeypatch,
    path,
    users,
):
    tokens, plan = demo_bureau
    contexts = []

    def seen(conn, cursor, statement, parameters, context, executemany):
        contexts.append(context)

    for user in users:
        client = ApiClient(app.test_client(), tokens[user])
        for query in ("per_page=50", "per_page=3&page=2", "per_page=20&page=999"):
            url = f"{path.format(plan=plan)}?{query}"
            contexts.clear()
            event.listen(db.engine, "before_cursor_execute", seen)
            try:
                ours = client.get(url)
            finally:
                event.remove(db.engine, "before_cursor_execute", seen)
            assert ours.status_code == 200, (url, ours.get_json())
            assert None in contexts, url  # the page statement ran directly
            with monkeypatch.context() as patched:
                patched.setattr(direct, "ENABLED", False)
                theirs = client.get(url)
            assert ours.data == theirs.data, (url, user)


def test_the_cursor_is_kept_per_driver_connection_and_dropped_after_a_failure(app):
    """One cursor per driver connection, reused run after run; a statement that fails
    (here a division by zero) leaves none kept, and the next run makes a fresh one; a
    replaced driver connection gets its own."""
    statement = select(bindparam("a") / bindparam("b"))
    connection = db.session.connection()
    cursors = []

    def seen(conn, cursor, *_args) -> None:
        cursors.append(cursor)

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        assert direct.execute(connection, statement, {"a": 6, "b": 3}) == [(2,)]
        assert direct.execute(connection, statement, {"a": 8, "b": 4}) == [(2,)]
        assert cursors[0] is cursors[1]
        if db.engine.dialect.name == "postgresql":
            with pytest.raises(DBAPIError):
                direct.execute(connection, statement, {"a": 1, "b": 0})
            db.session.rollback()
            connection = db.session.connection()
            assert direct.execute(connection, statement, {"a": 9, "b": 3}) == [(3,)]
            assert cursors[-1] is not cursors[0]
        kept = cursors[-1]
        db.session.remove()
        db.engine.dispose()  # every driver connection replaced
        connection = db.session.connection()
        assert direct.execute(connection, statement, {"a": 4, "b": 2}) == [(2,)]
        assert cursors[-1] is not kept
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
        db.session.rollback()
