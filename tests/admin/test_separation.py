"""三员分立: the auditor reads the audit log; the administrator is logged and cannot read it."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from riskctl.accounts import operations
from riskctl.accounts.models import User
from riskctl.core.db import db
from riskctl.core.errors import ValidationFailed
from tests.conftest import csrf_token
from tests.factories import PASSWORD


def _sign_in(client, role: str) -> None:
    client.post(
        "/login", data={"username": role, "password": PASSWORD, "csrf_token": csrf_token(client)}
    )


def test_the_auditor_reads_and_verifies_the_audit_log(api, client, bureau):
    auditor = api("auditor")
    listing = auditor.get("/api/v1/audit?action=user.create")
    assert listing.status_code == 200 and listing.get_json()["total"] == 6
    assert auditor.get("/api/v1/audit/verify").get_json()["ok"] is True
    _sign_in(client, "auditor")
    page = client.get("/audit?verify=1").get_data(as_text=True)
    assert "哈希链完好" in page
    home = client.get("/").get_data(as_text=True)
    assert 'href="/audit"' in home and "审计日志条目" in home  # the menu and the card


def test_the_administrator_can_neither_read_nor_verify_the_log(api, client, bureau):
    admin = api("admin")
    assert admin.get("/api/v1/audit").status_code == 403
    assert admin.get("/api/v1/audit/verify").status_code == 403
    _sign_in(client, "admin")
    assert client.get("/audit").status_code == 403
    home = client.get("/").get_data(as_text=True)
    assert 'href="/audit"' not in home and "审计日志条目" not in home


def test_the_auditor_does_nothing_else(api, client, bureau):
    auditor = api("auditor")
    assert auditor.get("/api/v1/risk-points").status_code == 403
    assert auditor.get("/api/v1/settings").status_code == 403
    assert (
        auditor.post("/api/v1/reports/quarterly", json={"year": 2026, "quarter": 1}).status_code
        == 403
    )
    _sign_in(client, "auditor")
    assert client.get("/admin/users").status_code == 403


def test_the_administrators_own_actions_are_in_the_log_the_auditor_reads(api, client, bureau):
    _sign_in(client, "admin")
    token = csrf_token(client)
    client.post(
        "/admin/users",
        data={
            "username": "wang",
            "display_name": "王五",
            "role": "legal",
            "password": "A-long-password-9",
            "csrf_token": token,
        },
    )
    client.post(
        "/admin/settings/accounts",
        data={
            "accounts.session_idle_minutes": "20",
            "accounts.session_max_minutes": "480",
            "csrf_token": token,
        },
    )
    leader = db.session.scalar(select(User).where(User.username == "leader"))
    client.post(f"/admin/users/{leader.id}/password", data={"csrf_token": token})
    client.post(f"/admin/users/{leader.id}/active", data={"active": "0", "csrf_token": token})
    items = api("auditor").get("/api/v1/audit?actor=admin&per_page=50").get_json()["items"]
    actions = {item["action"] for item in items}
    assert {
        "login.success",
        "user.create",
        "setting.change",
        "user.password_reset",
        "user.deactivate",
    } <= actions


def test_the_administrator_cannot_create_or_take_over_an_auditor(app, client, bureau):
    _sign_in(client, "admin")
    token = csrf_token(client)
    created = client.post(
        "/admin/users",
        data={
            "username": "fake-auditor",
            "role": "auditor",
            "password": "A-long-password-9",
            "csrf_token": token,
        },
        follow_redirects=True,
    )
    assert "三员分立" in created.get_data(as_text=True)
    assert db.session.scalar(select(User).where(User.username == "fake-auditor")) is None
    auditor = db.session.scalar(select(User).where(User.username == "auditor"))
    reset = client.post(
        f"/admin/users/{auditor.id}/password", data={"csrf_token": token}, follow_redirects=True
    )
    assert "三员分立" in reset.get_data(as_text=True) and 'class="secret"' not in reset.get_data(
        as_text=True
    )
    client.post(f"/admin/users/{auditor.id}/active", data={"active": "0", "csrf_token": token})
    db.session.expire_all()
    assert db.session.get(User, auditor.id).active
    assert operations.check_credentials("auditor", PASSWORD) is not None
    # Operators create auditors on the server.
    result = app.test_cli_runner().invoke(
        args=["users", "create", "shenji2", "--role", "auditor"], input="An-audit-pass-77\n"
    )
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    ("password", "ok"),
    [
        ("Abcdefgh12", True),  # upper, lower, digit
        ("abcdefgh-1", True),  # lower, symbol, digit
        ("ABCDEFGH-x", True),  # upper, symbol, lower
        ("中文密码abcd12", True),  # other, lower, digit
        ("abcdefgh12", False),  # two classes
        ("ABCDEFGHIJ", False),
        ("Abc-12", False),  # too short
        ("Ab1-" * 40, False),  # too long
    ],
)
def test_the_password_rule_is_ten_characters_of_three_classes(bureau, password, ok):
    if ok:
        operations.check_password_strength(password)
    else:
        with pytest.raises(ValidationFailed):
            operations.check_password_strength(password)


def test_the_auditor_records_a_checkpoint_the_public_page_shows(api, client, bureau):
    from riskctl.core.audit import AuditCheckpoint
    from riskctl.core.audit.checkpoints import head

    recorded = api("auditor").post("/api/v1/audit/checkpoints", json={})
    assert recorded.status_code == 201
    body = recorded.get_json()
    checkpoint = db.session.get(AuditCheckpoint, 1)
    assert (checkpoint.seq, checkpoint.hash) == (body["seq"], body["hash"])
    assert body["anchor"] == f"{body['seq']}:{body['hash']}"
    assert checkpoint.source == "审计人员记录"
    # The checkpoint is itself audited, by the auditor, right after the head it names.
    assert head().seq == body["seq"] + 1
    public = client.get("/public/audit").get_data(as_text=True)
    assert body["hash"] in public and "审计人员记录" in public

    _sign_in(client, "auditor")
    page = client.post("/audit/checkpoint", data={"csrf_token": csrf_token(client)})
    assert page.status_code == 302 and page.location.endswith("/audit")
    assert db.session.scalar(select(func.count()).select_from(AuditCheckpoint)) == 2
    shown = client.get("/audit?verify=1").get_data(as_text=True)
    assert "哈希链完好" in shown and "核对检查点 2 个" in shown


def test_the_administrator_cannot_record_a_checkpoint(api, client, bureau):
    from riskctl.core.audit import AuditCheckpoint

    assert api("admin").post("/api/v1/audit/checkpoints", json={}).status_code == 403
    _sign_in(client, "admin")
    page = client.post("/audit/checkpoint", data={"csrf_token": csrf_token(client)})
    assert page.status_code == 403
    assert db.session.scalar(select(func.count()).select_from(AuditCheckpoint)) == 0
