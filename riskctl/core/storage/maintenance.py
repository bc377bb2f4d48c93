"""Keeping the store whole: sweep filesystem orphans, move files between backends, verify.

- ``sweep``: temporary files of requests that died (older than ``min_age``) and
  files that no row references are removed; a temporary file whose transaction
  did commit (the worker died between the commit and the rename) is put in place.
- ``migrate``: every referenced file is copied to the other backend, each read
  checked against its row's SHA-256 and each copy read back and checked again.
- ``verify``: every referenced file is read on the current backend and checked.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from flask import current_app

from riskctl.core.db import db
from riskctl.core.storage.base import Area, FileRef, StorageCorrupt, StorageError, areas
from riskctl.core.storage.files import backend, exists, stream
from riskctl.core.storage.filesystem import (
    BLOCK,
    folder_of,
    fsync_dir,
    incoming_of,
    path_of,
)

log = logging.getLogger(__name__)


@dataclass
class SweepReport:
    removed: list[tuple[Path, int]] = field(default_factory=list)
    recovered: list[Path] = field(default_factory=list)


@dataclass
class CopyReport:
    copied: int = 0
    present: int = 0
    adopted: int = 0
    checked: int = 0
    failures: list[str] = field(default_factory=list)


def _references() -> Iterator[tuple[Area, FileRef]]:
    """Every file the rows reference, once per name."""
    for area in areas():
        seen: set[str] = set()
        for ref in list(area.references()):
            if ref.name not in seen:
                seen.add(ref.name)
                yield area, ref


class _Ages:
    """Whether a file is older than ``min_age``, by the clock that stamped it.

    A file's time is written by the filesystem -- on a network filesystem, by the
    server's clock, which need not agree with this host's (nor does a host whose
    clock was set back). "Now" is therefore read the same way: the time stamped on
    a probe file made in the same directory, this host's clock only if it cannot
    write there.
    """

    def __init__(self, min_age: timedelta) -> None:
        self.min_age = min_age.total_seconds()
        self._now: dict[Path, float] = {}

    def _now_in(self, directory: Path) -> float:
        if directory not in self._now:
            try:
                fd, probe = tempfile.mkstemp(dir=directory, prefix=".now-")
            except OSError:
                self._now[directory] = time.time()
            else:
                try:
                    self._now[directory] = os.fstat(fd).st_mtime
                finally:
                    os.close(fd)
                    os.unlink(probe)
        return self._now[directory]

    def old(self, path: Path) -> bool:
        try:
            stamped = path.lstat().st_mtime
        except FileNotFoundError:
            return False
        return stamped <= self._now_in(path.parent) - self.min_age


def _remove(path: Path, report: SweepReport) -> None:
    size = path.lstat().st_size
    path.unlink(missing_ok=True)
    report.removed.append((path, size))
    log.info("storage sweep removed %s (%d bytes)", path, size)


def _hash_file(path: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as handle:
        while block := handle.read(BLOCK):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


def _temporary_files() -> Iterator[Path]:
    for incoming in sorted({incoming_of(area) for area in areas()}):
        if incoming.is_dir():
            yield from sorted(p for p in incoming.iterdir() if p.name.endswith(".part"))


def _recover(refs: list[FileRef], report: SweepReport) -> None:
    """Put in place the files whose rows committed while their rename never happened."""
    waiting: dict[str, list[Path]] = {}
    for temp in _temporary_files():
        waiting.setdefault(temp.name.split(".", 1)[0], []).append(temp)
    for ref in refs:
        target = path_of(ref)
        if ref.sha256 not in waiting or target.exists():
            continue
        for temp in waiting[ref.sha256]:
            sha256, size = _hash_file(temp)
            if sha256 == ref.sha256 and ref.size in (None, size):
                target.parent.mkdir(parents=True, exist_ok=True)
                os.link(temp, target)
                fsync_dir(target.parent)
                report.recovered.append(target)
                log.warning("storage sweep put %s in place from %s", target, temp)
                break


def sweep(min_age: timedelta = timedelta(days=1)) -> SweepReport:
    """Remove filesystem orphans older than ``min_age``; finish interrupted moves."""
    report = SweepReport()
    ages = _Ages(min_age)
    referenced: dict[str, set[str]] = {area.name: set() for area in areas()}
    refs = []
    for area, ref in _references():
        referenced[area.name].add(ref.name)
        refs.append(ref)
    if current_app.config["STORAGE"] == "filesystem":
        _recover([r for r in refs if r.sha256], report)
    for temp in _temporary_files():
        if ages.old(temp):
            _remove(temp, report)
    for area in areas():
        folder = folder_of(area)
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            name = path.relative_to(folder).as_posix()
            if (
                any(part.startswith(".") for part in name.split("/"))
                or not path.is_file()
                or path.is_symlink()
                or not area.names.fullmatch(name)
                or name in referenced[area.name]
            ):
                continue
            if ages.old(path):
                _remove(path, report)
    return report


def _hash_on(ref: FileRef, on: str) -> FileRef:
    """A legacy reference (no SHA-256 or size recorded) completed from the stored bytes."""
    digest, size = hashlib.sha256(), 0
    for chunk in backend(on).chunks(ref):
        digest.update(chunk)
        size += len(chunk)
    if ref.sha256 is not None and digest.hexdigest() != ref.sha256:
        raise StorageCorrupt(f"文件 {ref.name} 与记录的 SHA-256 不符（可能被改动）")
    return ref.with_hash(digest.hexdigest(), size)


def _read_through(ref: FileRef, on: str) -> None:
    for _ in stream(ref, on):
        pass


def migrate(to: str) -> CopyReport:
    """Copy every referenced file to backend ``to``; each copy is read back and checked.

    A file archived before 0012 (no SHA-256 or size on its row) is hashed where it lies
    and the hash recorded first: only the filesystem can hold a file without a recorded
    SHA-256, so ``--to filesystem`` on a filesystem deployment records them in place.
    """
    source = "filesystem" if to == "database" else "database"
    report = CopyReport()
    for area, ref in _references():
        try:
            if ref.sha256 is None or ref.size is None:
                if area.adopt is None:
                    raise StorageCorrupt(f"文件 {ref.name} 没有记录 SHA-256，无法迁移")
                on = "filesystem" if ref.sha256 is None or exists(ref, "filesystem") else source
                ref = _hash_on(ref, on)
                area.adopt(ref)
                db.session.commit()
                report.adopted += 1
            if exists(ref, on=to):
                _read_through(ref, to)
                report.present += 1
                continue
            backend(to).write(ref, stream(ref, on=source))
            db.session.commit()
            _read_through(ref, to)
            report.copied += 1
        except StorageError as exc:
            db.session.rollback()
            report.failures.append(f"{area.label} {ref.name}：{exc.message}")
    return report


def verify(on: str | None = None) -> CopyReport:
    """Read every referenced file on the current backend and check its SHA-256."""
    report = CopyReport()
    for area, ref in _references():
        try:
            _read_through(ref, on)
            report.checked += 1
        except StorageError as exc:
            report.failures.append(f"{area.label} {ref.name}：{exc.message}")
    return report
