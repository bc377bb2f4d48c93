"""One storage layer for every file the service keeps (文件存储).

``put`` stores bytes as part of the current transaction, ``stream``/``read`` give
them back checked against the SHA-256 and size their row recorded, ``exists``
says whether they are there, and ``send`` serves them as a download. There is no
delete: nothing is hard-deleted. ``RISKCTL_STORAGE`` picks the backend:
``filesystem`` (default; files land on disk only when their transaction commits)
or ``database`` (blobs in the same transaction as their row, for several hosts).
Another backend (an S3-compatible object store, 政务云对象存储) would plug in next
to these two, behind the same four calls.
"""

from flask import Flask

from riskctl.core.storage.base import (
    Area,
    FileRef,
    StorageCorrupt,
    StorageError,
    StorageMissing,
    StorageUnavailable,
    areas,
    register,
)
from riskctl.core.storage.downloads import UNKNOWN as UNKNOWN_TYPE
from riskctl.core.storage.downloads import send, sniff
from riskctl.core.storage.files import backend, exists, put, read, stream
from riskctl.core.storage.names import clean_filename

__all__ = [
    "UNKNOWN_TYPE",
    "Area",
    "FileRef",
    "StorageCorrupt",
    "StorageError",
    "StorageMissing",
    "StorageUnavailable",
    "areas",
    "backend",
    "clean_filename",
    "exists",
    "install",
    "put",
    "read",
    "register",
    "send",
    "sniff",
    "stream",
]


def install(app: Flask) -> None:
    """Finish files with their transactions; the ``storage`` commands; staged previews."""
    from riskctl.core.storage import cli, staging, transaction

    transaction.install()
    staging.AREA  # noqa: B018 (registers the area of staged previews)
    app.cli.add_command(cli.storage_cli)
