"""One clock (issue 11): with the server's clock at 17:30 UTC it is already tomorrow in
Beijing, and every module must count that day, not the server's."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from riskctl.core import clock
from riskctl.core.calendar import current_calendar
from riskctl.core.db import db
from riskctl.inspections.models import Task
from riskctl.rectification.models import RectificationItem
from riskctl.reporting import operations
from tests.conftest import csrf_token
from tests.factories import PASSWORD
from tests.inspections.conftest import create_plan, draw, load_roster, lock
from tests.reporting.conftest import WQY, pdf_text

# 2026-12-03 17:30 UTC is Friday 2026-12-04 01:30 in Beijing.
SERVER_1730 = datetime(2026, 12, 3, 17, 30, tzinfo=UTC)
BEIJING_TODAY = date(2026, 12, 4)
NEXT_WORKING_DAY = date(2026, 12, 7)  # Monday


@pytest.fixture
def at_1730(travel):
    travel(SERVER_1730)
    return SERVER_1730


def test_at_1730_utc_beijings_today_is_the_next_date(at_1730):
    assert clock.today() == BEIJING_TODAY
    assert at_1730.date() == date(2026, 12, 3)


def _drawn_task(api) -> Task:
    load_roster()
    client = api("legal")
    create_plan(client)
    assert lock(client).status_code == 200
    assert draw(client).status_code == 201
    return db.session.scalars(select(Task).order_by(Task.position)).first()


def _enter(api, task: Task, day: date):
    return api("legal").post(
        f"/api/v1/inspection/tasks/{task.id}/result",
        json={"result": "no_problem", "inspected_on": day.isoformat()},
    )


def test_an_inspection_dated_beijings_today_is_accepted_and_tomorrow_refused(at_1730, api):
    task = _drawn_task(api)
    tomorrow = _enter(api, task, BEIJING_TODAY + timedelta(days=1))
    assert tomorrow.status_code == 422
    assert tomorrow.get_json()["error"]["details"]["inspected_on"] == ["检查日期不能晚于今天"]
    today = _enter(api, task, BEIJING_TODAY)
    assert today.status_code == 200, today.get_json()
    assert today.get_json()["inspected_on"] == "2026-12-04"
    # The plan was drawn on Beijing's 12-04: the server's 12-03 is before the draw.
    before = _enter(api, task, date(2026, 12, 3))
    assert before.status_code == 422
    assert "不能早于抽取日期 2026-12-04" in before.get_json()["error"]["message"]


def _open_item(api) -> dict:
    response = api("legal").post(
        "/api/v1/rectification/items",
        json={
            "source": "warning",
            "source_ref": "YJ-CLOCK",
            "title": "凌晨立项的整改事项",
            "unit": "ZD1-1",
            "deadline_days": 1,
        },
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _colour(api, item_id: int) -> str:
    return api("legal").get(f"/api/v1/rectification/items/{item_id}").get_json()["colour"]


def _overdue_items_in_scan(api) -> set[str]:
    assert api("discipline").post("/api/v1/warnings/scan").status_code == 200
    reader = api("discipline")
    listed = reader.get("/api/v1/warnings?rule=rectification_overdue").get_json()["items"]
    details = [reader.get(f"/api/v1/warnings/{w['id']}").get_json() for w in listed]
    return {e["ref"] for w in details for e in w["evidence"] if e["kind"] == "rectification_item"}


def test_a_one_day_item_is_due_on_the_working_day_after_beijings_today(at_1730, api):
    body = _open_item(api)
    assert body["opened_on"] == "2026-12-04"
    assert body["deadline"] == NEXT_WORKING_DAY.isoformat()
    calendar = current_calendar()
    assert calendar.is_working_day(NEXT_WORKING_DAY)
    assert calendar.working_days_between(BEIJING_TODAY, NEXT_WORKING_DAY) == 1
    item = db.session.get(RectificationItem, body["id"])
    assert item.deadline > clock.today()


def test_the_ledger_colour_and_the_warnings_scan_agree(at_1730, api, travel):
    item_id = _open_item(api)["id"]
    # Just opened: one working day left -- yellow in the ledger, not overdue for the scan.
    assert _colour(api, item_id) == "yellow"
    assert str(item_id) not in _overdue_items_in_scan(api)
    # 23:59 in Beijing on the deadline (15:59 UTC): still due today, for both.
    travel(datetime(2026, 12, 7, 15, 59, tzinfo=UTC))
    assert _colour(api, item_id) == "yellow"
    assert str(item_id) not in _overdue_items_in_scan(api)
    # 00:01 in Beijing the day after (16:01 UTC, still 12-07 on the server): overdue, for both.
    travel(datetime(2026, 12, 7, 16, 1, tzinfo=UTC))
    assert _colour(api, item_id) == "red"
    assert str(item_id) in _overdue_items_in_scan(api)


def _sign_in(client, username: str):
    response = client.post(
        "/login",
        data={"username": username, "password": PASSWORD, "csrf_token": csrf_token(client)},
    )
    assert response.status_code == 302
    return client


def test_pages_and_the_audit_log_show_beijing_time_and_the_api_its_offset(at_1730, api, client):
    item_id = _open_item(api)["id"]
    event = api("legal").get(f"/api/v1/rectification/items/{item_id}").get_json()["events"][0]
    at = datetime.fromisoformat(event["at"])
    assert at.utcoffset() == timedelta(0)  # ISO 8601 with its offset, on SQLite too
    assert timedelta(0) <= at - SERVER_1730 < timedelta(minutes=1)

    _sign_in(client, "discipline")
    ledger = client.get(f"/rectification/{item_id}").get_data(as_text=True)
    assert "2026-12-04 01:3" in ledger and "2026-12-03 17:3" not in ledger
    audit = client.get("/audit").get_data(as_text=True)
    assert "时间（北京时间）" in audit and "UTC" not in audit
    assert "2026-12-04 01:3" in audit and "2026-12-03 17:3" not in audit


@pytest.mark.skipif(not Path(WQY).is_file(), reason="fonts-wqy-microhei is not installed")
def test_a_report_issued_after_beijing_midnight_counts_beijings_day(app, at_1730, bureau, client):
    report = operations.issue_report(2026, 4, "legal")
    db.session.commit()
    assert (report.issued_on, report.as_of) == (BEIJING_TODAY, BEIJING_TODAY)
    text = pdf_text((Path(app.config["REPORTS_DIR"]) / report.filename).read_bytes())
    assert "数据截至：2026年12月4日" in text
    assert (
        "统计口径：日期、季度均按北京时间划分（以北京时间零时为界），文中时间均为北京时间" in text
    )
    _sign_in(client, "legal")
    page = client.get(f"/reports/{report.id}").get_data(as_text=True)
    assert "2026-12-04 01:3" in page and "UTC" not in page
