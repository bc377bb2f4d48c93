"""recorded → commitment → 复查 → 法制审核 → 结案, or → 转一般程序; attachments."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from sqlalchemy import select

from riskctl.core import clock
from riskctl.core.audit import AuditEntry
from riskctl.core.db import db
from riskctl.leniency.models import LeniencyAttachment, LeniencyRecord
from tests.leniency.conftest import days_ago, id_card

# Dates count from the bureau's today: run at moments where UTC and Beijing disagree.
pytestmark = pytest.mark.usefixtures("instant")

URL = "/api/v1/leniency/records"
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def iso(days_back: int) -> str:
    return (clock.today() - timedelta(days=days_back)).isoformat()


@pytest.fixture
def record(make_record):
    return make_record(occurred_at=days_ago(20))


def step(client, record_id: int, name: str, **data):
    return client.post(f"{URL}/{record_id}/{name}", json=data)


def commit_and_pass(api, record_id: int):
    officer = api("officer")
    assert (
        step(
            officer, record_id, "commitment", signed_on=iso(19), document_no="承诺〔2026〕1号"
        ).status_code
        == 200
    )
    response = step(
        officer,
        record_id,
        "followup",
        checked_on=iso(5),
        result="passed",
        officer="zf1101",
        note="已清理",
    )
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_the_full_path_to_closing(api, record):
    after_followup = commit_and_pass(api, record.id)
    assert after_followup["status"] == "corrected"
    assert after_followup["followup"] == {
        "checked_on": iso(5),
        "result": "passed",
        "officer": "ZF1101",
        "note": "已清理",
        "entered_by": "officer",
    }
    signed = step(api("legal"), record.id, "signoff", opinion="符合条件，同意免罚").get_json()
    assert signed["signoff"]["signed_off_by"] == "legal"
    closed = step(api("officer"), record.id, "close", note="按期改正").get_json()
    assert closed["status"] == "closed" and closed["closed_by"] == "officer"
    trail = list(
        db.session.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.object_type == "leniency_record")
            .order_by(AuditEntry.seq)
        )
    )
    assert trail == [
        "leniency.record",
        "leniency.commitment",
        "leniency.followup",
        "leniency.signoff",
        "leniency.close",
    ]


def test_a_record_cannot_close_without_a_passed_followup(api, record):
    step(api("legal"), record.id, "signoff", opinion="同意")
    response = step(api("legal"), record.id, "close")
    assert response.status_code == 409
    assert "复查通过后才能结案" in response.get_json()["error"]["message"]
    assert db.session.get(LeniencyRecord, record.id).status == "recorded"


def test_a_record_cannot_close_without_the_legal_sign_off(api, record):
    commit_and_pass(api, record.id)
    response = step(api("officer"), record.id, "close")
    assert response.status_code == 409
    assert "法制科尚未审核" in response.get_json()["error"]["message"]


def test_a_followup_on_a_closed_record_is_refused(api, record):
    commit_and_pass(api, record.id)
    step(api("legal"), record.id, "signoff", opinion="同意")
    step(api("legal"), record.id, "close")
    response = step(
        api("officer"), record.id, "followup", checked_on=iso(1), result="failed", officer="ZF1101"
    )
    assert response.status_code == 409
    assert "已结案" in response.get_json()["error"]["message"]
    assert db.session.get(LeniencyRecord, record.id).followup_result == "passed"


def test_the_followup_officer_must_be_on_the_roster(api, record):
    step(api("officer"), record.id, "commitment", signed_on=iso(19))
    response = step(
        api("officer"), record.id, "followup", checked_on=iso(1), result="passed", officer="ZF0000"
    )
    assert response.status_code == 422
    assert "不在执法检查人员名录库中" in response.get_json()["error"]["details"]["officer"][0]


def test_a_followup_needs_the_commitment_first(api, record):
    response = step(
        api("officer"), record.id, "followup", checked_on=iso(1), result="passed", officer="ZF1101"
    )
    assert response.status_code == 409
    assert "告知承诺书" in response.get_json()["error"]["message"]


@pytest.mark.parametrize(
    ("days_back", "message"),
    [
        (-1, "不能晚于今天"),
        (25, "不能早于违法行为发生日期"),
    ],
)
def test_followup_dates_are_checked(api, record, days_back, message):
    checked_on = iso(days_back)
    step(api("officer"), record.id, "commitment", signed_on=iso(19))
    response = step(
        api("officer"),
        record.id,
        "followup",
        checked_on=checked_on,
        result="passed",
        officer="ZF1101",
    )
    assert response.status_code == 422
    assert message in response.get_json()["error"]["details"]["checked_on"][0]


def test_a_failed_correction_is_referred_to_a_normal_procedure(api, record):
    step(api("officer"), record.id, "commitment", signed_on=iso(19))
    failed = step(
        api("officer"), record.id, "followup", checked_on=iso(3), result="failed", officer="ZF1102"
    ).get_json()
    assert failed["status"] == "failed"
    assert step(api("officer"), record.id, "close").status_code == 409
    referred = step(
        api("legal"),
        record.id,
        "referral",
        referred_on=iso(2),
        case_no="城执罚立〔2026〕12号",
        reason="逾期未改正",
    ).get_json()
    assert referred["status"] == "referred"
    assert referred["referral"]["case_no"] == "城执罚立〔2026〕12号"
    assert step(api("legal"), record.id, "signoff", opinion="x").status_code == 409


def test_a_passed_record_cannot_be_referred(api, record):
    commit_and_pass(api, record.id)
    response = step(
        api("officer"), record.id, "referral", referred_on=iso(1), case_no="X", reason="y"
    )
    assert response.status_code == 409


def test_lifecycle_steps_respect_roles_and_units(api, make_record):
    other = make_record(unit="ZD2-1", party_id=id_card())
    assert step(api("officer"), other.id, "commitment", signed_on=iso(0)).status_code == 404
    assert step(api("discipline"), other.id, "commitment", signed_on=iso(0)).status_code == 403
    assert step(api("officer"), other.id, "signoff", opinion="x").status_code == 403


def test_evidence_and_the_commitment_scan_are_attached_and_downloaded(api, record):
    officer = api("officer")
    response = officer.post(
        f"{URL}/{record.id}/attachments",
        data={"kind": "commitment", "file": (io.BytesIO(PDF), "承诺书.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 201, response.get_json()
    attachment = response.get_json()
    assert attachment["kind"] == "commitment" and attachment["content_type"] == "application/pdf"
    download = api("discipline").get(f"{URL}/{record.id}/attachments/{attachment['id']}")
    assert download.status_code == 200 and download.data == PDF
    assert "attachment" in download.headers["Content-Disposition"]
    detail = api("legal").get(f"{URL}/{record.id}").get_json()
    assert [a["filename"] for a in detail["attachments"]] == ["承诺书.pdf"]


@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [
        ("evil.html", b"<script>alert(1)</script>", "类型不支持"),
        ("photo.png", PDF, "内容与扩展名不符"),
        ("empty.pdf", b"", "是空的"),
    ],
)
def test_bad_attachments_are_refused(api, record, filename, content, message):
    response = api("officer").post(
        f"{URL}/{record.id}/attachments",
        data={"file": (io.BytesIO(content), filename)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert message in response.get_json()["error"]["details"]["file"][0]
    assert db.session.scalars(select(LeniencyAttachment)).all() == []


def test_a_png_is_accepted_as_evidence(api, record):
    response = api("officer").post(
        f"{URL}/{record.id}/attachments",
        data={"file": (io.BytesIO(PNG), "现场.png")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 201 and response.get_json()["kind"] == "evidence"
