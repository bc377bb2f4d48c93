"""Uploads waiting between an import's preview and its confirmation (待确认的导入文件).

The preview request stores the file and a row with a random token; the confirming
request, on any worker of any host, finds it by that token, for the same user and
the same purpose, within a day, once.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from datetime import timedelta
from pathlib import PurePath

from sqlalchemy import select

from riskctl.core import clock
from riskctl.core.db import db
from riskctl.core.errors import NotFound
from riskctl.core.storage.base import Area, FileRef, register
from riskctl.core.storage.files import put, read
from riskctl.core.storage.models import StagedUpload

TOKEN = re.compile(r"[0-9a-f]{32}")
KEEP = timedelta(days=1)


def _references() -> Iterator[FileRef]:
    for sha256, size in db.session.execute(select(StagedUpload.sha256, StagedUpload.size)):
        yield AREA.content_ref(sha256, size)


AREA = register(Area("staging", "待确认的导入文件", _references, folder="staging"))


def stage(purpose: str, data: bytes, filename: str, user_id: int) -> str:
    """Keep ``data`` for ``user_id`` to confirm; returns the token the form carries."""
    ref = put(AREA, data)
    token = secrets.token_hex(16)
    db.session.add(
        StagedUpload(
            token=token,
            purpose=purpose,
            user_id=user_id,
            filename=PurePath(filename).name[:200],
            sha256=ref.sha256,
            size=ref.size,
            created_at=clock.now(),
        )
    )
    db.session.flush()
    return token


def _find(token: str, purpose: str, user_id: int) -> StagedUpload:
    missing = NotFound("待确认的导入文件不存在或已过期，请重新上传")
    if not TOKEN.fullmatch(token or ""):
        raise missing
    staged = db.session.scalar(select(StagedUpload).where(StagedUpload.token == token))
    if (
        staged is None
        or staged.purpose != purpose
        or staged.user_id != user_id
        or staged.used_at is not None
        or staged.created_at < clock.now() - KEEP
    ):
        raise missing
    return staged


def fetch(token: str, purpose: str, user_id: int) -> tuple[bytes, str]:
    """The staged bytes (checked) and file name; 404 unless this user's, unused, fresh."""
    staged = _find(token, purpose, user_id)
    return read(AREA.content_ref(staged.sha256, staged.size)), staged.filename


def consume(token: str, purpose: str, user_id: int) -> None:
    """Mark the upload as imported: the same preview cannot be confirmed twice."""
    _find(token, purpose, user_id).used_at = clock.now()
    db.session.flush()
