"""Downloads: typed by content from a whitelist, always attachments, streamed in bounded memory."""

from __future__ import annotations

import hashlib
import io
import os
import tracemalloc
import zipfile

import pytest

from riskctl.core import storage
from riskctl.core.db import db
from riskctl.core.tabular.writing import write_xlsx
from riskctl.rectification import attachments
from tests.rectification.conftest import make_item

MB = 1024 * 1024
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("_rels/.rels", "<Relationships/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.html", "<script>alert(1)</script>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("head", "served"),
    [
        (b"%PDF-1.7\n%\xe2\xe3", "application/pdf"),
        (b"\x89PNG\r\n\x1a\n" + bytes(40), "image/png"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(40), "image/jpeg"),
        (write_xlsx(["a"], [["1"]], "表"), XLSX),
        (_docx(), DOCX),
        (b"<!DOCTYPE html><html><script>alert(document.cookie)</script>", storage.UNKNOWN_TYPE),
        (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', storage.UNKNOWN_TYPE),
        (b"GIF89a" + bytes(40), storage.UNKNOWN_TYPE),
        (_zip(), storage.UNKNOWN_TYPE),
        (b"", storage.UNKNOWN_TYPE),
    ],
    ids=["pdf", "png", "jpeg", "xlsx", "docx", "html", "svg", "gif", "zip", "empty"],
)
def test_the_type_comes_from_the_content_and_a_short_whitelist(head, served):
    assert storage.sniff(head) == served


def _attach(bureau, data: bytes, filename: str):
    item = make_item(bureau)
    found = attachments.add_attachment(item, filename, data, "legal")
    db.session.commit()
    return item, found


def test_a_download_is_an_attachment_with_nosniff_and_its_hash(api, bureau, storage_backend):
    data = b"%PDF-1.7\n" + os.urandom(3000)
    item, found = _attach(bureau, data, "整改报告（终稿）.pdf")
    response = api("officer").get(f"/api/v1/rectification/items/{item.id}/attachments/{found.id}")
    assert response.status_code == 200 and response.data == data
    assert response.mimetype == "application/pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''%E6%95%B4%E6%94%B9" in disposition
    assert response.headers["ETag"] == f'"{found.sha256}"'
    assert response.headers["Content-Length"] == str(len(data))


@pytest.mark.parametrize("storage_backend", ["database", "filesystem"], indirect=True)
def test_a_50_mb_download_stays_under_64_mb_of_python_memory(
    app, api, bureau, storage_backend, monkeypatch
):
    data = b"%PDF-1.7\n" + os.urandom(50 * MB)
    item, found = _attach(bureau, data, "现场视频截图合集.pdf")
    expected = hashlib.sha256(data).hexdigest()
    del data
    client = api("legal")
    tracemalloc.start()
    try:
        response = client.get(
            f"/api/v1/rectification/items/{item.id}/attachments/{found.id}", buffered=False
        )
        digest, size = hashlib.sha256(), 0
        for chunk in response.response:
            digest.update(chunk)
            size += len(chunk)
        response.close()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert response.status_code == 200 and size == 50 * MB + 9
    assert digest.hexdigest() == expected
    assert peak < 64 * MB, f"peak {peak / MB:.1f} MB"
