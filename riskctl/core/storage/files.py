"""put / stream / read / exists, on the backend that ``RISKCTL_STORAGE`` names.

Every read is checked against the size and SHA-256 its row recorded. A stream
holds back its last chunk until the whole file has been hashed, so a reader
never receives a complete copy of changed bytes: a mismatch raises instead.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Iterator

from flask import current_app

from riskctl.core.storage.base import Area, FileRef, StorageCorrupt, StorageMissing
from riskctl.core.storage.database import DatabaseBackend
from riskctl.core.storage.filesystem import FilesystemBackend

log = logging.getLogger("riskctl.core.storage")

BACKENDS = {"filesystem": FilesystemBackend(), "database": DatabaseBackend()}
PIECE = 1024 * 1024


def backend(name: str | None = None) -> FilesystemBackend | DatabaseBackend:
    return BACKENDS[name or current_app.config["STORAGE"]]


def put(area: Area, data: bytes, name: str | None = None) -> FileRef:
    """Store ``data`` as part of the current transaction; it lands when that commits.

    Without ``name`` the file is named by its content (``ab/abcdef…``).
    """
    sha256 = hashlib.sha256(data).hexdigest()
    ref = area.content_ref(sha256, len(data)) if name is None else area.ref(name, sha256, len(data))
    view = memoryview(data)
    return backend().write(ref, (view[i : i + PIECE] for i in range(0, len(data), PIECE)))


def exists(ref: FileRef, on: str | None = None) -> bool:
    """Whether the store holds the file under ``ref`` (its size, if recorded, matching)."""
    size = backend(on).size(ref)
    return size is not None and (ref.size is None or size == ref.size)


def stream(ref: FileRef, on: str | None = None) -> Iterator[bytes]:
    """The file's bytes in chunks, checked against the row's SHA-256 and size.

    Missing → ``StorageMissing`` and a different size → ``StorageCorrupt``, both at
    the first ``next()``; changed content → ``StorageCorrupt`` before the last chunk.
    """
    store = backend(on)
    if ref.sha256 is None:
        raise StorageCorrupt(f"文件 {ref.name} 没有记录 SHA-256，无法校验，已拒绝读取")
    size = store.size(ref)
    if size is None:
        log.error("stored file %s/%s is missing (%s backend)", ref.area, ref.name, store.name)
        raise StorageMissing(f"文件 {ref.name} 缺失或无法读取，请联系系统管理员")
    if ref.size is not None and size != ref.size:
        _changed(ref, f"{size} bytes", f"{ref.size} bytes")
    yield from _checked(ref, store.chunks(ref))


def _checked(ref: FileRef, chunks: Iterable[bytes]) -> Iterator[bytes]:
    digest, held = hashlib.sha256(), None
    for chunk in chunks:
        if held is not None:
            yield held
        digest.update(chunk)
        held = chunk
    if digest.hexdigest() != ref.sha256:
        _changed(ref, f"sha256 {digest.hexdigest()}", f"sha256 {ref.sha256}")
    if held is not None:
        yield held


def _changed(ref: FileRef, found: str, recorded: str) -> None:
    log.error("stored file %s/%s was changed: %s, recorded %s", ref.area, ref.name, found, recorded)
    raise StorageCorrupt(
        f"文件 {ref.name} 与记录的 SHA-256 不符（可能被改动），已拒绝读取，请联系系统管理员核查"
    )


def read(ref: FileRef, on: str | None = None) -> bytes:
    """The whole file, checked; for files a request parses (previews, small archives)."""
    return b"".join(stream(ref, on))
