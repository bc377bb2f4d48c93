"""Helpers for the storage layer's tests: an area of its own, and looks at the disk."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from riskctl.core import storage
from riskctl.core.db import db
from riskctl.core.storage.models import Blob, BlobChunk
from riskctl.reporting import archive

# Files a test puts count as referenced while the test says so.
KEPT: list[storage.FileRef] = []

SCRATCH = storage.register(
    storage.Area(
        "test-scratch",
        "测试文件",
        lambda: iter(list(KEPT)),
        folder="test-scratch",
        names=re.compile(r"[0-9a-f]{2}/[0-9a-f]{64}|named-[a-z0-9.-]+"),
    )
)


@pytest.fixture(autouse=True)
def _own_directories(app, tmp_path, monkeypatch) -> Iterator[None]:
    """Each test starts with empty directories; what it put counts as referenced."""
    monkeypatch.setitem(app.config, "REPORTS_DIR", str(tmp_path / "reports"))
    monkeypatch.setitem(app.config, "ATTACHMENTS_DIR", str(tmp_path / "attachments"))
    yield
    KEPT.clear()


def files_under(folder: Path) -> list[str]:
    """Every file below ``folder`` (temporary ones included), relative, sorted."""
    if not folder.is_dir():
        return []
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def incoming(app) -> list[str]:
    found = []
    for key in ("REPORTS_DIR", "ATTACHMENTS_DIR"):
        found += files_under(Path(app.config[key]) / ".incoming")
    return found


def blob_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Blob))


def chunk_count() -> int:
    return db.session.scalar(select(func.count()).select_from(BlobChunk))


__all__ = ["KEPT", "SCRATCH", "archive", "blob_count", "chunk_count", "files_under", "incoming"]
