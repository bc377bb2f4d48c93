"""Sessions end on the server: logout, password change and reset, idle and absolute timeouts."""

from __future__ import annotations

import time

from sqlalchemy import select

from riskctl.accounts.models import User
from riskctl.core import settings
from riskctl.core.audit import AuditEntry
from riskctl.core.db import db
from tests.conftest import csrf_token
from tests.factories import PASSWORD

NEW_PASSWORD = "Fresh-password-2026"


def _sign_in(client, username: str = "legal", password: str = PASSWORD):
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": csrf_token(client)},
    )


def _signed_in(client) -> bool:
    return client.get("/").status_code == 200


def _session_cookie(client) -> str:
    return client.get_cookie("session").value


def _replay(app, cookie: str):
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    return thief.get("/")


def test_a_cookie_replayed_after_logout_is_refused(app, client, bureau):
    _sign_in(client)
    stolen = _session_cookie(client)
    assert _replay(app, stolen).status_code == 200  # the copy works while the session lives
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    replayed = _replay(app, stolen)
    assert replayed.status_code == 302 and "/login" in replayed.location


def test_changing_the_password_ends_every_other_session(app, client, bureau):
    other = app.test_client()
    _sign_in(client)
    _sign_in(other)
    response = client.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
            "csrf_token": csrf_token(client),
        },
    )
    assert response.status_code == 302
    assert _signed_in(client)  # this browser stays signed in
    assert not _signed_in(other)
    page = other.get("/login").get_data(as_text=True)
    assert "登录已失效" in page
    assert _sign_in(app.test_client(), password=NEW_PASSWORD).status_code == 302
    assert db.session.scalar(
        select(AuditEntry.action).where(AuditEntry.action == "user.password_change")
    )


def test_the_password_change_checks_the_current_password_and_the_rule(client, bureau):
    _sign_in(client)

    def change(current: str, new: str, confirm: str | None = None):
        return client.post(
            "/account/password",
            data={
                "current_password": current,
                "password": new,
                "confirm": new if confirm is None else confirm,
                "csrf_token": csrf_token(client),
            },
        )

    wrong = change("Not-my-password-1", NEW_PASSWORD)
    assert wrong.status_code == 422 and "当前密码不正确" in wrong.get_data(as_text=True)
    weak = change(PASSWORD, "alllowercase")
    assert weak.status_code == 422 and "至少三类" in weak.get_data(as_text=True)
    short = change(PASSWORD, "Ab1-")
    assert short.status_code == 422 and "密码至少 10 位" in short.get_data(as_text=True)
    mismatch = change(PASSWORD, NEW_PASSWORD, "Something-else-9")
    assert mismatch.status_code == 200 and "两次输入的新密码不一致" in mismatch.get_data(
        as_text=True
    )
    same = change(PASSWORD, PASSWORD)
    assert same.status_code == 422 and "不能与当前密码相同" in same.get_data(as_text=True)
    assert _sign_in(client, password=PASSWORD).status_code == 302  # unchanged


def test_an_idle_session_times_out_after_the_setting(app, client, bureau):
    _sign_in(client)
    with client.session_transaction() as session:
        session["_seen"] = int(time.time()) - 31 * 60
    response = client.get("/")
    assert response.status_code == 302 and "/login" in response.location
    assert "已超过 30 分钟未操作" in client.get("/login").get_data(as_text=True)

    settings.change("accounts.session_idle_minutes", 60, "admin")
    db.session.commit()
    _sign_in(client)
    with client.session_transaction() as session:
        session["_seen"] = int(time.time()) - 31 * 60
    assert _signed_in(client)


def test_a_session_ends_at_the_absolute_timeout_even_when_busy(client, bureau):
    _sign_in(client)
    with client.session_transaction() as session:
        session["_started"] = int(time.time()) - 8 * 3600 - 60
    assert not _signed_in(client)
    assert "本次登录已超过 480 分钟" in client.get("/login").get_data(as_text=True)


def test_an_admin_reset_ends_sessions_and_forces_a_new_password(app, client, bureau):
    _sign_in(client, "officer")
    admin = app.test_client()
    _sign_in(admin, "admin")
    officer = db.session.scalar(select(User).where(User.username == "officer"))
    response = admin.post(
        f"/admin/users/{officer.id}/password", data={"csrf_token": csrf_token(admin)}
    )
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    assert "临时密码" in page
    temporary = page.split('<code class="secret">')[1].split("</code>")[0]
    assert not _signed_in(client)

    fresh = app.test_client()
    first = _sign_in(fresh, "officer", temporary)
    assert first.status_code == 302 and first.location.endswith("/account/password")
    blocked = fresh.get("/")
    assert blocked.status_code == 302 and blocked.location.endswith("/account/password")
    assert fresh.get("/api/v1/units").status_code == 401  # cookies never open the API
    changed = fresh.post(
        "/account/password",
        data={
            "current_password": temporary,
            "password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
            "csrf_token": csrf_token(fresh),
        },
    )
    assert changed.status_code == 302 and _signed_in(fresh)
    db.session.expire_all()
    assert not db.session.get(User, officer.id).must_change_password
    actions = db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.object_id == "officer")
    ).all()
    assert "user.password_reset" in actions and "user.password_change" in actions


def test_operators_reset_a_password_on_the_command_line(app, client, bureau):
    result = app.test_cli_runner().invoke(args=["users", "reset-password", "leader"])
    assert result.exit_code == 0, result.output
    temporary = result.output.strip().split("：")[-1]
    response = _sign_in(client, "leader", temporary)
    assert response.location.endswith("/account/password")


def test_deactivating_a_user_ends_their_sessions(app, client, bureau):
    _sign_in(client, "leader")
    admin = app.test_client()
    _sign_in(admin, "admin")
    leader = db.session.scalar(select(User).where(User.username == "leader"))
    admin.post(
        f"/admin/users/{leader.id}/active", data={"active": "0", "csrf_token": csrf_token(admin)}
    )
    assert not _signed_in(client)
