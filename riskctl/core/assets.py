"""Static files under versioned URLs: a phone loads the stylesheet and scripts once.

``{{ asset('style.css') }}`` writes ``/static/style.css?v=<digest>``, the first 12 hex
digits of the file's SHA-256. The answer to that URL can never change (a changed file
gets another URL), so it may be kept for a year; a static file asked for without its
current digest is revalidated each time, as Flask does by default. The digest is worked
out again when the file's size or modification time changes.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from flask import Flask, current_app, request, url_for
from werkzeug.security import safe_join

YEAR = 365 * 24 * 3600
_DIGESTS: dict[str, tuple[tuple[int, int], str]] = {}


def digest(path: Path) -> str:
    """The version of the file at ``path``: 12 hex digits of its SHA-256."""
    stat = path.stat()
    key = (stat.st_mtime_ns, stat.st_size)
    kept = _DIGESTS.get(str(path))
    if kept is not None and kept[0] == key:
        return kept[1]
    value = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    _DIGESTS[str(path)] = (key, value)
    return value


def _static_file(app: Flask, filename: str) -> Path | None:
    folder = app.static_folder
    joined = safe_join(folder, filename) if folder else None
    return Path(joined) if joined is not None and Path(joined).is_file() else None


def asset(filename: str) -> str:
    """The URL of a static file under its current version (a template global)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    path = _static_file(app, filename)
    version = {"v": digest(path)} if path is not None else {}
    return url_for("static", filename=filename, **version)


def max_age(app: Flask, filename: str | None) -> int | None:
    """A year for the app's static file asked for under its current version; else None."""
    wanted = request.args.get("v") if request.endpoint == "static" else None
    path = _static_file(app, filename) if wanted and filename else None
    return YEAR if path is not None and digest(path) == wanted else None


def install(app: Flask) -> None:
    app.add_template_global(asset, "asset")
