"""Who a bearer-token API call is: the same with or without Flask-Login's own loading."""

from __future__ import annotations

import pytest
from flask import g
from flask_login import current_user
from sqlalchemy import inspect

from riskctl.core.auth import policy
from riskctl.core.db import db
from riskctl.core.errors import Unauthorized


def _identify(app, token: str, cookie: str | None = None):
    headers = {"Authorization": f"Bearer {token}"}
    if cookie:
        headers["Cookie"] = cookie
    with app.test_request_context("/api/v1/units", headers=headers):
        policy._enforce()
        return g.actor, current_user._get_current_object()


@pytest.mark.parametrize("cookie", [None, "unrelated=1", "session=garbage"])
def test_the_token_names_its_user_as_current_user(app, bureau, cookie):
    actor, user = _identify(app, bureau.tokens["officer"], cookie)
    assert actor is user and actor.username == "officer"
    state = inspect(actor)
    assert state.persistent and state.session is db.session()
    assert actor.unit is not None and inspect(actor.unit).persistent
    assert not (db.session.new or db.session.dirty)


@pytest.mark.parametrize("cookie", [None, "unrelated=1"])
def test_an_unknown_token_is_refused_with_its_reason(app, bureau, cookie):
    with pytest.raises(Unauthorized) as refused:
        _identify(app, "rk_no-such-token", cookie)
    assert "令牌无效" in refused.value.message


def test_a_refused_token_leaves_an_anonymous_current_user(app, bureau):
    headers = {"Authorization": "Bearer rk_no-such-token"}
    with app.test_request_context("/api/v1/units", headers=headers):
        with pytest.raises(Unauthorized):
            policy._enforce()
        assert current_user.is_anonymous and not current_user.is_authenticated
