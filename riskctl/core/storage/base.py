"""What the storage layer stores: areas, references to files, and its errors.

An **area** is a family of files one module keeps (issued reports, leniency
attachments, roster archives …). Each file is named by a :class:`FileRef` that
its owner row can rebuild at any time: the area, the name in the area, and the
SHA-256 and size recorded in the row. Each area also lists every file its rows
reference, which the maintenance commands (sweep, migrate, verify) walk.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from riskctl.core.errors import AppError

CONTENT_NAME = re.compile(r"[0-9a-f]{2}/[0-9a-f]{64}")


@dataclass(frozen=True)
class FileRef:
    """A stored file as its row records it.

    ``sha256`` and ``size`` are None only for files archived before their row
    recorded them (a report's JSON, a roster archive's size before revision 0012).
    """

    area: str
    name: str
    sha256: str | None
    size: int | None

    def with_hash(self, sha256: str, size: int) -> FileRef:
        return replace(self, sha256=sha256, size=size)


@dataclass(frozen=True)
class Area:
    """A family of files: where the filesystem backend keeps them and who references them.

    ``root`` is the config key of the base directory and ``folder`` the area's folder
    in it. ``names`` matches every name the area writes: the sweep touches nothing
    else (``reports/README.md`` stays). ``references`` lists the files the rows
    reference; ``adopt`` records the hash of a file archived before its row kept one.
    """

    name: str
    label: str
    references: Callable[[], Iterable[FileRef]]
    root: str = "ATTACHMENTS_DIR"
    folder: str = ""
    names: re.Pattern[str] = CONTENT_NAME
    adopt: Callable[[FileRef], None] | None = None

    def ref(self, name: str, sha256: str | None, size: int | None) -> FileRef:
        return FileRef(self.name, name, sha256, size)

    def content_ref(self, sha256: str, size: int) -> FileRef:
        """A file named by its content: ``ab/abcdef…`` (the same bytes are stored once)."""
        return FileRef(self.name, content_name(sha256), sha256, size)


def content_name(sha256: str) -> str:
    return f"{sha256[:2]}/{sha256}"


_AREAS: dict[str, Area] = {}


def register(new: Area) -> Area:
    """Make ``new`` known to the maintenance commands; one area per name."""
    known = _AREAS.setdefault(new.name, new)
    if (known.root, known.folder) != (new.root, new.folder):
        raise ValueError(f"storage area {new.name!r} registered twice with different folders")
    return new


def areas() -> list[Area]:
    return list(_AREAS.values())


def area_named(name: str) -> Area:
    return _AREAS[name]


class StorageError(AppError):
    status, code, message = 500, "storage_error", "文件存储出错，请联系系统管理员"


class StorageUnavailable(StorageError):
    """The store cannot take the file: nothing is recorded."""

    code, message = "storage_unavailable", "文件存储不可写，本次操作未保存"


class StorageMissing(StorageError):
    """A file its row references is not in the store."""

    code, message = "file_missing", "文件已缺失或无法读取，请联系系统管理员"


class StorageCorrupt(StorageError):
    """A stored file no longer has the size or SHA-256 its row recorded."""

    code, message = "file_corrupt", "文件与记录的 SHA-256 不符（可能被改动），已拒绝读取"
