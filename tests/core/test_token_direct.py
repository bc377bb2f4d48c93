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


def test_on_postgresql_the_token_is_read_before_the_transaction_begins(bureau, is_postgres):
    """No BEGIN for the token read (a cached list answer then needs no COMMIT either);
    what the request does next is still one transaction, rolled back as one."""
    if not is_postgres:
        pytest.skip("PostgreSQL: SQLite's transactions are the file's")
    from psycopg.pq import TransactionStatus
    from sqlalchemy import func, select, update

    from riskctl.accounts.models import User
    from riskctl.core.db import db

    db.session.rollback()
    db.session.expunge_all()  # a request's fresh session: nothing held to refresh
    user = operations.user_for_token(bureau.tokens["legal"])
    driver = db.session.connection().connection.driver_connection
    assert user is not None and user.username == "legal"
    assert driver.info.transaction_status == TransactionStatus.IDLE
    assert driver.autocommit is False
    db.session.execute(update(User).where(User.username == "legal").values(display_name="改"))
    assert driver.info.transaction_status == TransactionStatus.INTRANS
    db.session.rollback()
    assert db.session.scalar(select(func.count()).where(User.display_name == "改")) == 0
