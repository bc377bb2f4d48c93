"""An uploaded roster waiting for confirmation between the preview and the import.

The web import shows what a file would change before anything is written; the
file waits here under a random token, readable only by the user who uploaded it.
"""

from __future__ import annotations

import json
import re
import secrets
import time
from pathlib import Path, PurePath

from flask import current_app

from riskctl.core.errors import NotFound

_TOKEN = re.compile(r"[0-9a-f]{32}")
KEEP_SECONDS = 24 * 3600


def _folder() -> Path:
    folder = Path(current_app.instance_path) / "import-staging"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def stage(data: bytes, filename: str, roster: str, user_id: int) -> str:
    token = secrets.token_hex(16)
    folder = _folder()
    _sweep(folder)
    (folder / f"{token}.bin").write_bytes(data)
    meta = {"filename": PurePath(filename).name, "roster": roster, "user": user_id}
    (folder / f"{token}.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    return token


def fetch(token: str, roster: str, user_id: int) -> tuple[bytes, str]:
    """The staged file and its name; 404 for a token that is not this user's for this roster."""
    missing = NotFound("待确认的导入文件不存在或已过期，请重新上传")
    if not _TOKEN.fullmatch(token or ""):
        raise missing
    folder = _folder()
    try:
        meta = json.loads((folder / f"{token}.json").read_text(encoding="utf-8"))
        data = (folder / f"{token}.bin").read_bytes()
    except FileNotFoundError:
        raise missing from None
    if meta["roster"] != roster or meta["user"] != user_id:
        raise missing
    return data, meta["filename"]


def _sweep(folder: Path) -> None:
    """Previews never confirmed are dropped after a day (a copy of an accepted file is
    archived by the import itself)."""
    cutoff = time.time() - KEEP_SECONDS
    for path in folder.iterdir():
        if path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)


def discard(token: str) -> None:
    if _TOKEN.fullmatch(token or ""):
        for suffix in (".bin", ".json"):
            (_folder() / f"{token}{suffix}").unlink(missing_ok=True)
