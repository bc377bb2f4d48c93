"""Side effects that follow the session's transaction: done on commit, undone otherwise.

The filesystem backend writes a file under a temporary name while the request
runs and registers two callbacks here: move it into place once the transaction
commits, remove it if the transaction (or the savepoint it was written in) rolls
back or ends without a commit. A callback that fails after the commit is logged,
never raised: the data is committed, and ``storage sweep`` finishes the move.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from riskctl.core.db import db

log = logging.getLogger(__name__)
_KEY = "riskctl.storage.pending"


@dataclass
class _Pending:
    transaction: SessionTransaction
    on_commit: Callable[[], None]
    on_discard: Callable[[], None]

    def inside(self, transaction: SessionTransaction) -> bool:
        current: SessionTransaction | None = self.transaction
        while current is not None:
            if current is transaction:
                return True
            current = current.parent
        return False


def defer(on_commit: Callable[[], None], on_discard: Callable[[], None]) -> None:
    """Run ``on_commit`` after the current transaction commits, else ``on_discard``."""
    session = db.session()
    session.connection()  # begin the transaction now, so that it can be named
    transaction = session.get_nested_transaction() or session.get_transaction()
    assert transaction is not None
    session.info.setdefault(_KEY, []).append(_Pending(transaction, on_commit, on_discard))


def _run(callback: Callable[[], None]) -> None:
    try:
        callback()
    except Exception:  # after a commit nothing may undo it; the sweep completes the work
        log.exception("storage: a file could not be finished after its transaction")


def _committed(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint released: its files wait for the outer commit
    for pending in session.info.pop(_KEY, []):
        _run(pending.on_commit)


def _rolled_back(session: Session, previous: SessionTransaction) -> None:
    pending = session.info.get(_KEY)
    if not pending:
        return
    keep = []
    for entry in pending:
        if entry.inside(previous):
            _run(entry.on_discard)
        else:
            keep.append(entry)
    session.info[_KEY] = keep


def _ended(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        for pending in session.info.pop(_KEY, []):
            _run(pending.on_discard)


def install() -> None:
    """Listen on every session (idempotent: several apps in one process share it)."""
    for name, handler in (
        ("after_commit", _committed),
        ("after_soft_rollback", _rolled_back),
        ("after_transaction_end", _ended),
    ):
        if not event.contains(Session, name, handler):
            event.listen(Session, name, handler)
