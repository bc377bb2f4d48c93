"""Uploads waiting between an import's preview and its confirmation (待确认的导入).

The preview request stores the file and a row with a random token; the confirming
request, on any worker of any host, finds it by that token, for the same purpose,
within a week (``KEEP``), once. Each module registers its purposes (``register_purpose``):
what the import is called, which roles may confirm it and which page reopens its
preview; anyone of those roles may reopen, confirm or discard it from the list of
imports waiting (``waiting``). Discarding is audited; nothing is deleted. A purpose that
names its ``preview`` builder (the file → its full preview, every row listed) lets those
roles download that full preview (``full_preview``).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import PurePath
from typing import Any, Protocol

from sqlalchemy import Select, func, select

from riskctl.core import audit, clock
from riskctl.core.db import db
from riskctl.core.errors import Forbidden, NotFound
from riskctl.core.storage.base import Area, FileRef, register
from riskctl.core.storage.files import put, read
from riskctl.core.storage.models import StagedUpload

TOKEN = re.compile(r"[0-9a-f]{32}")
KEEP = timedelta(days=7)


class Actor(Protocol):
    id: int
    role: str
    username: str


@dataclass(frozen=True)
class Purpose:
    """An import that waits for confirmation: its name, who confirms it, where it reopens."""

    key: str
    label: str
    roles: tuple[str, ...]
    endpoint: str
    values: dict[str, Any] = field(default_factory=dict)
    # (data, filename) -> the file's full preview (core.tabular.preview, cap None)
    preview: Callable[[bytes, str], Any] | None = None
    labels: tuple[str, str] = ("编号", "名称")  # the preview's key and name columns


_PURPOSES: dict[str, Purpose] = {}


def register_purpose(
    key: str,
    label: str,
    roles: tuple[str, ...],
    endpoint: str,
    *,
    preview: Callable[[bytes, str], Any] | None = None,
    labels: tuple[str, str] = ("编号", "名称"),
    **values: Any,
) -> None:
    """``endpoint`` (with ``values`` and ``staged=<token>``) reopens the preview;
    ``preview`` builds the file's full preview (``labels``: its key and name columns)."""
    _PURPOSES.setdefault(
        key, Purpose(key, label, tuple(roles), endpoint, values, preview, tuple(labels))
    )


def purpose(key: str) -> Purpose | None:
    return _PURPOSES.get(key)


def _may(user: Actor, key: str) -> bool:
    known = _PURPOSES.get(key)
    return known is not None and user.role in known.roles


def _references() -> Iterator[FileRef]:
    for sha256, size in db.session.execute(select(StagedUpload.sha256, StagedUpload.size)):
        yield AREA.content_ref(sha256, size)


AREA = register(Area("staging", "待确认的导入文件", _references, folder="staging"))


def stage(purpose: str, data: bytes, filename: str, user_id: int, summary: str = "") -> str:
    """Keep ``data`` to confirm; returns the token the form carries. ``summary`` (e.g.
    "新增 3，修改 2") is shown in the list of imports waiting."""
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
            summary=summary[:200],
            created_at=clock.now(),
        )
    )
    db.session.flush()
    return token


def _open() -> list:
    return [
        StagedUpload.used_at.is_(None),
        StagedUpload.discarded_at.is_(None),
        StagedUpload.created_at >= clock.now() - KEEP,
    ]


def _find(token: str, purpose: str, user: Actor) -> StagedUpload:
    missing = NotFound("待确认的导入文件不存在、已处理或已过期，请重新上传")
    if not TOKEN.fullmatch(token or ""):
        raise missing
    staged = db.session.scalar(select(StagedUpload).where(StagedUpload.token == token, *_open()))
    if (
        staged is None
        or staged.purpose != purpose
        or (staged.user_id != user.id and not _may(user, purpose))
    ):
        raise missing
    return staged


def fetch(token: str, purpose: str, user: Actor) -> tuple[bytes, str]:
    """The staged bytes (checked) and file name; 404 unless open, fresh and this user's
    (or confirmable by the user's role)."""
    staged = _find(token, purpose, user)
    return read(AREA.content_ref(staged.sha256, staged.size)), staged.filename


def downloadable(token: str | None, user: Actor) -> bool:
    """The open upload ``token`` has a full preview ``user``'s role may download (confirm)."""
    if not TOKEN.fullmatch(token or ""):
        return False
    key = db.session.scalar(
        select(StagedUpload.purpose).where(StagedUpload.token == token, *_open())
    )
    known = _PURPOSES.get(key or "")
    return known is not None and known.preview is not None and _may(user, known.key)


def full_preview(token: str, user: Actor) -> tuple[Any, Purpose, str]:
    """(the full preview, its purpose, the file name) of an open upload: 404 unless open
    and fresh, 403 unless ``user``'s role may confirm that import (not merely its uploader)."""
    staged = db.session.scalar(select(StagedUpload).where(StagedUpload.token == token))
    if staged is None or not TOKEN.fullmatch(token or ""):
        raise NotFound("待确认的导入文件不存在、已处理或已过期，请重新上传")
    staged = _find(token, staged.purpose, user)
    known = _PURPOSES.get(staged.purpose)
    if known is None or known.preview is None:
        raise NotFound("该导入没有可下载的完整预览")
    if not _may(user, known.key):
        raise Forbidden(f"只有可确认{known.label}导入的角色才能下载完整预览")
    data = read(AREA.content_ref(staged.sha256, staged.size))
    return known.preview(data, staged.filename), known, staged.filename


def consume(token: str, purpose: str, user: Actor) -> None:
    """Mark the upload as imported: the same preview cannot be confirmed twice."""
    _find(token, purpose, user).used_at = clock.now()
    db.session.flush()


def waiting_query(user: Actor) -> Select:
    """The open imports ``user``'s role may confirm (unordered: the page sorts them)."""
    keys = [key for key in _PURPOSES if _may(user, key)]
    return select(StagedUpload).where(StagedUpload.purpose.in_(keys), *_open())


def waiting_count(user: Actor) -> int:
    return db.session.scalar(select(func.count()).select_from(waiting_query(user).subquery()))


def discard(token: str, user: Actor) -> StagedUpload:
    """Give up an import waiting for confirmation (放弃): kept, marked, audited."""
    staged = db.session.scalar(select(StagedUpload).where(StagedUpload.token == token))
    if staged is None or not TOKEN.fullmatch(token or ""):
        raise NotFound("待确认的导入文件不存在")
    staged = _find(token, staged.purpose, user)
    staged.discarded_at = clock.now()
    db.session.flush()
    known = _PURPOSES.get(staged.purpose)
    audit.record(
        "import.discard",
        "staged_import",
        staged.id,
        {
            "purpose": staged.purpose,
            "label": known.label if known else staged.purpose,
            "file": staged.filename,
            "sha256": staged.sha256,
            "staged_at": clock.iso(staged.created_at),
        },
        actor=user.username,
    )
    return staged
