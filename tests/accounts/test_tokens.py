"""API tokens: listed and revoked by their owner, by the administrator and on the command line."""

from __future__ import annotations

from sqlalchemy import select

from riskctl.accounts.models import ApiToken, User
from riskctl.core.audit import AuditEntry
from riskctl.core.db import db
from tests.conftest import csrf_token
from tests.factories import PASSWORD


def _sign_in(client, username: str) -> None:
    client.post(
        "/login",
        data={"username": username, "password": PASSWORD, "csrf_token": csrf_token(client)},
    )


def _token_id(username: str) -> int:
    return db.session.scalar(
        select(ApiToken.id).join(ApiToken.user).where(User.username == username)
    )


def _api_status(client, token: str) -> int:
    return client.get("/api/v1/units", headers={"Authorization": f"Bearer {token}"}).status_code


def _revoke(client, url: str) -> str:
    """Press a revoke button; the text of the page it leads to."""
    response = client.post(url, data={"csrf_token": csrf_token(client)}, follow_redirects=True)
    return response.get_data(as_text=True)


def test_a_user_lists_and_revokes_their_own_token(app, client, bureau):
    _sign_in(client, "legal")
    token_id = _token_id("legal")
    page = client.get("/account/tokens").get_data(as_text=True)
    assert bureau.tokens["legal"][:8] in page and "有效" in page
    assert bureau.tokens["legal"] not in page  # never the token itself
    assert bureau.tokens["leader"][:8] not in page  # nor anyone else's

    assert _api_status(app.test_client(), bureau.tokens["legal"]) == 200
    assert f"已吊销 API 令牌 {token_id}" in _revoke(client, f"/account/tokens/{token_id}/revoke")
    assert _api_status(app.test_client(), bureau.tokens["legal"]) == 401
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "token.revoke"))
    assert entry.actor == "legal" and entry.object_id == "legal"


def test_a_user_cannot_revoke_someone_elses_token(app, client, bureau):
    _sign_in(client, "officer")
    assert "不存在" in _revoke(client, f"/account/tokens/{_token_id('leader')}/revoke")
    assert _api_status(app.test_client(), bureau.tokens["leader"]) == 200


def test_the_administrator_revokes_any_token_but_the_auditors(app, client, bureau):
    _sign_in(client, "admin")
    page = client.get("/admin/tokens").get_data(as_text=True)
    for role in ("legal", "officer", "auditor"):
        assert bureau.tokens[role][:8] in page
    _revoke(client, f"/admin/tokens/{_token_id('officer')}/revoke")
    assert _api_status(app.test_client(), bureau.tokens["officer"]) == 401
    assert "三员分立" in _revoke(client, f"/admin/tokens/{_token_id('auditor')}/revoke")
    assert _api_status(app.test_client(), bureau.tokens["auditor"]) == 200


def test_operators_list_and_revoke_tokens_on_the_command_line(app, bureau):
    runner = app.test_cli_runner()
    listed = runner.invoke(args=["users", "tokens", "leader"])
    token_id = _token_id("leader")
    assert listed.exit_code == 0
    assert f"{token_id}" in listed.output and bureau.tokens["leader"][:8] in listed.output
    assert "有效" in listed.output
    revoked = runner.invoke(args=["users", "revoke-token", str(token_id)])
    assert revoked.exit_code == 0 and "已吊销用户 leader 的 API 令牌" in revoked.output
    assert "已吊销" in runner.invoke(args=["users", "tokens", "leader"]).output
    again = runner.invoke(args=["users", "revoke-token", str(token_id)])
    assert again.exit_code == 1 and "已吊销" in again.output
    assert _api_status(app.test_client(), bureau.tokens["leader"]) == 401
    missing = runner.invoke(args=["users", "tokens", "nobody"])
    assert missing.exit_code == 1 and "用户 nobody 不存在" in missing.output
