"""A re-draw (重抽) needs a reason and a leader's approval; both draws stay public."""

from __future__ import annotations

from sqlalchemy import select

from riskctl.core import clock
from riskctl.core.db import db
from riskctl.draws.models import Draw
from riskctl.inspections.models import Plan, Task

NEW_ENTROPY = "2026-11-21 公证摇号 02 11 19 28 40"


def _request(api, reason: str = "开奖公告推迟，录入的号码不是当期号码", kind="entropy_failure"):
    return api("legal").post(
        "/api/v1/inspection/plans/SJ-T-01/redraws", json={"kind": kind, "reason": reason}
    )


def _run(api, request_id: int, entropy: str = NEW_ENTROPY):
    return api("legal").post(
        f"/api/v1/inspection/redraws/{request_id}/run",
        json={"entropy": entropy, "entropy_source": "公证处现场摇号"},
    )


def test_a_redraw_needs_a_leaders_approval_and_keeps_the_old_draw(api, drawn, client):
    requested = _request(api)
    assert requested.status_code == 201
    request_id = requested.get_json()["id"]
    early = _run(api, request_id)
    assert early.status_code == 409 and "尚未经局领导批准" in early.get_json()["error"]["message"]
    assert (
        api("legal")
        .post(f"/api/v1/inspection/redraws/{request_id}/decision", json={"approve": True})
        .status_code
        == 403
    )
    approved = api("leader").post(
        f"/api/v1/inspection/redraws/{request_id}/decision",
        json={"approve": True, "note": "同意重抽"},
    )
    assert approved.get_json()["status"] == "approved"
    reused = _run(api, request_id, entropy=drawn["entropy"])
    assert (
        reused.status_code == 422
        and "重抽须使用新的公开随机数" in reused.get_json()["error"]["message"]
    )
    second = _run(api, request_id)
    assert second.status_code == 201, second.get_json()
    body = second.get_json()
    assert body["round"] == 2 and body["draw_id"] != drawn["draw_id"]
    draw = db.session.get(Draw, body["draw_id"])
    assert (draw.redraw_reason, draw.approved_by) == (
        "开奖公告推迟，录入的号码不是当期号码",
        "leader",
    )
    plan = db.session.scalar(select(Plan))
    assert plan.draw_id == draw.id
    old = db.session.scalars(select(Task).where(Task.draw_id == drawn["draw_id"])).all()
    assert len(old) == 15 and all(t.superseded for t in old)
    assert len(db.session.scalars(select(Task).where(Task.superseded.is_(False))).all()) == 15
    public = client.get("/public/inspections/SJ-T-01.json").get_json()
    assert [d["round"] for d in public["draws"]] == [1, 2]
    assert public["current_draw"] == draw.id
    assert _run(api, request_id).status_code == 409


def test_a_refused_redraw_and_one_after_results_are_refused(api, drawn):
    request_id = _request(api).get_json()["id"]
    no_reason = api("leader").post(
        f"/api/v1/inspection/redraws/{request_id}/decision", json={"approve": False}
    )
    assert no_reason.status_code == 422
    api("leader").post(
        f"/api/v1/inspection/redraws/{request_id}/decision",
        json={"approve": False, "note": "理由不充分"},
    )
    assert _run(api, request_id).status_code == 409
    task = db.session.scalars(select(Task)).first()
    api("legal").post(
        f"/api/v1/inspection/tasks/{task.id}/result",
        json={"result": "no_problem", "inspected_on": clock.today().isoformat()},
    )
    late = _request(api)
    assert late.status_code == 409 and "已录入检查结果" in late.get_json()["error"]["message"]


def test_a_reason_is_required(api, drawn):
    response = _request(api, reason="  ")
    assert response.status_code == 422
    assert response.get_json()["error"]["details"] == {"reason": ["此项为必填项"]}
