"""The filesystem backend (the default): ``reports/`` and ``instance/attachments``.

A file is written to ``<root>/.incoming/<sha256>.<random>.part`` and synced while
the request runs, and renamed to its place only after the transaction commits; a
rollback removes it. A killed worker leaves at most a temporary file there, never a
file under a real name: ``storage sweep`` removes it after a day, or finishes the
move if its transaction did commit.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path, PurePosixPath

from flask import current_app

from riskctl.core.storage import transaction
from riskctl.core.storage.base import (
    Area,
    FileRef,
    StorageCorrupt,
    StorageMissing,
    StorageUnavailable,
    area_named,
)

log = logging.getLogger(__name__)

INCOMING = ".incoming"
BLOCK = 1024 * 1024


def root_of(area: Area) -> Path:
    return Path(current_app.config[area.root])


def folder_of(area: Area) -> Path:
    return root_of(area) / area.folder if area.folder else root_of(area)


def incoming_of(area: Area) -> Path:
    return root_of(area) / INCOMING


def path_of(ref: FileRef) -> Path:
    area = area_named(ref.area)
    name = PurePosixPath(ref.name)
    if name.is_absolute() or ".." in name.parts or not area.names.fullmatch(ref.name):
        raise ValueError(f"not a name of storage area {ref.area}: {ref.name!r}")
    return folder_of(area).joinpath(*name.parts)


def fsync_dir(directory: Path) -> None:
    """A rename is durable only once the directory entry itself is on disk."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def land(temp: Path, target: Path) -> None:
    """Move a complete, synced temporary file to its name."""
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(temp, target)
    fsync_dir(target.parent)


def write_temp(area: Area, chunks: Iterable[bytes], prefix: str) -> tuple[Path, str, int]:
    """Write ``chunks`` to a synced, read-only file in the area's incoming folder."""
    incoming = incoming_of(area)
    incoming.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=incoming, prefix=f"{prefix}.", suffix=".part")
    temp = Path(name)
    digest, size = hashlib.sha256(), 0
    try:
        with os.fdopen(fd, "wb") as handle:
            for chunk in chunks:
                handle.write(chunk)
                digest.update(chunk)
                size += len(chunk)
            handle.flush()
            os.fsync(handle.fileno())
        temp.chmod(0o444)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return temp, digest.hexdigest(), size


class FilesystemBackend:
    name = "filesystem"

    def write(self, ref: FileRef, chunks: Iterable[bytes]) -> FileRef:
        area = area_named(ref.area)
        target = path_of(ref)
        try:
            temp, sha256, size = write_temp(area, chunks, ref.sha256 or "unhashed")
        except OSError as exc:
            log.error("cannot write %s to %s: %s", ref.name, incoming_of(area), exc)
            raise StorageUnavailable(
                f"{area.label}目录 {root_of(area)} 不可写（{exc.strerror or exc}），"
                f"本次操作未保存，请系统管理员检查 RISKCTL_{area.root} 的配置与权限"
            ) from exc
        if ref.sha256 not in (None, sha256) or ref.size not in (None, size):
            temp.unlink(missing_ok=True)
            raise StorageCorrupt(f"写入的文件 {ref.name} 与预期的 SHA-256 不符，未保存")
        transaction.defer(lambda: land(temp, target), lambda: temp.unlink(missing_ok=True))
        return ref.with_hash(sha256, size)

    def size(self, ref: FileRef) -> int | None:
        try:
            return path_of(ref).stat().st_size
        except OSError:
            return None

    def chunks(self, ref: FileRef) -> Iterator[bytes]:
        path = path_of(ref)
        try:
            handle = path.open("rb")
        except OSError as exc:
            log.error("stored file %s cannot be read: %s", path, exc)
            raise StorageMissing(f"文件 {ref.name} 缺失或无法读取，请联系系统管理员") from exc
        with handle:
            while block := handle.read(BLOCK):
                yield block

    def landed(self, ref: FileRef) -> bool:
        return path_of(ref).is_file()
