"""``flask storage sweep | migrate | verify``: orphans go, moves finish, copies are checked."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from riskctl.core import clock, storage
from riskctl.core.db import db
from riskctl.core.storage import filesystem
from riskctl.reporting import archive, operations
from riskctl.reporting.models import QuarterlyReport
from riskctl.reporting.periods import quarter_of
from tests.core.storage.conftest import KEPT, SCRATCH, blob_count, files_under, incoming
from tests.core.storage.test_layer import content, scratch_folder

TWO_DAYS = 2 * 24 * 3600


def age(path: Path, seconds: float = TWO_DAYS) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then), follow_symlinks=False)


def run(app, *args: str):
    return app.test_cli_runner().invoke(args=["storage", *args])


def test_sweep_removes_old_orphans_and_nothing_else(app, monkeypatch):
    monkeypatch.setitem(app.config, "STORAGE", "filesystem")
    kept = storage.put(SCRATCH, content(300, 1))
    db.session.commit()
    KEPT.append(kept)
    folder = scratch_folder(app)
    age(folder / kept.name)
    orphan = storage.put(SCRATCH, content(300, 2))  # landed, but no row references it
    young = storage.put(SCRATCH, content(300, 3))
    db.session.commit()
    age(folder / orphan.name)
    half = Path(app.config["ATTACHMENTS_DIR"]) / ".incoming" / f"{'e' * 64}.abc.part"
    half.write_bytes(b"half a file")
    age(half)
    fresh_temp = half.with_name(f"{'f' * 64}.def.part")
    fresh_temp.write_bytes(b"a request still running")
    reports = Path(app.config["REPORTS_DIR"])
    reports.mkdir(parents=True)
    (reports / "README.md").write_text("说明")
    (reports / "2025-Q1-v9.pdf").write_bytes(b"%PDF- written by a request that failed")
    age(reports / "README.md")
    age(reports / "2025-Q1-v9.pdf")

    result = run(app, "sweep")

    assert result.exit_code == 0, result.output
    assert "删除 3 个孤儿文件" in result.output and orphan.name in result.output
    assert files_under(folder) == sorted([kept.name, young.name])
    assert incoming(app) == [fresh_temp.name]
    assert files_under(reports) == ["README.md"]
    assert run(app, "sweep", "--min-age-hours", "0").output.count("已清理") == 2


def test_sweep_ages_files_by_the_clock_that_stamped_them(app, monkeypatch):
    """A host whose clock runs hours ahead of the file server's (or a test clock set
    back) must not take a request's file in flight for an old one, nor keep old ones."""
    monkeypatch.setitem(app.config, "STORAGE", "filesystem")
    storage.put(SCRATCH, content(10, 1))  # makes the folders
    db.session.commit()
    temp_dir = Path(app.config["ATTACHMENTS_DIR"]) / ".incoming"
    in_flight = temp_dir / f"{'a' * 64}.abc.part"
    in_flight.write_bytes(b"a request still running")
    left = temp_dir / f"{'b' * 64}.abc.part"
    left.write_bytes(b"left by a killed request")
    stamp = left.lstat().st_mtime - 2 * 3600  # two hours before, by the server's clock
    os.utime(left, (stamp, stamp))
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + 5 * 3600)  # this host: 5 h ahead

    result = run(app, "sweep", "--min-age-hours", "1")

    assert result.exit_code == 0 and "删除 1 个孤儿文件" in result.output, result.output
    assert incoming(app) == [in_flight.name]


def test_sweep_finishes_a_move_its_worker_never_made(app, monkeypatch, caplog):
    """The row committed, then the worker died before the rename: the file is put in place."""
    monkeypatch.setitem(app.config, "STORAGE", "filesystem")

    def die(temp, target):
        raise OSError("worker killed")

    land = filesystem.land
    monkeypatch.setattr(filesystem, "land", die)
    ref = storage.put(SCRATCH, content(2048))
    db.session.commit()
    KEPT.append(ref)
    monkeypatch.setattr(filesystem, "land", land)
    assert not storage.exists(ref) and len(incoming(app)) == 1
    assert any("could not be finished" in r.message for r in caplog.records)

    result = run(app, "sweep")

    assert "补齐 1 个文件" in result.output
    assert storage.read(ref) == content_of(app, ref)


def content_of(app, ref) -> bytes:
    return (scratch_folder(app) / ref.name).read_bytes()


def _issue() -> QuarterlyReport:
    previous = quarter_of(clock.today()).previous()
    report = operations.issue_report(previous.year, previous.number, "legal")
    db.session.commit()
    return report


def test_migrate_to_the_database_and_back_checks_every_file(app, bureau, monkeypatch, tmp_path):
    monkeypatch.setitem(app.config, "STORAGE", "filesystem")
    refs = [storage.put(SCRATCH, content(n, n)) for n in (10, 1024 * 1024 + 1, 3 * 1024 * 1024)]
    refs.append(storage.put(SCRATCH, b"%PDF-1.4", name="named-a.pdf"))
    report = _issue()
    KEPT.extend(refs)
    db.session.commit()

    moved = run(app, "migrate", "--to", "database")

    assert moved.exit_code == 0, moved.output
    assert "复制 6 个" in moved.output and "失败 0 个" in moved.output
    monkeypatch.setitem(app.config, "STORAGE", "database")
    monkeypatch.setitem(app.config, "ATTACHMENTS_DIR", str(tmp_path / "elsewhere"))
    monkeypatch.setitem(app.config, "REPORTS_DIR", str(tmp_path / "elsewhere-reports"))
    assert [storage.read(r) for r in refs[3:]] == [b"%PDF-1.4"]
    assert archive.read_pdf(report)[:5] == b"%PDF-"
    assert run(app, "verify").exit_code == 0
    again = run(app, "migrate", "--to", "database")
    assert "复制 0 个" in again.output and "已存在且校验通过 6 个" in again.output

    back = run(app, "migrate", "--to", "filesystem")

    assert back.exit_code == 0 and "复制 6 个" in back.output, back.output
    monkeypatch.setitem(app.config, "STORAGE", "filesystem")
    assert all(storage.exists(r) for r in refs)
    assert json.loads(storage.read(archive.data_ref(report)))["report"]["sha256"] == report.sha256
    assert run(app, "verify").exit_code == 0


def test_migrate_refuses_a_changed_file_and_names_it(app, monkeypatch):
    monkeypatch.setitem(app.config, "STORAGE", "filesystem")
    good, bad = storage.put(SCRATCH, content(100, 1)), storage.put(SCRATCH, content(100, 2))
    db.session.commit()
    KEPT.extend([good, bad])
    path = scratch_folder(app) / bad.name
    path.chmod(0o644)
    path.write_bytes(b"x" * 100)

    result = run(app, "migrate", "--to", "database")

    assert result.exit_code == 1
    assert bad.name in result.output and "SHA-256 不符" in result.output
    assert "复制 1 个" in result.output and blob_count() == 1
    verify = run(app, "verify")
    assert verify.exit_code == 1 and bad.name in verify.output


def test_migrate_records_the_hash_of_a_report_json_archived_before_0012(app, bureau, monkeypatch):
    monkeypatch.setitem(app.config, "STORAGE", "filesystem")
    report = _issue()
    report.data_sha256 = report.data_size = None
    db.session.commit()

    result = run(app, "migrate", "--to", "database")

    assert result.exit_code == 0 and "补记哈希 1 个" in result.output, result.output
    db.session.expire_all()
    kept = db.session.scalar(select(QuarterlyReport))
    assert kept.data_sha256 and kept.data_size
    monkeypatch.setitem(app.config, "STORAGE", "database")
    assert json.loads(storage.read(archive.data_ref(kept)))["report"]["version"] == 1


def test_a_filesystem_deployment_records_the_hashes_of_files_archived_before_0012(
    app, bureau, monkeypatch
):
    monkeypatch.setitem(app.config, "STORAGE", "filesystem")
    report = _issue()
    report.data_sha256 = report.data_size = None
    db.session.commit()
    refused = run(app, "verify")
    assert refused.exit_code == 1 and "没有记录 SHA-256" in refused.output

    result = run(app, "migrate", "--to", "filesystem")

    assert result.exit_code == 0 and "补记哈希 1 个" in result.output, result.output
    assert "失败 0 个" in result.output and blob_count() == 0  # nothing went to the database
    db.session.expire_all()
    kept = db.session.scalar(select(QuarterlyReport))
    assert kept.data_sha256 and kept.data_size
    assert json.loads(storage.read(archive.data_ref(kept)))["report"]["version"] == 1
    assert run(app, "verify").exit_code == 0


@pytest.mark.parametrize("bad", ["s3", ""])
def test_an_unknown_backend_stops_the_service_from_starting(bad, monkeypatch):
    from riskctl import create_app
    from riskctl.config import ConfigError

    monkeypatch.setenv("RISKCTL_STORAGE", bad or "nonsense")
    with pytest.raises(ConfigError):
        create_app({"SECRET_KEY": "x", "PII_KEY": "y", "ENV": "testing"})
