"""The calendar page names every bad line at once, keeps what was typed and lists each
loaded year's days; the users page keeps its input and offers reset and unlock; the
administrator's home asks for next year's calendar from November."""

from __future__ import annotations

import html
import io
import re
from datetime import UTC, date, datetime

from sqlalchemy import select

from riskctl.core import calendar
from riskctl.core.calendar import CalendarYear
from riskctl.core.db import db
from tests.conftest import csrf_token

GOOD = "日期,类型\n2027-10-01,休\n2027-10-04,休\n2027-09-26,班\n"
TILE = re.compile(
    r'<a class="stat[^"]*"\s*(?:href="([^"]*)")?>\s*<span class="value">([^<]*)</span>'
    r'<span class="label">([^<]*)</span>'
)


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _load(client, year: str, schedule: str, **extra):
    data = {"year": year, "schedule": schedule, "csrf_token": csrf_token(client), **extra}
    return client.post("/admin/calendar", data=data, content_type="multipart/form-data")


def test_every_bad_line_is_named_at_once_and_the_input_is_kept(login):
    admin = login("admin")
    typed = "2027-10-01,休\n2027-13-01,休\n2026-10-02,休\n2027-10-05,调\n2027-10-01,班\n"
    response = _load(admin, "2027", typed)
    assert response.status_code == 422
    page = _text(response)
    assert "未载入：共 4 处错误，请更正后再载入" in page
    for message in (
        "第 2 行：日期“2027-13-01”不存在",
        "第 3 行：2026-10-02 不属于 2027 年",
        "第 4 行：无法识别的类型“调”（应为 休 或 班）",
        "第 5 行：2027-10-01 与第 1 行矛盾",
    ):
        assert f"<li>{message}</li>" in page
    assert f">\n{typed}</textarea>" in page and 'value="2027"' in page
    assert db.session.get(CalendarYear, 2027) is None
    assert calendar.add_working_days(date(2027, 9, 30), 1).provisional


def test_a_bad_year_and_an_empty_schedule_are_refused_keeping_the_text(login):
    admin = login("admin")
    bad_year = _load(admin, "27", GOOD)
    assert bad_year.status_code == 422
    page = _text(bad_year)
    assert "年份：请填写 2000 至 2100 之间的年份（如 2027）" in page
    assert f">\n{GOOD}</textarea>" in page and 'value="27"' in page
    empty = _load(admin, "2027", "  \n")
    assert empty.status_code == 422
    assert "安排：请每行填写一天，如 2027-10-01,休" in _text(empty)


def test_an_uploaded_file_with_errors_comes_back_into_the_box(login):
    admin = login("admin")
    response = _load(
        admin, "2027", "", file=(io.BytesIO("2027-10-01,休\n2027-02-30,休\n".encode()), "a.csv")
    )
    assert response.status_code == 422
    page = _text(response)
    assert "第 2 行：日期“2027-02-30”不存在" in page
    assert ">\n2027-10-01,休\n2027-02-30,休\n</textarea>" in page


def test_the_loaded_years_show_their_holidays_make_up_days_and_who_loaded_them(login):
    admin = login("admin")
    response = _load(admin, "2027", GOOD)
    assert response.status_code == 302
    page = _text(admin.get("/admin/calendar"))
    assert "已载入 2027 年安排，共 3 天" in page
    row = re.search(r"<tr><td>2027 年</td>(.*?)</tr>", page, re.S).group(1)
    cells = re.findall(r"<td>(.*?)</td>", row, re.S)
    assert cells[0].startswith("2 天") and "10月1日、10月4日" in cells[0]
    assert cells[1].startswith("1 天") and "9月26日" in cells[1]
    assert cells[3] == "admin"  # the loader's name (the test bureau names users by username)
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}(:\d{2})?", cells[2].strip())
    assert not calendar.add_working_days(date(2027, 9, 30), 1).provisional


def test_the_users_page_keeps_input_never_defaults_to_admin_and_offers_reset_and_unlock(
    app, login, bureau
):
    admin = login("admin")
    page = _text(admin.get("/admin/users"))
    form = page.split('id="new-user"')[1]
    assert '<option value="admin" selected>' not in form and " selected>" not in form
    assert "重置密码" in page and "登录锁定" in page
    weak = admin.post(
        "/admin/users",
        data={
            "username": "zhao",
            "display_name": "赵六",
            "role": "officer",
            "unit": "ZD1-2",
            "password": "short",
            "csrf_token": csrf_token(admin),
        },
    )
    assert weak.status_code == 422
    form = _text(weak).split('id="new-user"')[1]
    assert 'value="zhao"' in form and 'value="赵六"' in form
    assert '<option value="officer" selected>' in form and '<option value="ZD1-2" selected>' in form
    assert 'name="password" type="password" required' in form and "short" not in form

    # A locked account can be unlocked from the page.
    client = app.test_client()
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        client.post(
            "/login",
            data={"username": "legal", "password": "wrong-1", "csrf_token": csrf_token(client)},
        )
    locked = _text(admin.get("/admin/users?locked=1"))
    assert (
        '<input type="hidden" name="subject" value="legal"><button type="submit">解除锁定</button>'
        in locked
    )
    unlocked = admin.post(
        "/admin/locks/account/unlock", data={"subject": "legal", "csrf_token": csrf_token(admin)}
    )
    assert unlocked.status_code == 302
    assert "已解除 legal 的登录锁定" in _text(admin.get("/admin/users"))


def _tiles(client) -> dict[str, tuple[str, str]]:
    page = client.get("/").get_data(as_text=True)
    return {label: (value, href or "") for href, value, label in TILE.findall(page)}


def test_from_november_the_admin_is_asked_for_next_years_calendar(login, bureau, travel):
    travel(datetime(2026, 10, 31, 12, tzinfo=UTC))
    admin = login("admin")
    assert "节假日安排尚未载入" not in _tiles(admin)
    travel(datetime(2026, 11, 2, 2, tzinfo=UTC))
    admin = login("admin")  # a new day, a new session
    assert _tiles(admin)["节假日安排尚未载入"] == ("2027 年", "/admin/calendar")
    assert "节假日安排尚未载入" not in _tiles(login("legal"))
    # The page suggests next year, and once it is loaded the tile goes.
    assert 'name="year" type="number" min="2000" max="2100" required value="2027"' in _text(
        admin.get("/admin/calendar")
    )
    assert _load(admin, "2027", GOOD).status_code == 302
    assert "节假日安排尚未载入" not in _tiles(admin)
    assert (
        db.session.scalar(select(CalendarYear.loaded_by).where(CalendarYear.year == 2027))
        == "admin"
    )


def test_the_api_names_every_bad_line_too(api):
    response = api("admin").put(
        "/api/v1/calendar/2027",
        data="2027-10-01,休\n2026-10-01,休\nx,休\n".encode(),
        content_type="text/plain",
    )
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["details"]["schedule"] == [
        "第 2 行：2026-10-01 不属于 2027 年",
        "第 3 行：无法识别的日期“x”（应如 2027-10-01）",
    ]
    assert error["message"].startswith("安排有 2 处错误，未载入：第 2 行")
