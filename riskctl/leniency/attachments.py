"""Evidence files and scanned 告知承诺书 attached to a record.

Files go through the storage layer, named by their SHA-256 (ATTACHMENTS_DIR/leniency/
with the filesystem backend): they land only when the upload's transaction commits.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import PurePath

from flask import Response
from sqlalchemy import select

from riskctl.accounts.models import User
from riskctl.core import audit, storage
from riskctl.core.db import db
from riskctl.core.errors import Conflict, ValidationFailed
from riskctl.leniency import rules
from riskctl.leniency.models import ATTACHMENT_KINDS, LeniencyAttachment, LeniencyRecord

# What the content really is, by its first bytes: the name alone is the uploader's claim.
_SIGNATURES = {
    ".pdf": (b"%PDF-", "application/pdf"),
    ".png": (b"\x89PNG\r\n\x1a\n", "image/png"),
    ".jpg": (b"\xff\xd8\xff", "image/jpeg"),
    ".jpeg": (b"\xff\xd8\xff", "image/jpeg"),
}


def _references() -> Iterator[storage.FileRef]:
    rows = db.session.execute(select(LeniencyAttachment.sha256, LeniencyAttachment.size))
    for sha256, size in rows:
        yield AREA.content_ref(sha256, size)


AREA = storage.register(storage.Area("leniency", "首违不罚附件", _references, folder="leniency"))


def send(attachment: LeniencyAttachment) -> Response:
    """The file as a download, typed by its content and checked against its SHA-256."""
    ref = AREA.content_ref(attachment.sha256, attachment.size)
    return storage.send(ref, attachment.filename)


def add_attachment(
    record: LeniencyRecord, kind: str, filename: str, content: bytes, actor: User
) -> LeniencyAttachment:
    try:
        rules.check_attachment(record.status)
    except rules.StateError as exc:
        raise Conflict(exc.message) from exc
    name = PurePath(filename or "").name.strip()
    content_type = _content_type(name, content)
    stored = storage.put(AREA, content)
    attachment = LeniencyAttachment(
        record_id=record.id,
        kind=kind,
        filename=name[:200],
        content_type=content_type,
        size=stored.size,
        sha256=stored.sha256,
        uploaded_by=actor.username,
    )
    db.session.add(attachment)
    db.session.flush()
    audit.record(
        "leniency.attachment",
        "leniency_record",
        record.id,
        {
            "kind": kind,
            "filename": attachment.filename,
            "sha256": stored.sha256,
            "label": ATTACHMENT_KINDS[kind],
        },
    )
    return attachment


def _content_type(name: str, content: bytes) -> str:
    if not name:
        raise ValidationFailed.field("file", "请选择要上传的文件")
    if not content:
        raise ValidationFailed.field("file", f"文件“{name}”是空的")
    signature = _SIGNATURES.get(PurePath(name).suffix.lower())
    if signature is None:
        raise ValidationFailed.field("file", f"文件“{name}”类型不支持，只能上传 PDF、JPG 或 PNG")
    magic, content_type = signature
    if not content.startswith(magic):
        raise ValidationFailed.field("file", f"文件“{name}”的内容与扩展名不符，请上传原始文件")
    return content_type
