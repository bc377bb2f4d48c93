"""Administration: schedules, settings, users; the audit log for the discipline committee."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select, text

from riskctl.accounts.models import User
from riskctl.core import calendar, settings
from riskctl.core.audit import AuditEntry
from riskctl.core.db import db
from riskctl.core.setting_kinds import Integer
from tests.conftest import csrf_token
from tests.factories import PASSWORD

SCHEDULE_2027 = "日期,类型\n2027-10-01,休\n2027-10-04,休\n2027-10-09,班\n"


def _sign_in(client, role: str) -> None:
    client.post(
        "/login", data={"username": role, "password": PASSWORD, "csrf_token": csrf_token(client)}
    )


def test_an_unloaded_year_gives_a_provisional_weekday_deadline(bureau):
    deadline = calendar.add_working_days(date(2027, 9, 30), 1)
    assert deadline.date == date(2027, 10, 1) and deadline.provisional


def test_a_loaded_year_counts_its_holidays_and_make_up_days(api):
    response = api("admin").put(
        "/api/v1/calendar/2027",
        data=SCHEDULE_2027.encode(),
        content_type="text/plain; charset=utf-8",
    )
    assert response.status_code == 200 and response.get_json() == {"year": 2027, "days": 3}
    deadline = calendar.add_working_days(date(2027, 9, 30), 1)
    assert deadline.date == date(2027, 10, 5) and not deadline.provisional
    saturday = calendar.add_working_days(date(2027, 10, 8), 1)
    assert saturday.date == date(2027, 10, 9)  # the make-up Saturday counts
    assert (
        db.session.scalar(select(AuditEntry.action).order_by(AuditEntry.seq.desc()))
        == "calendar.load"
    )


def test_a_bad_schedule_line_is_named_and_nothing_is_loaded(api):
    response = api("admin").put(
        "/api/v1/calendar/2027",
        data="2027-10-01,休\n2027-13-01,休\n".encode(),
        content_type="text/plain",
    )
    assert response.status_code == 422
    assert "第 2 行" in response.get_json()["error"]["message"]
    assert calendar.add_working_days(date(2027, 9, 30), 1).provisional


def test_only_the_administrator_loads_schedules(api):
    assert (
        api("legal").put("/api/v1/calendar/2027", data=b"2027-10-01,\xe4\xbc\x91").status_code
        == 403
    )


def test_settings_are_validated_and_audited(api):
    settings.define("test.threshold", "测试阈值", 3, Integer(1))
    admin = api("admin")
    assert admin.put("/api/v1/settings/test.threshold", json={"value": -1}).status_code == 422
    assert admin.put("/api/v1/settings/test.threshold", json={"value": "x"}).status_code == 422
    assert settings.get("test.threshold") == 3
    ok = admin.put("/api/v1/settings/test.threshold", json={"value": 5})
    assert ok.status_code == 200 and settings.get("test.threshold") == 5
    assert admin.put("/api/v1/settings/no.such", json={"value": 1}).status_code == 404


def test_admin_creates_and_deactivates_users_through_the_pages(client, bureau):
    _sign_in(client, "admin")
    token = csrf_token(client)
    created = client.post(
        "/admin/users",
        data={
            "username": "wang",
            "display_name": "王五",
            "role": "officer",
            "unit": "ZD2-1",
            "password": "a-long-password-9",
            "csrf_token": token,
        },
        follow_redirects=True,
    )
    assert "已创建用户 wang" in created.get_data(as_text=True)
    missing_unit = client.post(
        "/admin/users",
        data={
            "username": "li",
            "role": "officer",
            "password": "a-long-password-9",
            "csrf_token": token,
        },
        follow_redirects=True,
    )
    page = missing_unit.get_data(as_text=True)
    assert missing_unit.status_code == 422 and "执法队员必须指定所属单位" in page
    assert "--unit" not in page
    # The form keeps what was typed (never the password) and the chosen role.
    assert 'name="username" required maxlength="60" value="li"' in page
    assert '<option value="officer" selected>' in page
    no_role = client.post(
        "/admin/users",
        data={"username": "zhou", "password": "a-long-password-9", "csrf_token": token},
    )
    assert no_role.status_code == 422 and "请选择角色" in no_role.get_data(as_text=True)
    assert '<option value="">请选择角色</option>' in no_role.get_data(as_text=True)
    assert db.session.scalar(select(User).where(User.username == "li")) is None
    wang = db.session.scalar(select(User).where(User.username == "wang"))
    client.post(f"/admin/users/{wang.id}/active", data={"active": "0", "csrf_token": token})
    db.session.expire_all()
    assert not db.session.get(User, wang.id).active


def test_the_discipline_committee_reads_and_verifies_the_audit_log(api, client, bureau):
    response = api("discipline").get("/api/v1/audit?action=user.")
    body = response.get_json()
    assert response.status_code == 200 and body["total"] == 6
    assert {item["action"] for item in body["items"]} == {"user.create"}
    assert api("discipline").get("/api/v1/audit/verify").get_json()["ok"] is True
    assert api("leader").get("/api/v1/audit").status_code == 403

    db.session.execute(text("UPDATE audit_entries SET actor = 'someone' WHERE seq = 2"))
    db.session.commit()
    verdict = api("discipline").get("/api/v1/audit/verify").get_json()
    assert verdict["ok"] is False and verdict["broken"]["seq"] == 2
    _sign_in(client, "discipline")
    page = client.get("/audit?verify=1").get_data(as_text=True)
    assert "校验失败：第 2 条记录" in page
