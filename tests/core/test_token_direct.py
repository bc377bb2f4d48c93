"""The bearer-token statement (every API request's) runs on the cursor (core.direct),
with the same user, unit, stamps and scope as through SQLAlchemy's execute."""

from __future__ import annotations

import pytest

from riskctl.accounts import operations
from riskctl.core import direct


@pytest.mark.parametrize("role", ["officer", "discipline", "leader"])
def test_the_token_statement_runs_directly_with_the_same_answer(bureau, role):
    from riskctl.core.db import db

    token = bureau.tokens[role]
    statement, _, _ = operations._token_user(db.engine.dialect.name)
    params = {"digest": operations._token_digest(token), "now": operations.clock.now()}
    through_sqlalchemy = [tuple(r) for r in db.session.connection().execute(statement, params)]
    user = operations.user_for_token(token)
    assert user is not None and user.username == role
    kept = direct._KEPT[(id(statement), db.engine.dialect.name)]
    assert kept[1] is not None, "the token statement fell back to Connection.execute"
    assert direct.execute(db.session.connection(), statement, params) == through_sqlalchemy
