"""The bearer token's user and the ORM session, as a server runs requests.

Each request under a server has its own app context and so its own session (a test's
requests share the test's). Here a second instance of the service serves them that way:
the token is read outside any session, a list the cache answers ends without one, and
a request that goes on to its view has the user, and their unit, in its session.
"""

from __future__ import annotations

import pytest
from flask import Flask, jsonify
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import Session

from riskctl.accounts.queries import visible_unit_ids
from riskctl.core.audit import AuditEntry
from riskctl.core.auth.policy import allow, current_actor
from riskctl.core.db import db
from tests.events import heard
from tests.factories import ApiClient
from tests.risks.conftest import point_data

POINTS = "/api/v1/risk-points?per_page=20"
PROBE = "/api/v1/test-probe"


@pytest.fixture
def server(another_app, bureau) -> Flask:
    app = another_app("server")

    @app.get(PROBE)
    @allow("officer", "discipline")
    def probe():
        actor = current_actor()
        unit = actor.unit
        return jsonify(
            in_session=actor in db.session,
            same=current_user._get_current_object() is actor,
            unit=unit.code if unit else None,
            parent=unit.parent.code if unit and unit.parent else None,  # loaded now
            visible=sorted(visible_unit_ids(actor) or []),
        )

    db.session.remove()  # nothing of the test's own session is shared
    return app


def client(server: Flask, bureau, role: str) -> ApiClient:
    return ApiClient(server.test_client(), bureau.tokens[role])


def orm_use(server: Flask):
    """How many ORM transactions began (after_begin), and how many pooled connections
    ``server`` took (checkout)."""
    with server.app_context():
        engine = db.engine
    return heard((Session, "after_begin"), (engine, "checkout"))


def test_a_list_the_cache_answers_opens_no_orm_session(server, bureau):
    officer = client(server, bureau, "officer")
    with orm_use(server) as first:
        assert officer.get(POINTS).status_code == 200
    with orm_use(server) as hit:
        response = officer.get(POINTS)
    assert response.status_code == 200
    assert first["after_begin"] >= 1  # the view read through the session
    assert (hit["after_begin"], hit["checkout"]) == (0, 1)  # the token read, the kept answer


def test_a_request_past_the_cache_has_the_token_user_in_its_session(server, bureau):
    answer = client(server, bureau, "officer").get(PROBE).get_json()
    squad = bureau.units["ZD1-1"]
    assert answer == {
        "in_session": True,
        "same": True,
        "unit": "ZD1-1",
        "parent": "ZD1",
        "visible": [squad.id],
    }
    assert client(server, bureau, "discipline").get(PROBE).get_json()["unit"] == "JW"


def test_a_write_through_a_server_request_names_its_actor_and_commits(server, bureau):
    discipline = client(server, bureau, "discipline")
    assert discipline.get(POINTS).get_json()["total"] == 0
    created = discipline.post("/api/v1/risk-points", json=point_data())
    assert created.status_code == 201, created.get_json()
    assert discipline.get(POINTS).get_json()["total"] == 1  # committed; the kept list moved on
    actors = db.session.scalars(
        select(AuditEntry.actor).where(AuditEntry.action.like("risk_point.%"))
    ).all()
    assert actors == ["discipline"]
