"""Evidence files and scanned 告知承诺书 attached to a record.

Files are stored by their SHA-256 under ATTACHMENTS_DIR/leniency/. A file written by
a request that then fails stays on disk without a row pointing at it: harmless, it
is never served, and the same bytes uploaded again reuse it.
"""

from __future__ import annotations

import hashlib
from pathlib import Path, PurePath

from flask import current_app

from riskctl.accounts.models import User
from riskctl.core import audit
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


def _directory() -> Path:
    return Path(current_app.config["ATTACHMENTS_DIR"]) / "leniency"


def path_of(attachment: LeniencyAttachment) -> Path:
    return _directory() / attachment.sha256[:2] / attachment.sha256


def add_attachment(
    record: LeniencyRecord, kind: str, filename: str, content: bytes, actor: User
) -> LeniencyAttachment:
    try:
        rules.check_attachment(record.status)
    except rules.StateError as exc:
        raise Conflict(exc.message) from exc
    name = PurePath(filename or "").name.strip()
    content_type = _content_type(name, content)
    digest = hashlib.sha256(content).hexdigest()
    attachment = LeniencyAttachment(
        record_id=record.id,
        kind=kind,
        filename=name[:200],
        content_type=content_type,
        size=len(content),
        sha256=digest,
        uploaded_by=actor.username,
    )
    target = path_of(attachment)
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_suffix(".part")
        temporary.write_bytes(content)
        temporary.replace(target)
    db.session.add(attachment)
    db.session.flush()
    audit.record(
        "leniency.attachment",
        "leniency_record",
        record.id,
        {
            "kind": kind,
            "filename": attachment.filename,
            "sha256": digest,
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
