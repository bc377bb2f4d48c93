"""Serving a stored file: always a download, typed by its content, streamed and checked.

The type comes from the first bytes of the file, from a short whitelist; what an
uploader claimed is never used. Anything else (HTML, SVG, scripts, text) is sent
as ``application/octet-stream``, with ``nosniff`` so that no browser guesses.
The first 8 MiB are read and checked before the response starts: a missing or
changed file of that size or less is a proper error page, and a larger one is
cut short before its last chunk if its hash turns out wrong.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from itertools import chain
from urllib.parse import quote

import filetype
from flask import Response, stream_with_context

from riskctl.core.storage.base import FileRef
from riskctl.core.storage.files import stream

CHECKED_BEFORE_SENDING = 8 * 1024 * 1024
SAFE_TYPES = frozenset(
    {
        "application/pdf",
        "image/jpeg",
        "image/png",
        "video/mp4",
        "application/msword",
        "application/vnd.ms-excel",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }
)
UNKNOWN = "application/octet-stream"


def sniff(head: bytes) -> str:
    """The file's type from its first bytes, if it is one of ``SAFE_TYPES``."""
    kind = filetype.guess(head[:8192]) if head else None
    return kind.mime if kind is not None and kind.mime in SAFE_TYPES else UNKNOWN


def _prefetch(chunks: Iterator[bytes]) -> tuple[list[bytes], bool]:
    head: list[bytes] = []
    taken = 0
    for chunk in chunks:
        head.append(chunk)
        taken += len(chunk)
        if taken >= CHECKED_BEFORE_SENDING:
            return head, False
    return head, True


def disposition(download_name: str) -> dict[str, str]:
    """``Content-Disposition: attachment`` parameters, RFC 6266 for non-ASCII names."""
    try:
        download_name.encode("ascii")
    except UnicodeEncodeError:
        simple = unicodedata.normalize("NFKD", download_name).encode("ascii", "ignore").decode()
        quoted = quote(download_name, safe="!#$&+-.^_`|~")
        return {"filename": simple or "download", "filename*": f"UTF-8''{quoted}"}
    return {"filename": download_name}


def send(ref: FileRef, download_name: str) -> Response:
    """The stored file as a download (``StorageMissing`` / ``StorageCorrupt`` → 500)."""
    chunks = stream(ref)
    head, complete = _prefetch(chunks)
    body = head if complete else stream_with_context(chain(head, chunks))
    response = Response(body, mimetype=sniff(head[0] if head else b""), direct_passthrough=True)
    response.headers.set("Content-Disposition", "attachment", **disposition(download_name))
    length = sum(map(len, head)) if complete else ref.size
    if length is not None:
        response.headers["Content-Length"] = str(length)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    response.set_etag(ref.sha256 or "")
    return response
