"""A worker that imports a roster or issues a report, and stops at a chosen moment to be killed.

The test starts ``main`` in a process of its own (forked from the concurrency tests'
fork server, ``tests.conftest.worker_context``: a fresh process with its own app and
connections, the app's modules already imported), waits for ``READY`` on the pipe,
then sends SIGKILL, as a host losing power or the OOM killer would. Points:
``writing`` (half of the file written), ``before-commit`` (everything written and
flushed), ``after-commit`` (committed; files not yet moved).
"""

from __future__ import annotations

import sys
import time
import traceback
from collections.abc import Iterable, Iterator
from multiprocessing.connection import Connection
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.orm import Session

# The pipe to the test, set by ``main``.
_to_test: list[Connection] = []


def wait_to_be_killed(*_: object) -> None:
    _to_test[0].send("READY")
    time.sleep(600)
    sys.exit(3)


def halt_half_way(backend: type) -> None:
    original = backend.write

    def write(self, ref, chunks: Iterable[bytes]):
        def half(chunks: Iterable[bytes]) -> Iterator[bytes]:
            written = 0
            for chunk in chunks:
                room = ref.size // 2 - written
                yield chunk[:room]
                written += min(len(chunk), room)
                if written >= ref.size // 2:
                    wait_to_be_killed()

        return original(self, ref, half(chunks))

    backend.write = write


def main(config: dict, to_test: Connection) -> None:
    """Run the scenario; the test hears ``READY`` at the point, or the traceback."""
    _to_test.append(to_test)
    try:
        run(config)
    except BaseException:
        to_test.send(traceback.format_exc())
        raise
    to_test.send("FINISHED")


def run(config: dict) -> None:
    from riskctl import create_app
    from riskctl.core import clock
    from riskctl.core.db import db
    from riskctl.core.storage.database import DatabaseBackend
    from riskctl.core.storage.filesystem import FilesystemBackend
    from riskctl.inspections.rosters.imports import import_roster
    from riskctl.reporting import operations as reporting
    from riskctl.reporting.periods import quarter_of

    app = create_app(
        {
            "ENV": "testing",
            "INSTANCE_PATH": config["instance"],
            "SQLALCHEMY_DATABASE_URI": config["database_url"],
            "SECRET_KEY": "test-secret",
            "PII_KEY": "test-pii-key",
            "REPORTS_DIR": config["reports"],
            "ATTACHMENTS_DIR": config["attachments"],
            "STORAGE": config["storage"],
        }
    )
    point = config["point"]
    if point == "writing":
        halt_half_way(FilesystemBackend)
        halt_half_way(DatabaseBackend)
    elif point == "before-commit":
        event.listen(Session, "before_commit", wait_to_be_killed)
    else:  # after-commit, ahead of the storage layer's own listener
        event.listen(Session, "after_commit", wait_to_be_killed, insert=True)
    with app.app_context():
        if config["scenario"] == "import":
            data = Path(config["file"]).read_bytes()
            import_roster("targets", data, "targets.csv", None, "legal")
        else:
            previous = quarter_of(clock.today()).previous()
            reporting.issue_report(previous.year, previous.number, "legal")
        db.session.commit()
