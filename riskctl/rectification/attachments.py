"""Files of evidence (整改佐证材料) attached to a ledger item.

Stored through the storage layer by their SHA-256 (ATTACHMENTS_DIR/rectification/
with the filesystem backend); accepted only when the content is a PDF, a JPG or PNG
photo, or a Word or Excel document, whatever the file's name says.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import PurePath

from flask import Response
from sqlalchemy import select

from riskctl.accounts.models import User
from riskctl.core import audit, clock, storage
from riskctl.core.db import db
from riskctl.core.errors import NotFound, ValidationFailed
from riskctl.rectification.models import RectificationAttachment, RectificationItem
from riskctl.rectification.operations import add_evidence


def _references() -> Iterator[storage.FileRef]:
    rows = db.session.execute(select(RectificationAttachment.sha256, RectificationAttachment.size))
    for sha256, size in rows:
        yield AREA.content_ref(sha256, size)


AREA = storage.register(
    storage.Area("rectification", "整改佐证附件", _references, folder="rectification")
)


def add_attachment(
    item: RectificationItem, filename: str, data: bytes, actor: User | str
) -> RectificationAttachment:
    """Attach a file of evidence to an open item; its name is added to the evidence text."""
    if not PurePath((filename or "").replace("\\", "/")).name.strip():
        raise ValidationFailed.field("file", "请选择要上传的佐证文件")
    name = storage.clean_filename(filename, default="佐证")
    if not data:
        raise ValidationFailed.field("file", f"文件“{name}”是空的")
    content_type = storage.sniff(data[:8192])
    if content_type == storage.UNKNOWN_TYPE:
        raise ValidationFailed.field(
            "file", f"文件“{name}”不是 PDF、JPG/PNG 图片、Word 或 Excel 文件，不能作为佐证上传"
        )
    add_evidence(item, f"附件：{name}", actor)
    stored = storage.put(AREA, data)
    digest = stored.sha256
    who = actor.username if isinstance(actor, User) else actor
    attachment = RectificationAttachment(
        item_id=item.id,
        filename=name,
        content_type=content_type,
        size=stored.size,
        sha256=digest,
        uploaded_at=clock.now(),
        uploaded_by=who,
    )
    db.session.add(attachment)
    db.session.flush()
    audit.record(
        "rectification.attachment",
        "rectification_item",
        item.id,
        {
            "attachment": attachment.id,
            "filename": name,
            "size": stored.size,
            "sha256": stored.sha256,
        },
        actor=who,
    )
    return attachment


def send(item: RectificationItem, attachment_id: int) -> Response:
    """One of the item's files as a download, checked against its SHA-256."""
    found = next((a for a in item.attachments if a.id == attachment_id), None)
    if found is None:
        raise NotFound(f"附件 {attachment_id} 不存在")
    return storage.send(AREA.content_ref(found.sha256, found.size), found.filename)
