"""Signing in, throttling, CSRF and API tokens."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from riskctl.accounts.models import ApiToken, LoginAttempt, User
from riskctl.core import clock
from riskctl.core.audit import AuditEntry
from riskctl.core.db import db
from riskctl.core.throttle import ThrottleCounter
from tests.conftest import csrf_token
from tests.factories import PASSWORD


def _login(client, username: str, password: str):
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": csrf_token(client)},
    )


def test_a_user_signs_in_through_the_login_page_and_sees_the_home_page(client, bureau):
    response = _login(client, "legal", PASSWORD)
    assert response.status_code == 302 and response.location.endswith("/")
    home = client.get("/").get_data(as_text=True)
    assert "工作台" in home and "法制科" in home
    assert (
        db.session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "login.success")
        )
        == 1
    )


def test_the_session_cookie_is_http_only_and_same_site(client, bureau):
    response = _login(client, "legal", PASSWORD)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_a_wrong_password_is_refused_in_chinese(client, bureau):
    response = _login(client, "legal", "wrong-password-1")
    assert response.status_code == 200
    assert "用户名或密码错误" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302  # still signed out


def test_repeated_failures_lock_the_account_for_a_while(client, bureau, app):
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        _login(client, "legal", "wrong-password-1")
    response = _login(client, "legal", PASSWORD)  # even the right password now
    assert response.status_code == 429
    assert "登录失败次数过多" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_old_failures_no_longer_count(client, bureau, app):
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        _login(client, "legal", "wrong-password-1")
    assert _login(client, "legal", PASSWORD).status_code == 429
    for counter in db.session.scalars(select(ThrottleCounter)):
        counter.window_start = clock.now() - timedelta(
            minutes=app.config["LOGIN_WINDOW_MINUTES"] + 1
        )
    db.session.commit()
    assert _login(client, "legal", PASSWORD).status_code == 302


def test_a_form_without_its_csrf_token_is_refused(client, bureau):
    response = client.post("/login", data={"username": "legal", "password": PASSWORD})
    assert response.status_code == 400
    assert "安全令牌" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(LoginAttempt)) == 0


def test_logout_needs_a_post_with_csrf(client, bureau):
    _login(client, "legal", PASSWORD)
    assert client.post("/logout").status_code == 400
    assert client.post("/logout", data={"csrf_token": csrf_token(client)}).status_code == 302
    assert client.get("/").status_code == 302


def test_next_parameter_never_leaves_the_site(client, bureau):
    response = client.post(
        "/login?next=https://evil.example/x",
        data={"username": "legal", "password": PASSWORD, "csrf_token": csrf_token(client)},
    )
    assert response.location == "/"


def test_a_valid_token_authenticates_the_api(api):
    response = api("leader").get("/api/v1/units")
    assert response.status_code == 200
    assert {u["code"] for u in response.get_json()["items"]} >= {"JU", "ZD1-1"}


def test_forged_expired_and_malformed_tokens_get_401(client, bureau):
    forged = client.get("/api/v1/units", headers={"Authorization": "Bearer rk_forged"})
    assert forged.status_code == 401
    assert forged.get_json()["error"]["code"] == "unauthorized"
    assert "令牌" in forged.get_json()["error"]["message"]

    for token in db.session.scalars(select(ApiToken)):
        token.expires_at = clock.now() - timedelta(seconds=1)
    db.session.commit()
    expired = client.get(
        "/api/v1/units", headers={"Authorization": f"Bearer {bureau.tokens['legal']}"}
    )
    assert expired.status_code == 401

    malformed = client.get("/api/v1/units", headers={"Authorization": "Basic abc"})
    assert malformed.status_code == 401
    assert "Bearer" in malformed.get_json()["error"]["message"]


def test_a_session_cookie_does_not_authenticate_the_api(client, bureau):
    _login(client, "legal", PASSWORD)
    assert client.get("/api/v1/units").status_code == 401


def test_users_create_reads_the_password_from_stdin(app, bureau):
    result = app.test_cli_runner().invoke(
        args=["users", "create", "zhao", "--role", "officer", "--unit", "ZD2-1"],
        input="a-long-password-9\n",
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.username == "zhao"))
    assert user.role == "officer" and user.unit.code == "ZD2-1"
    assert "a-long-password-9" not in user.password_hash
    assert user.password_hash.startswith("pbkdf2:sha256:1$")  # the suite's cheap method


def test_users_create_refuses_unknown_roles_and_units_and_writes_nothing(app, bureau):
    runner = app.test_cli_runner()
    before = db.session.scalar(select(func.count()).select_from(AuditEntry))
    bad_role = runner.invoke(
        args=["users", "create", "x1", "--role", "boss"], input="a-long-password-9\n"
    )
    assert bad_role.exit_code == 1 and "未知角色 boss" in bad_role.output
    bad_unit = runner.invoke(
        args=["users", "create", "x2", "--role", "legal", "--unit", "NOPE"],
        input="a-long-password-9\n",
    )
    assert bad_unit.exit_code == 1 and "单位 NOPE 不存在" in bad_unit.output
    weak = runner.invoke(args=["users", "create", "x3", "--role", "legal"], input="short\n")
    assert weak.exit_code == 1 and "密码至少" in weak.output
    assert (
        db.session.scalar(select(func.count()).select_from(User).where(User.username.like("x%")))
        == 0
    )
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == before


def test_users_token_prints_a_token_and_stores_only_its_hash(app, bureau, client):
    result = app.test_cli_runner().invoke(args=["users", "token", "leader"])
    token = result.output.strip()
    assert result.exit_code == 0 and token.startswith("rk_")
    stored = db.session.scalars(select(ApiToken.token_hash)).all()
    assert token not in stored
    assert (
        client.get("/api/v1/units", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    )


def test_units_create_builds_the_tree(app, bureau):
    runner = app.test_cli_runner()
    assert (
        runner.invoke(
            args=["units", "create", "ZD2-2", "环境卫生第二中队", "--parent", "ZD2"]
        ).exit_code
        == 0
    )
    duplicate = runner.invoke(args=["units", "create", "ZD2-2", "重复"])
    assert duplicate.exit_code == 1 and "已存在" in duplicate.output
    orphan = runner.invoke(args=["units", "create", "ZX", "无上级", "--parent", "NOPE"])
    assert orphan.exit_code == 1 and "上级单位 NOPE 不存在" in orphan.output
    units = {
        u["code"]: u
        for u in app.test_client()
        .get("/api/v1/units", headers={"Authorization": f"Bearer {bureau.tokens['legal']}"})
        .get_json()["items"]
    }
    assert units["ZD2-2"]["parent"] == "ZD2" and units["ZD2-2"]["kind"] == "squad"
