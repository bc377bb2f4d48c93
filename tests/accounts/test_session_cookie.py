"""The session interface writes the headers Flask's own would, in every case but one: an
API answer does not vary by a cookie it never reads."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask import Response
from flask.sessions import SecureCookieSessionInterface

from riskctl.accounts.sessions import CookieSessions


def _session(data: dict, *, modified: bool, accessed: bool):
    session = SecureCookieSessionInterface.session_class(data)
    session.modified, session.accessed = modified, accessed
    return session


@pytest.mark.parametrize(
    ("data", "modified", "accessed", "vary"),
    [
        ({}, False, False, None),  # never looked at
        ({}, False, True, None),  # a page seen signed out: Flask-Login's hook looks
        ({}, False, True, "Accept-Encoding"),  # a Vary of its own
        ({}, False, True, "Cookie"),
        ({}, True, True, None),  # emptied: the cookie is deleted
        ({"_sv": 1}, True, True, None),  # written
        ({"_sv": 1}, False, True, "Accept-Encoding"),  # kept as it was
    ],
)
def test_the_session_headers_are_flasks(app, time_machine, data, modified, accessed, vary):
    time_machine.move_to(datetime(2026, 12, 4, 2, 0, tzinfo=UTC), tick=False)  # one signature
    answers = []
    for interface in (CookieSessions(), SecureCookieSessionInterface()):
        response = Response("x")
        if vary:
            response.headers["Vary"] = vary
        with app.test_request_context("/public"):
            interface.save_session(
                app, _session(data, modified=modified, accessed=accessed), response
            )
        answers.append(response.headers.to_wsgi_list())
    ours, flasks = answers
    assert ours == flasks
    assert ("Vary" in dict(ours)) == (accessed or modified or vary is not None)


def test_an_api_answer_does_not_vary_by_cookie(client, api):
    for response in (client.get("/api/v1/health"), api("legal").get("/api/v1/risk-points")):
        assert response.status_code == 200
        assert "Cookie" not in response.headers.get("Vary", "")
    assert api("legal").get("/api/v1/risk-points").headers["Vary"] == "Authorization"
    page = client.get("/public")  # a page depends on the session cookie
    assert page.status_code == 200 and "Cookie" in page.headers["Vary"]
