"""Files of evidence (整改佐证材料): uploaded by the unit, typed by content, kept with a hash."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from riskctl.core.audit import AuditEntry
from riskctl.core.db import db
from riskctl.rectification.models import RectificationAttachment
from tests.conftest import csrf_token
from tests.factories.rectification import make_item

pytestmark = pytest.mark.usefixtures("instant")

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)


def _upload(client, item_id: int, data: bytes, name: str):
    return client.post(
        f"/api/v1/rectification/items/{item_id}/attachments",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_the_unit_attaches_evidence_and_every_reader_downloads_it(api, bureau, storage_backend):
    item = make_item(bureau, "ZD1-1")
    response = _upload(api("officer"), item.id, PNG, "整改后现场.png")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    (attached,) = body["attachments"]
    assert (attached["filename"], attached["content_type"]) == ("整改后现场.png", "image/png")
    assert "附件：整改后现场.png" in body["evidence"] and body["events"][-1]["kind"] == "evidence"
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "rectification.attachment")
    )
    assert entry.actor == "officer" and attached["sha256"] in entry.summary
    for role in ("officer", "legal", "discipline", "leader"):
        download = api(role).get(
            f"/api/v1/rectification/items/{item.id}/attachments/{attached['id']}"
        )
        assert download.status_code == 200 and download.data == PNG
        assert download.mimetype == "image/png"


def test_pages_html_other_units_and_closed_items_are_refused(api, bureau):
    mine, theirs = make_item(bureau, "ZD1-1", ref="A"), make_item(bureau, "ZD2-1", ref="B")
    officer = api("officer")
    html = _upload(officer, mine.id, b"<html><script>alert(1)</script></html>", "报告.pdf")
    assert html.status_code == 422 and "不是 PDF" in html.get_json()["error"]["message"]
    assert _upload(officer, mine.id, b"", "空.pdf").status_code == 422
    assert _upload(officer, theirs.id, PDF, "a.pdf").status_code == 404
    assert _upload(api("leader"), mine.id, PDF, "a.pdf").status_code == 403
    assert (
        api("discipline")
        .post(f"/api/v1/rectification/items/{mine.id}/close", json={"note": "已整改"})
        .status_code
        == 200
    )
    closed = _upload(api("legal"), mine.id, PDF, "a.pdf")
    assert closed.status_code == 409 and "已销号" in closed.get_json()["error"]["message"]
    assert db.session.scalar(select(RectificationAttachment)) is None


def test_evidence_files_through_the_item_page(login, bureau):
    item = make_item(bureau, "ZD1-1")
    client = login("officer")
    page = client.post(
        f"/rectification/{item.id}/attachments",
        data={
            "attachment-file": (io.BytesIO(PDF), "整改报告.pdf"),
            "csrf_token": csrf_token(client),
        },
        content_type="multipart/form-data",
    )
    assert page.status_code == 302
    shown = client.get(f"/rectification/{item.id}").get_data(as_text=True)
    found = db.session.scalar(select(RectificationAttachment))
    assert "整改报告.pdf" in shown and f"/attachments/{found.id}" in shown
    download = client.get(f"/rectification/{item.id}/attachments/{found.id}")
    assert download.data == PDF and download.headers["Content-Disposition"].startswith("attachment")
    refused = client.post(
        f"/rectification/{item.id}/attachments",
        data={
            "attachment-file": (io.BytesIO(b"MZ\x90"), "tool.pdf"),
            "csrf_token": csrf_token(client),
        },
        content_type="multipart/form-data",
    )
    assert refused.status_code == 422 and "不是 PDF" in refused.get_data(as_text=True)
