"""The report archive (报告存档) under REPORTS_DIR: written atomically, read back verified.

A file appears under its final name complete or not at all (temporary file in the
same directory, fsync, rename), and a download is refused unless the bytes on
disk still have the SHA-256 recorded at issue.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from pathlib import Path

from flask import current_app

from riskctl.core.errors import AppError

log = logging.getLogger(__name__)


class ArchiveUnavailable(AppError):
    """The reports directory cannot be written: nothing is issued."""

    status, code, message = 500, "archive_unavailable", "报告存档目录不可写，报告未签发"


class ArchiveCorrupt(AppError):
    """An archived file is missing or no longer matches its recorded SHA-256."""

    status, code, message = 500, "archive_corrupt", "存档的报告文件已缺失或被改动，已拒绝下载"


def reports_dir() -> Path:
    return Path(current_app.config["REPORTS_DIR"])


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write_atomic(name: str, data: bytes) -> Path:
    """Write ``data`` to REPORTS_DIR/``name`` so that no reader ever sees a partial file."""
    directory = reports_dir()
    temp: str | None = None
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=directory, prefix=f".{name}.", suffix=".part")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, 0o444)
        os.replace(temp, directory / name)
        temp = None
        _fsync_dir(directory)
    except OSError as exc:
        log.error("cannot write report %s to %s: %s", name, directory, exc)
        raise ArchiveUnavailable(
            f"报告存档目录 {directory} 不可写（{exc.strerror or exc}），报告未签发，"
            "请系统管理员检查 RISKCTL_REPORTS_DIR 的配置与权限"
        ) from exc
    finally:
        if temp is not None:
            Path(temp).unlink(missing_ok=True)
    return directory / name


def _fsync_dir(directory: Path) -> None:
    # The rename is durable only once the directory entry itself is on disk.
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def remove(name: str) -> None:
    """Drop a file this process wrote for an issue that did not complete."""
    (reports_dir() / name).unlink(missing_ok=True)


def read_verified(name: str, expected_sha256: str) -> bytes:
    """The archived bytes of ``name``; refused when missing or changed since issue."""
    path = reports_dir() / name
    try:
        data = path.read_bytes()
    except OSError as exc:
        log.error("archived report %s cannot be read: %s", path, exc)
        raise ArchiveCorrupt(
            f"存档的报告文件 {name} 缺失或无法读取，已拒绝下载，请联系系统管理员"
        ) from exc
    actual = sha256(data)
    if actual != expected_sha256:
        log.error(
            "archived report %s was changed: sha256 %s, recorded %s", path, actual, expected_sha256
        )
        raise ArchiveCorrupt(
            f"存档的报告文件 {name} 与签发时记录的 SHA-256 不符（可能被改动），已拒绝下载，"
            "请联系系统管理员核查"
        )
    return data
