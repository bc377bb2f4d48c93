"""settings.prefetch: several settings read in one statement; each later get is free."""

from __future__ import annotations

import gc

from sqlalchemy import event

from riskctl.core import settings
from riskctl.core.db import db
from riskctl.risks.options import MATRIX_KEY, STYLE_GRADED, STYLE_KEY


def test_prefetch_reads_once_and_get_answers_stored_and_default_values(app):
    settings.store(STYLE_KEY, STYLE_GRADED, "admin")
    db.session.commit()
    statements = []

    def seen(conn, cursor, statement, *args):
        statements.append(statement)

    with app.test_request_context("/"):
        db.session.expire_all()
        event.listen(db.engine, "before_cursor_execute", seen)
        try:
            settings.prefetch(STYLE_KEY, MATRIX_KEY)
            gc.collect()  # the rows read must outlive the statement's result
            style, matrix = settings.get(STYLE_KEY), settings.get(MATRIX_KEY)
            settings.prefetch(MATRIX_KEY, STYLE_KEY)  # both known: asks nothing more
        finally:
            event.remove(db.engine, "before_cursor_execute", seen)
    assert style == STYLE_GRADED  # the stored value
    assert matrix == settings.definition(MATRIX_KEY).default  # never stored: the default
    assert len(statements) == 1, statements
