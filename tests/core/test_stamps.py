"""The shared stamp: per-process caches (settings, the working-day calendar) and the API
request's one statement for identity and freshness.

Two app instances over one database stand for two workers (or hosts): a change made
through one is in force on the other at its very next request, and a change rolled
back leaves both with the old value.
"""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import event, inspect, select

from riskctl.accounts import operations as accounts
from riskctl.accounts.models import Unit, User
from riskctl.accounts.queries import subtree_ids, visible_unit_ids
from riskctl.core import settings, stamps
from riskctl.core.calendar import current_calendar, load_year
from riskctl.core.db import db
from riskctl.risks.options import MATRIX_KEY, STYLE_GRADED, STYLE_KEY
from riskctl.risks.rules import STYLE_PLAIN
from tests.factories import ApiClient, make_unit, make_user

SETTINGS = "/api/v1/settings"


@pytest.fixture
def other_host(another_app):
    """A second instance of the service over the same database: another worker's view."""
    return another_app("host-b")


def _value_on(host, token: str, key: str):
    """``key``'s value as ``host`` answers it to an API request (its own app context)."""
    db.session.remove()
    with host.app_context():
        response = ApiClient(host.test_client(), token).get(SETTINGS)
        db.session.remove()
    assert response.status_code == 200, response.get_json()
    return {item["key"]: item["value"] for item in response.get_json()["items"]}[key]


def test_a_setting_changed_on_one_worker_is_in_force_on_another_at_its_next_request(
    app, api, bureau, other_host
):
    token = bureau.tokens["admin"]
    assert _value_on(other_host, token, STYLE_KEY) == STYLE_PLAIN  # cached on host B
    assert _value_on(app, token, STYLE_KEY) == STYLE_PLAIN  # and on host A
    changed = api("admin").put(f"{SETTINGS}/{STYLE_KEY}", json={"value": STYLE_GRADED})
    assert changed.status_code == 200, changed.get_json()
    assert _value_on(other_host, token, STYLE_KEY) == STYLE_GRADED
    assert _value_on(app, token, STYLE_KEY) == STYLE_GRADED
    # Changed back on host B: host A answers the default again at once.
    db.session.remove()
    with other_host.app_context():
        back = ApiClient(other_host.test_client(), token).put(
            f"{SETTINGS}/{STYLE_KEY}", json={"value": STYLE_PLAIN}
        )
        db.session.remove()
    assert back.status_code == 200, back.get_json()
    assert _value_on(app, token, STYLE_KEY) == STYLE_PLAIN
    assert _value_on(other_host, token, STYLE_KEY) == STYLE_PLAIN


def test_a_setting_change_rolled_back_is_in_force_nowhere(app, bureau, other_host):
    token = bureau.tokens["admin"]
    assert _value_on(other_host, token, STYLE_KEY) == STYLE_PLAIN
    with app.test_request_context("/"):
        settings.store(STYLE_KEY, STYLE_GRADED, "admin")
        # Seen inside its own transaction, as before the change was cached.
        assert settings.get(STYLE_KEY) == STYLE_GRADED
        db.session.rollback()
    assert _value_on(app, token, STYLE_KEY) == STYLE_PLAIN
    assert _value_on(other_host, token, STYLE_KEY) == STYLE_PLAIN
    with app.test_request_context("/"):
        assert settings.get(STYLE_KEY) == STYLE_PLAIN


def test_a_setting_written_without_store_still_moves_the_stamp(app, bureau):
    before = stamps.current()
    assert settings.get(STYLE_KEY) == STYLE_PLAIN
    db.session.add(settings.Setting(key=STYLE_KEY, value=json.dumps(STYLE_GRADED), updated_by="t"))
    db.session.commit()
    assert stamps.current() != before
    assert settings.get(STYLE_KEY) == STYLE_GRADED


def test_each_get_answers_its_own_copy_of_a_cached_value(app, bureau):
    stored = [["低", "中"], ["中", "高"]]
    settings.store(MATRIX_KEY, stored, "admin")
    db.session.commit()
    with app.test_request_context("/"):
        matrix = settings.get(MATRIX_KEY)
        matrix[0][0] = "changed by a caller"
        assert settings.get(MATRIX_KEY) == stored
        assert settings.get(MATRIX_KEY) is not settings.get(MATRIX_KEY)


def test_a_schedule_loaded_on_one_worker_is_the_calendar_of_another_at_its_next_request(
    app, bureau, other_host
):
    token = bureau.tokens["admin"]
    span = (date(2027, 9, 30), date(2027, 10, 8))

    def days_on(host) -> int:
        db.session.remove()
        with host.test_request_context("/api/v1/settings"):
            assert accounts.user_for_token(token) is not None  # reads the stamp
            days = current_calendar().working_days_between(*span)
            db.session.remove()
        return days

    assert days_on(other_host) == 6 and days_on(app) == 6
    load_year(2027, "2027-10-01,休\n2027-10-04,休\n2027-10-05,休\n", "admin")
    db.session.commit()
    assert days_on(other_host) == 3 and days_on(app) == 3


def test_the_token_statement_reads_an_officers_scope_as_the_subtree_query_does(
    app, bureau, other_host
):
    make_user("zd1-officer", "officer", "ZD1")
    token = accounts.issue_token("zd1-officer")
    db.session.commit()

    def scope_on(host) -> tuple[list[int], list[int]]:
        db.session.remove()
        with host.test_request_context("/api/v1/risk-points"):
            user = accounts.user_for_token(token)
            seen, truth = visible_unit_ids(user), subtree_ids(user.unit)
            db.session.remove()
        return sorted(seen), sorted(truth)

    seen, truth = scope_on(other_host)
    assert seen == truth and len(seen) == 3  # ZD1 and its two squads
    make_unit("ZD1-3", "市容秩序第三中队", "ZD1", "squad")  # added on host A
    seen, truth = scope_on(other_host)
    assert seen == truth and len(seen) == 4
    new = db.session.scalar(select(Unit.id).where(Unit.code == "ZD1-3"))
    assert new in seen


def test_the_token_statement_loads_the_user_as_the_orm_would(app, bureau):
    for role, token in bureau.tokens.items():
        db.session.remove()
        with app.test_request_context("/api/v1/units"):
            user = accounts.user_for_token(token)
            # Read without a session (none is made), then brought into the request's.
            assert not db.session.registry.has() and inspect(user).detached
            assert accounts.attach(user) is user
            assert user in db.session and not db.session.dirty and not db.session.new
            orm = db.session.get(User, user.id)
            assert orm is user  # the session's one object for that row
            assert user.username == role and user.unit is db.session.get(Unit, user.unit_id)
            expected = visible_unit_ids(user)
            if user.role == "officer":
                assert sorted(expected) == sorted(subtree_ids(user.unit))
            else:
                assert expected is None
            db.session.remove()
    # A user the session already holds is the object answered (as an ORM query would).
    with app.test_request_context("/api/v1/units"):
        held = db.session.get(User, bureau.users["legal"].id)
        assert accounts.user_for_token(bureau.tokens["legal"]) is held
    # Read outside the session, which then loads the same user, or only their unit.
    db.session.remove()
    with app.test_request_context("/api/v1/units"):
        user = accounts.user_for_token(bureau.tokens["officer"])
        held = db.session.get(User, user.id)
        assert held is not user and accounts.attach(user) is held
    db.session.remove()
    with app.test_request_context("/api/v1/units"):
        user = accounts.user_for_token(bureau.tokens["officer"])
        unit = db.session.get(Unit, user.unit_id)
        assert user.unit is not unit
        assert accounts.attach(user) is user and user.unit is unit and user in db.session
        assert not db.session.dirty and not db.session.new
    db.session.remove()


def test_an_api_request_asks_nothing_apart_for_its_settings_calendar_or_scope(app, api, bureau):
    statements: list[str] = []

    def seen(conn, cursor, statement, *args):
        statements.append(statement)

    officer = api("officer")
    officer.get("/api/v1/leniency/records")  # the worker's caches are built
    officer.get("/api/v1/risk-points")
    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        for path in ("/api/v1/leniency/records", "/api/v1/risk-points"):
            assert officer.get(path).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    apart = [
        s
        for s in statements
        if "api_tokens" not in s
        and ("calendar_stamp" in s or "FROM settings" in s or "units.path LIKE" in s)
    ]
    assert statements and not apart, apart
    assert sum("api_tokens" in s for s in statements) == 2
