"""kill -9 in the middle of an import and of a report issue: no half file, no orphan row.

A real process on the test's database is killed with SIGKILL at three moments. Before
the commit nothing may be left but, on the filesystem backend, a temporary file that
``storage sweep`` removes; just after the commit the rows stand and the file must be
there too (the database backend) or be put in place by the sweep (the filesystem).
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from riskctl.core import storage
from riskctl.core.audit import AuditEntry
from riskctl.core.db import db
from riskctl.inspections.models import RosterImport, Target
from riskctl.inspections.rosters import imports as rosters
from riskctl.reporting import archive
from riskctl.reporting.models import QuarterlyReport
from tests.conftest import worker_context
from tests.core.storage import crash_child
from tests.core.storage.conftest import blob_count, chunk_count, files_under, incoming
from tests.inspections.conftest import targets_csv

ROWS = 12_000  # a 1.2 MB roster: two chunks, a real bulk insert


def kill_mid_way(app, database_url, tmp_path, scenario: str, point: str) -> None:
    """Run the child in a process of its own until it says READY, then SIGKILL it."""
    roster = tmp_path / "targets.csv"
    roster.write_bytes(targets_csv(ROWS))
    config = {
        "database_url": database_url,
        "instance": str(tmp_path / "child-instance"),
        "reports": app.config["REPORTS_DIR"],
        "attachments": app.config["ATTACHMENTS_DIR"],
        "storage": app.config["STORAGE"],
        "scenario": scenario,
        "point": point,
        "file": str(roster),
    }
    db.session.remove()  # this process holds no lock while the child works
    ctx = worker_context()
    ours, theirs = ctx.Pipe(duplex=False)
    child = ctx.Process(target=crash_child.main, args=(config, theirs))
    child.start()
    theirs.close()
    said = "silent for 120 s"
    try:
        if ours.poll(120):
            said = ours.recv()  # READY, or the traceback of a child that failed first
    except EOFError:
        said = "gone without a word"
    finally:
        if child.is_alive():
            os.kill(child.pid, signal.SIGKILL)
        child.join(120)
    assert said == "READY", f"the child (exit code {child.exitcode}): {said}"
    assert child.exitcode == -signal.SIGKILL


def area_files(app, scenario: str) -> list[str]:
    if scenario == "import":
        return files_under(Path(app.config["ATTACHMENTS_DIR"]) / "roster-imports")
    reports = Path(app.config["REPORTS_DIR"])
    return [n for n in files_under(reports) if not n.startswith(".")]


def rows(scenario: str) -> int:
    if scenario == "import":
        return db.session.scalar(select(func.count()).select_from(RosterImport)) + (
            db.session.scalar(select(func.count()).select_from(Target))
        )
    return db.session.scalar(select(func.count()).select_from(QuarterlyReport))


@pytest.mark.parametrize(
    ("scenario", "point"),
    [("import", "writing"), ("issue", "writing"), ("import", "before-commit")],
)
def test_a_worker_killed_before_its_commit_leaves_no_half_file_and_no_row(
    app, bureau, database_url, tmp_path, storage_backend, scenario, point
):
    kill_mid_way(app, database_url, tmp_path, scenario, point)

    assert rows(scenario) == 0
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == (
        db.session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(~AuditEntry.action.in_(["inspection.targets.import", "report.issue"]))
        )
    )
    assert area_files(app, scenario) == []
    assert (blob_count(), chunk_count()) == (0, 0)
    left = incoming(app)
    if storage_backend == "database":
        assert left == []
        return
    assert len(left) == 1
    assert all(name.endswith(".part") for name in left)  # never under a real name
    swept = app.test_cli_runner().invoke(args=["storage", "sweep", "--min-age-hours", "0"])
    assert f"删除 {len(left)} 个孤儿文件" in swept.output, swept.output
    assert incoming(app) == [] and area_files(app, scenario) == []


@pytest.mark.parametrize(
    ("storage_backend", "scenario"),
    [("filesystem", "import"), ("filesystem", "issue"), ("database", "import")],
    indirect=["storage_backend"],
)
def test_a_worker_killed_just_after_its_commit_loses_no_file(
    app, bureau, database_url, tmp_path, storage_backend, scenario
):
    kill_mid_way(app, database_url, tmp_path, scenario, "after-commit")

    assert rows(scenario) > 0
    if scenario == "import":
        record = db.session.scalar(select(RosterImport))
        refs = [rosters.archive_ref(record)]
        expected = [targets_csv(ROWS)]
    else:
        report = db.session.scalar(select(QuarterlyReport))
        refs = [archive.pdf_ref(report), archive.data_ref(report)]
        expected = [None, None]
    if storage_backend == "filesystem":
        assert not any(storage.exists(ref) for ref in refs)  # the rename never happened
        swept = app.test_cli_runner().invoke(args=["storage", "sweep"])
        assert f"补齐 {len(refs)} 个文件" in swept.output, swept.output
        assert incoming(app) == [] or all(n.endswith(".part") for n in incoming(app))
    for ref, content in zip(refs, expected, strict=True):
        data = storage.read(ref)  # checked against the row's SHA-256
        assert content is None or data == content
