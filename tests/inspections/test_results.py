"""Results (检查结果), attachments, publication within 20 working days, overdue list."""

from __future__ import annotations

import io
import json
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from riskctl.core import clock
from riskctl.core.db import db
from riskctl.inspections.models import Attachment, Plan, Target, Task
from riskctl.inspections.rosters.imports import import_roster
from riskctl.rectification.models import RectificationItem

# Dates count from the bureau's today: run at moments where UTC and Beijing disagree.
pytestmark = pytest.mark.usefixtures("instant")


def _tasks() -> list[Task]:
    return list(db.session.scalars(select(Task).order_by(Task.position)))


def _task_of_officer(officer_unit: str = "ZD1-1") -> Task:
    return next(t for t in _tasks() if any(i.unit.code == officer_unit for i in t.inspectors))


def _not_officers(officer_unit: str = "ZD1-1") -> Task:
    return next(t for t in _tasks() if all(i.unit.code != officer_unit for i in t.inspectors))


def _enter(client, task: Task, result: str = "no_problem", day: str | None = None, note: str = ""):
    """Enter a result dated ``day`` (ISO), by default the bureau's today."""
    day = day or clock.today().isoformat()
    return client.post(
        f"/api/v1/inspection/tasks/{task.id}/result",
        json={"result": result, "inspected_on": day, "note": note},
    )


def _backdate(drawn_on: date) -> None:
    """Pretend the plan was drawn earlier, so that past inspection dates are valid."""
    plan = db.session.scalar(select(Plan))
    plan.drawn_at = clock.day_start(drawn_on)
    db.session.commit()


def test_officers_enter_results_for_their_units_tasks_only(api, drawn):
    mine, other = _task_of_officer(), _not_officers()
    response = _enter(api("officer"), mine, "未发现问题")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["result"], body["result_label"], body["inspected_on"]) == (
        "no_problem",
        "未发现问题",
        clock.today().isoformat(),
    )
    assert _enter(api("officer"), other).status_code == 404
    listed = api("officer").get("/api/v1/inspection/plans/SJ-T-01/tasks?per_page=100").get_json()
    assert mine.id in {t["id"] for t in listed["items"]}
    assert other.id not in {t["id"] for t in listed["items"]}
    assert api("leader").get("/api/v1/inspection/plans/SJ-T-01/tasks").get_json()["total"] == 15
    assert _enter(api("leader"), mine).status_code == 403


def test_the_publication_deadline_counts_chinese_working_days(api, drawn):
    _backdate(date(2025, 9, 1))
    task = _tasks()[0]
    response = _enter(api("legal"), task, day="2025-09-26")
    body = response.get_json()
    # 国庆中秋 2025: 10-01 … 10-08 off, 09-28 (Sun) and 10-11 (Sat) worked.
    assert (body["publish_due"], body["due_provisional"]) == ("2025-10-30", False)


def _load_schedule(api, year: int, lines: list[str]) -> None:
    """Load a year's 放假安排 the way an administrator does (PUT /api/v1/calendar/<year>)."""
    response = api("admin").put(
        f"/api/v1/calendar/{year}",
        data="\n".join(lines).encode(),
        content_type="text/plain; charset=utf-8",
    )
    assert response.status_code == 200, response.get_json()


def _twentieth_working_day(start: date, off: set[date], on: set[date]) -> date:
    """The test's own count: weekdays, minus the schedule's holidays, plus its make-up days."""
    day, left = start, 20
    while left:
        day += timedelta(days=1)
        if day in on or (day.weekday() < 5 and day not in off):
            left -= 1
    return day


def test_a_provisional_deadline_is_flagged_until_its_year_is_loaded(api, login, drawn):
    today = clock.today()
    # 2026 as loaded: every remaining working day of December a holiday, so that the
    # 20 working days run into 2027, a year chinesecalendar does not know.
    december_off = {
        date(2026, 12, d)
        for d in range(1, 32)
        if date(2026, 12, d) > today and date(2026, 12, d).weekday() < 5
    }
    _load_schedule(api, 2026, [f"{d.isoformat()},休" for d in sorted(december_off)])
    first, second = _tasks()[:2]
    guessed = _enter(api("legal"), first).get_json()
    assert guessed["due_provisional"] is True
    assert guessed["publish_due"] > "2027-01-01"
    page = login("legal").get(f"/inspections/tasks/{first.id}").get_data(as_text=True)
    assert f"{guessed['publish_due']}（暂定：该年度放假安排尚未载入" in page

    holidays_2027 = {date(2027, 1, 1), date(2027, 1, 4), date(2027, 1, 5)}
    make_up_2027 = {date(2027, 1, 9)}  # a Saturday worked
    _load_schedule(
        api,
        2027,
        [f"{d.isoformat()},休" for d in sorted(holidays_2027)]
        + [f"{d.isoformat()},班" for d in sorted(make_up_2027)],
    )
    firm = _enter(api("legal"), second).get_json()
    expected = _twentieth_working_day(today, december_off | holidays_2027, make_up_2027)
    assert (firm["publish_due"], firm["due_provisional"]) == (expected.isoformat(), False)
    page = login("legal").get(f"/inspections/tasks/{second.id}").get_data(as_text=True)
    assert expected.isoformat() in page and "暂定" not in page


def test_bad_result_input_is_refused(api, drawn):
    task = _tasks()[0]
    bad_code = _enter(api("legal"), task, result="还行")
    assert bad_code.status_code == 422
    assert "结果代码无效" in bad_code.get_json()["error"]["message"]
    future = _enter(api("legal"), task, day="2099-01-01")
    assert future.get_json()["error"]["details"] == {"inspected_on": ["检查日期不能晚于今天"]}
    before = _enter(api("legal"), task, day="2000-01-01")
    assert "不能早于抽取日期" in before.get_json()["error"]["message"]
    assert db.session.get(Task, task.id).result_code is None


def test_a_problem_opens_a_rectification_item(api, drawn):
    task = _tasks()[0]
    _enter(api("legal"), task, "not_publicised", note="未公示油烟清洗记录")
    item = db.session.scalar(select(RectificationItem))
    assert item.source == "inspection_result" and item.source_ref == f"inspection-task:{task.id}"
    assert item.title == f"{task.target.name}：未按规定公示"
    assert item.unit_id == task.target.unit_id
    _enter(api("legal"), task, "corrected")
    assert len(db.session.scalars(select(RectificationItem)).all()) == 1


def test_a_closed_business_leaves_later_frames(api, drawn):
    task = _tasks()[0]
    _enter(api("legal"), task, "已关闭停业")
    assert db.session.get(Target, task.target_id).closed is True


def test_publication_on_time_and_the_overdue_list(api, drawn):
    _backdate(date(2025, 9, 1))
    late, fresh, blank = _tasks()[:3]
    _enter(api("legal"), late, day="2025-09-26")
    _enter(api("legal"), fresh)
    overdue = api("legal").get("/api/v1/inspection/results/overdue").get_json()
    assert [t["id"] for t in overdue["items"]] == [late.id]

    refused = api("legal").post(
        "/api/v1/inspection/plans/SJ-T-01/publish", json={"tasks": [blank.id]}
    )
    assert refused.status_code == 422 and "尚未录入结果" in refused.get_json()["error"]["message"]
    published = api("legal").post("/api/v1/inspection/plans/SJ-T-01/publish", json={})
    assert published.get_json() == {"published": 2}
    db.session.expire_all()
    assert (
        db.session.get(Task, late.id).published_late,
        db.session.get(Task, fresh.id).published_late,
    ) == (True, False)
    assert api("legal").get("/api/v1/inspection/results/overdue").get_json()["total"] == 0
    again = _enter(api("legal"), fresh, "corrected")
    assert again.status_code == 409 and "已于" in again.get_json()["error"]["message"]
    stats = api("leader").get("/api/v1/inspection/stats?start=2025-01-01").get_json()
    assert stats["publication"] == {
        "total": 2,
        "on_time": 1,
        "late": 1,
        "overdue": 0,
        "pending": 0,
        "on_time_rate": 50.0,
    }


def test_attachments_are_kept_with_a_safe_name_and_a_size_limit(api, drawn, app):
    task = _task_of_officer()
    client = api("officer")

    def send(data: bytes, name: str):
        return client.post(
            f"/api/v1/inspection/tasks/{task.id}/attachments",
            data={"file": (io.BytesIO(data), name)},
            content_type="multipart/form-data",
        )

    response = send(b"%PDF-1.4 record", "../../现场检查笔录.PDF")
    assert response.status_code == 201, response.get_json()
    stored = db.session.scalar(select(Attachment))
    assert stored.filename == "现场检查笔录.pdf" and "/" not in stored.stored_name
    assert stored.content_type == "application/pdf"
    download = client.get(f"/api/v1/inspection/tasks/{task.id}/attachments/{stored.id}")
    assert download.status_code == 200 and download.data == b"%PDF-1.4 record"
    assert send(b"MZ", "tool.exe").status_code == 422
    too_big = send(b"x" * (10 * 1024 * 1024 + 1), "big.pdf")
    assert too_big.status_code == 422 and "10 MB" in too_big.get_json()["error"]["message"]
    other = _not_officers()
    assert (
        client.get(f"/api/v1/inspection/tasks/{other.id}/attachments/{stored.id}").status_code
        == 404
    )


def test_statistics_by_class_and_completion(api, drawn):
    tasks = _tasks()
    for task in tasks[:5]:
        _enter(api("legal"), task)
    stats = api("discipline").get("/api/v1/inspection/stats").get_json()
    coverage = {c["class"]: c for c in stats["coverage"]}
    assert sum(c["drawn"] for c in coverage.values()) == 15
    assert sum(c["inspected"] for c in coverage.values()) == 5
    assert coverage["D"]["roster"] == 6 and coverage["D"]["drawn"] == 5
    [plan] = stats["plans"]
    assert (plan["selected"], plan["entered"], plan["completion"]) == (15, 5, 33.3)
    by_code = {r["code"]: r["count"] for r in stats["results"]}
    assert by_code["no_problem"] == 5
    assert api("officer").get("/api/v1/inspection/stats").status_code == 403


def test_an_id_card_used_as_target_id_is_masked_publicly(api, bureau, client):
    from tests.inspections.conftest import INSPECTOR_HEADER, TARGET_HEADER, csv_bytes, inspector_row

    person = "410402199001011230"  # a valid 身份证号 (check digit 0)
    rows = [[person, "王五水果摊", "", "个体工商户", "人民路 3 号", "D", "ZD1-1"]]
    import_roster("targets", csv_bytes(TARGET_HEADER, rows), "t.csv", None, "legal")
    people = [inspector_row(i) for i in range(4)]
    import_roster("inspectors", csv_bytes(INSPECTOR_HEADER, people), "i.csv", None, "x")
    db.session.commit()
    client_ = api("legal")
    client_.post("/api/v1/inspection/plans", json={"code": "P-ID", "name": "x", "ratios": {"D": 1}})
    client_.post("/api/v1/inspection/plans/P-ID/lock")
    drawn = client_.post(
        "/api/v1/inspection/plans/P-ID/draw", json={"entropy": "e", "entropy_source": "s"}
    )
    assert drawn.status_code == 201, drawn.get_json()
    data = client.get("/public/inspections/P-ID.json").get_json()
    shown = data["tasks"][0]["target"]
    assert person not in json.dumps(data, ensure_ascii=False)
    assert shown["code"] == "4104**********1230" and shown["name"] == "王**果摊"


def test_an_uploaded_html_page_is_served_as_a_plain_download(api, drawn):
    """Whatever the uploader claims, the type served comes from the content (whitelist)."""
    task = _task_of_officer()
    client = api("officer")
    page = b"<!DOCTYPE html><html><body><script>fetch('/api/v1/users')</script></body></html>"
    for name, data, claimed in [
        ("说明.txt", page, "text/html"),
        ("笔录.pdf", page, "application/pdf"),
        ("现场.jpg", b"%PDF-1.7 actually a pdf", "text/html"),
    ]:
        response = client.post(
            f"/api/v1/inspection/tasks/{task.id}/attachments",
            data={"file": (io.BytesIO(data), name, claimed)},
            content_type="multipart/form-data",
        )
        assert response.status_code == 201, response.get_json()
    stored = db.session.scalars(select(Attachment).order_by(Attachment.id)).all()
    assert [a.content_type for a in stored] == [
        "application/octet-stream",
        "application/octet-stream",
        "application/pdf",
    ]
    # Rows uploaded before this rule kept the claimed type: it is never served.
    stored[0].content_type = "text/html"
    db.session.commit()
    served = [client.get(f"/api/v1/inspection/tasks/{task.id}/attachments/{a.id}") for a in stored]
    assert [r.mimetype for r in served] == [
        "application/octet-stream",
        "application/octet-stream",
        "application/pdf",
    ]
    for response in served:
        assert response.headers["Content-Disposition"].startswith("attachment;")
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert served[0].data == page


def test_the_task_list_reads_the_files_of_the_tasks_that_have_some(api, drawn, app):
    """The page reads attachments only for its tasks that have files: those list theirs,
    every other task an empty list."""
    task = _task_of_officer()
    client = api("officer")
    response = client.post(
        f"/api/v1/inspection/tasks/{task.id}/attachments",
        data={"file": (io.BytesIO(b"%PDF-1.4 record"), "笔录.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 201, response.get_json()
    listed = api("legal").get(f"/api/v1/inspection/plans/{task.plan.code}/tasks?per_page=100")
    items = {item["id"]: item for item in listed.get_json()["items"]}
    assert [a["filename"] for a in items[task.id]["attachments"]] == ["笔录.pdf"]
    assert len(items) > 1
    assert all(item["attachments"] == [] for i, item in items.items() if i != task.id)
    assert (
        items[task.id]["attachments"]
        == (api("legal").get(f"/api/v1/inspection/tasks/{task.id}").get_json()["attachments"])
    )
