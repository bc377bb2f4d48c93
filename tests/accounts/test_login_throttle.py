"""Sign-in throttling per address and per account, atomic, with a way back in."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from riskctl.accounts.models import LoginAttempt
from riskctl.core.audit import AuditEntry
from riskctl.core.db import db
from tests.conftest import csrf_token
from tests.factories import PASSWORD


def _login(client, username: str, password: str, address: str = "203.0.113.7"):
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": csrf_token(client)},
        environ_base={"REMOTE_ADDR": address},
    )


def _checked_passwords() -> int:
    return db.session.scalar(select(func.count()).select_from(LoginAttempt))


def test_forty_names_sprayed_from_one_address_are_stopped_at_the_address_limit(app, client, bureau):
    limit = app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"]
    statuses = [_login(client, f"spray{k:02d}", "Wrong-password-1").status_code for k in range(40)]
    assert statuses == [200] * limit + [429] * (40 - limit)
    assert _checked_passwords() == limit  # refused attempts never reach a password check
    refused = _login(client, "legal", PASSWORD)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    page = refused.get_data(as_text=True)
    assert "本机地址（203.0.113.7）登录失败次数过多" in page and "北京时间" in page
    # The same people from another address are not affected.
    assert _login(app.test_client(), "legal", PASSWORD, "198.51.100.9").status_code == 302


def test_good_sign_ins_do_not_use_up_the_address(app, bureau):
    limit = app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"]
    client = app.test_client()
    for k in range(limit - 1):
        assert _login(client, f"nobody{k}", "Wrong-password-1").status_code == 200
    for _ in range(5):  # a shared office address: colleagues keep signing in
        assert _login(app.test_client(), "leader", PASSWORD).status_code == 302
    assert _login(client, "someone", "Wrong-password-1").status_code == 200
    assert _login(client, "someone-else", "Wrong-password-1").status_code == 429


def test_a_locked_user_is_told_until_when_and_the_admin_can_lift_the_lock(app, client, bureau):
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        _login(client, "legal", "Wrong-password-1", "198.51.100.1")
    refused = _login(client, "legal", PASSWORD, "198.51.100.2")
    assert refused.status_code == 429
    page = refused.get_data(as_text=True)
    assert "该账号登录失败次数过多，已临时锁定至" in page and "联系系统管理员" in page
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == "login.lock", AuditEntry.object_id == "legal")
        )
        == 1
    )

    admin = app.test_client()
    assert _login(admin, "admin", PASSWORD, "127.0.0.1").status_code == 302
    users_page = admin.get("/admin/users").get_data(as_text=True)
    assert "登录锁定" in users_page and "legal" in users_page
    lifted = admin.post(
        "/admin/locks/account/unlock",
        data={"subject": "legal", "csrf_token": csrf_token(admin)},
        follow_redirects=True,
    )
    assert "已解除 legal 的登录锁定" in lifted.get_data(as_text=True)
    assert _login(client, "legal", PASSWORD, "198.51.100.2").status_code == 302
    assert (
        db.session.scalar(select(AuditEntry.actor).where(AuditEntry.action == "login.unlock"))
        == "admin"
    )


def test_operators_lift_a_lock_on_the_command_line(app, client, bureau):
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        _login(client, "admin", "Wrong-password-1")
    assert _login(client, "admin", PASSWORD, "198.51.100.4").status_code == 429
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "unlock", "admin"])
    assert result.exit_code == 0 and "已解除 admin 的登录锁定" in result.output
    assert runner.invoke(args=["users", "unlock", "admin"]).output.strip() == "admin 当前没有被锁定"
    assert _login(client, "admin", PASSWORD, "198.51.100.4").status_code == 302


def test_a_successful_sign_in_resets_the_accounts_count(app, client, bureau):
    limit = app.config["LOGIN_MAX_FAILURES"]
    for _ in range(limit - 1):
        _login(client, "legal", "Wrong-password-1")
    assert _login(app.test_client(), "legal", PASSWORD).status_code == 302
    for _ in range(limit - 1):
        assert _login(client, "legal", "Wrong-password-1").status_code == 200


def test_parallel_attempts_never_check_more_passwords_than_the_limit(app, bureau):
    limit = app.config["LOGIN_MAX_FAILURES"]
    app.config["WTF_CSRF_ENABLED"] = False
    statuses: list[int] = []
    start = threading.Barrier(24)

    def attempt(k: int) -> None:
        client = app.test_client()
        start.wait()
        response = client.post(
            "/login",
            data={"username": "legal", "password": "Wrong-password-1"},
            environ_base={"REMOTE_ADDR": f"192.0.2.{k}"},  # 24 addresses, one account
        )
        statuses.append(response.status_code)

    try:
        threads = [threading.Thread(target=attempt, args=(k,)) for k in range(24)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        app.config["WTF_CSRF_ENABLED"] = True
    assert sorted(statuses) == [200] * limit + [429] * (24 - limit)
    assert _checked_passwords() == limit
