"""put / stream / exists on both backends: a file exists only once its transaction commits."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from sqlalchemy import select, text

from riskctl.core import storage
from riskctl.core.db import db
from riskctl.core.storage.models import BlobChunk
from tests.core.storage.conftest import (
    KEPT,
    SCRATCH,
    blob_count,
    chunk_count,
    files_under,
    incoming,
)

MB = 1024 * 1024


def content(n: int, seed: int = 1) -> bytes:
    """``n`` bytes that differ from test to test (no two tests share a blob)."""
    block = os.urandom(64) + seed.to_bytes(4, "big")
    return (block * (n // len(block) + 1))[:n]


def scratch_folder(app) -> Path:
    return Path(app.config["ATTACHMENTS_DIR"]) / "test-scratch"


def test_a_file_lands_only_when_its_transaction_commits(app, storage_backend):
    data = content(3 * MB + 17)
    ref = storage.put(SCRATCH, data)
    assert (ref.sha256, ref.size) == (hashlib.sha256(data).hexdigest(), len(data))
    assert not storage.exists(ref)
    assert files_under(scratch_folder(app)) == []
    db.session.commit()
    assert storage.exists(ref)
    assert storage.read(ref) == data
    assert b"".join(storage.stream(ref)) == data
    if storage_backend == "filesystem":
        assert files_under(scratch_folder(app)) == [ref.name] and incoming(app) == []
        assert (scratch_folder(app) / ref.name).stat().st_mode & 0o222 == 0  # read-only
    else:
        assert files_under(scratch_folder(app)) == [] and chunk_count() == 4


def test_a_rolled_back_transaction_leaves_nothing(app, storage_backend):
    ref = storage.put(SCRATCH, content(2 * MB))
    if storage_backend == "filesystem":
        assert len(incoming(app)) == 1  # written and synced, under a temporary name
    db.session.rollback()
    assert not storage.exists(ref)
    assert files_under(scratch_folder(app)) == [] and incoming(app) == []
    assert blob_count() == 0


def test_a_savepoint_rolled_back_drops_only_its_own_files(app, storage_backend):
    kept = storage.put(SCRATCH, content(1000, 1))
    savepoint = db.session.begin_nested()
    dropped = storage.put(SCRATCH, content(1000, 2))
    savepoint.rollback()
    released = db.session.begin_nested()
    inner = storage.put(SCRATCH, content(1000, 3))
    released.commit()
    db.session.commit()
    assert storage.exists(kept) and storage.exists(inner) and not storage.exists(dropped)
    assert incoming(app) == []


def test_the_same_content_is_stored_once(app, storage_backend):
    data = content(1500)
    first, second = storage.put(SCRATCH, data), storage.put(SCRATCH, data)
    db.session.commit()
    again = storage.put(SCRATCH, data)
    db.session.commit()
    assert first == second == again and storage.read(again) == data
    if storage_backend == "database":
        assert (blob_count(), chunk_count()) == (1, 1)
    else:
        assert files_under(scratch_folder(app)) == [first.name] and incoming(app) == []


def test_a_named_file_keeps_its_name(app, storage_backend):
    ref = storage.put(SCRATCH, b"%PDF-1.4 named", name="named-2026-q1.pdf")
    db.session.commit()
    assert ref.name == "named-2026-q1.pdf" and storage.read(ref) == b"%PDF-1.4 named"
    if storage_backend == "filesystem":
        assert files_under(scratch_folder(app)) == ["named-2026-q1.pdf"]


def _tamper(app, ref: storage.FileRef, backend: str, offset: int) -> None:
    """Flip one byte at ``offset`` behind the service's back (the size stays)."""
    if backend == "filesystem":
        path = scratch_folder(app) / ref.name
        path.chmod(0o644)
        with path.open("r+b") as handle:
            handle.seek(offset)
            byte = handle.read(1)
            handle.seek(offset)
            handle.write(bytes([byte[0] ^ 0xFF]))
        return
    seq, at = divmod(offset, MB)
    chunk = db.session.scalar(
        select(BlobChunk).where(BlobChunk.sha256 == ref.sha256, BlobChunk.seq == seq)
    )
    chunk.data = chunk.data[:at] + bytes([chunk.data[at] ^ 0xFF]) + chunk.data[at + 1 :]
    db.session.commit()


def test_a_changed_file_is_refused_before_its_last_chunk(app, storage_backend):
    data = content(5 * MB + 3)
    ref = storage.put(SCRATCH, data)
    db.session.commit()
    _tamper(app, ref, storage_backend, 2 * MB + 5)
    received = []
    with pytest.raises(storage.StorageCorrupt) as caught:
        for chunk in storage.stream(ref):
            received.append(chunk)
    assert "SHA-256 不符" in caught.value.message
    assert 0 < sum(map(len, received)) < len(data)  # never the whole (changed) file


def test_a_missing_file_and_a_wrong_size_are_refused_at_once(app, storage_backend):
    ref = storage.put(SCRATCH, content(100))
    db.session.rollback()
    with pytest.raises(storage.StorageMissing):
        next(storage.stream(ref))
    stored = storage.put(SCRATCH, content(100, 7))
    db.session.commit()
    wrong = stored.with_hash(stored.sha256, stored.size + 1)
    assert not storage.exists(wrong)
    with pytest.raises(storage.StorageCorrupt):
        next(storage.stream(wrong))


def test_an_unwritable_directory_is_a_clear_error(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "STORAGE", "filesystem")
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    monkeypatch.setitem(app.config, "ATTACHMENTS_DIR", str(blocker / "attachments"))
    with pytest.raises(storage.StorageUnavailable) as caught:
        storage.put(SCRATCH, b"x")
    assert "不可写" in caught.value.message and "RISKCTL_ATTACHMENTS_DIR" in caught.value.message


def test_the_database_backend_works_whatever_the_directories(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "STORAGE", "database")
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    monkeypatch.setitem(app.config, "ATTACHMENTS_DIR", str(blocker / "attachments"))
    ref = storage.put(SCRATCH, b"kept in the database")
    db.session.commit()
    KEPT.append(ref)
    assert storage.read(ref) == b"kept in the database"
    assert db.session.execute(text("SELECT count(*) FROM storage_blobs")).scalar() == 1
