"""The warnings API: lists scoped by role and unit, the life steps with their refusals, the
scan, and the thresholds an administrator sets (bad values refused with a clear message)."""

from __future__ import annotations

from sqlalchemy import func, select

from riskctl.core.audit import AuditEntry
from riskctl.core.db import db
from riskctl.rectification.models import RectificationItem
from riskctl.warnings.models import Warning
from tests.factories.rectification import overdue_item
from tests.factories.risks import held_post
from tests.factories.warnings import make_warning


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_the_list_filters_by_colour_unit_rule_and_status(api, bureau):
    make_warning(bureau, unit="ZD1-1", subject="unit:ZD1-1", colour="red")
    make_warning(bureau, unit="ZD2-1", subject="unit:ZD2-1", colour="yellow")
    make_warning(bureau, unit="ZD1-2", subject="unit:ZD1-2", status="closed")
    client = api("discipline")
    body = client.get("/api/v1/warnings").get_json()
    assert (body["total"], [w["unit"] for w in body["items"]]) == (2, ["ZD1-1", "ZD2-1"])
    assert client.get("/api/v1/warnings?colour=yellow").get_json()["items"][0]["unit"] == "ZD2-1"
    assert client.get("/api/v1/warnings?unit=ZD1").get_json()["total"] == 1
    assert client.get("/api/v1/warnings?status=closed").get_json()["total"] == 1
    assert client.get("/api/v1/warnings?status=all").get_json()["total"] == 3
    assert client.get("/api/v1/warnings?rule=leniency_unit_rate").get_json()["total"] == 0
    bad = client.get("/api/v1/warnings?colour=purple")
    assert bad.status_code == 422 and "颜色须为" in bad.get_json()["error"]["message"]
    unknown = client.get("/api/v1/warnings?unit=NOPE")
    assert (
        unknown.status_code == 422 and "单位 NOPE 不存在" in unknown.get_json()["error"]["message"]
    )


def test_an_officer_sees_only_warnings_of_their_unit(api, bureau):
    mine = make_warning(bureau, unit="ZD1-1", subject="unit:ZD1-1")
    other = make_warning(bureau, unit="ZD2-1", subject="unit:ZD2-1")
    bureau_wide = make_warning(bureau, unit=None, subject="draw:inspection:CC-1")
    client = api("officer")
    assert [w["id"] for w in client.get("/api/v1/warnings").get_json()["items"]] == [mine.id]
    assert client.get(f"/api/v1/warnings/{other.id}").status_code == 404
    assert client.get(f"/api/v1/warnings/{bureau_wide.id}").status_code == 404
    summary = client.get("/api/v1/warnings/summary").get_json()
    assert (summary["total"], [u["unit"] for u in summary["by_unit"]]) == (1, ["ZD1-1"])
    assert client.post(f"/api/v1/warnings/{mine.id}/acknowledge").status_code == 403


def test_the_detail_shows_the_evidence_with_links(api, bureau):
    item = overdue_item(bureau)
    warning = make_warning(
        bureau,
        evidence=[
            {
                "label": f"整改事项 {item.id}",
                "kind": "rectification_item",
                "ref": str(item.id),
                "args": {},
            },
            {
                "label": "一中队超期事项",
                "kind": "rectification_list",
                "ref": "ZD1-1",
                "args": {"unit": "ZD1-1", "colour": "red"},
            },
            {"label": "已不存在的页面", "kind": "no_such_kind", "ref": "1", "args": {}},
        ],
    )
    body = api("leader").get(f"/api/v1/warnings/{warning.id}").get_json()
    assert [e["url"] for e in body["evidence"]] == [
        f"/rectification/{item.id}",
        "/rectification/?unit=ZD1-1&colour=red",
        None,
    ]
    assert body["rule_label"] == "整改超期" and body["subject_key"] == "unit:ZD1-1"


def test_a_warning_is_acknowledged_handled_with_a_rectification_item_and_closed(api, bureau):
    warning = make_warning(bureau)
    client = api("discipline")
    assert client.post(f"/api/v1/warnings/{warning.id}/acknowledge").get_json()["status"] == (
        "acknowledged"
    )
    handled = client.post(
        f"/api/v1/warnings/{warning.id}/handle",
        json={
            "note": "已约谈中队长，限期整改",
            "rectification": {"owner": "中队长", "deadline_days": 10},
        },
    )
    assert handled.status_code == 200, handled.get_json()
    item = db.session.get(RectificationItem, handled.get_json()["rectification_item_id"])
    assert (item.source, item.source_ref, item.unit.code, item.owner) == (
        "warning",
        f"预警#{warning.id}",
        "ZD1-1",
        "中队长",
    )
    closed = client.post(f"/api/v1/warnings/{warning.id}/close", json={"note": "整改完成"})
    assert (
        closed.get_json()["status"] == "closed" and closed.get_json()["closed_by"] == "discipline"
    )
    actions = list(
        db.session.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.object_type == "warning")
            .order_by(AuditEntry.seq)
        )
    )
    assert actions == ["warning.acknowledge", "warning.handle", "warning.close"]


def test_a_warning_closed_twice_is_refused_and_nothing_changes(api, bureau):
    warning = make_warning(bureau, status="handled")
    client = api("discipline")
    assert (
        client.post(f"/api/v1/warnings/{warning.id}/close", json={"note": "完成"}).status_code
        == 200
    )
    entries = _count(AuditEntry)
    again = client.post(f"/api/v1/warnings/{warning.id}/close", json={"note": "再关一次"})
    assert again.status_code == 409
    assert "已于" in again.get_json()["error"]["message"]
    assert "不能重复关闭" in again.get_json()["error"]["message"]
    db.session.expire_all()
    assert db.session.get(Warning, warning.id).closing_note == "完成"
    assert _count(AuditEntry) == entries


def test_steps_out_of_order_and_missing_notes_are_refused(api, bureau):
    warning = make_warning(bureau)
    client = api("discipline")
    early = client.post(f"/api/v1/warnings/{warning.id}/handle", json={"note": "处置"})
    assert early.status_code == 409 and "请先确认" in early.get_json()["error"]["message"]
    close = client.post(f"/api/v1/warnings/{warning.id}/close", json={"note": "关闭"})
    assert close.status_code == 409 and "请先处置" in close.get_json()["error"]["message"]
    client.post(f"/api/v1/warnings/{warning.id}/acknowledge")
    again = client.post(f"/api/v1/warnings/{warning.id}/acknowledge")
    assert again.status_code == 409 and "已确认" in again.get_json()["error"]["message"]
    blank = client.post(f"/api/v1/warnings/{warning.id}/handle", json={"note": "  "})
    assert blank.status_code == 422 and blank.get_json()["error"]["details"]["note"]
    days = client.post(
        f"/api/v1/warnings/{warning.id}/handle",
        json={"note": "处置", "rectification": {"deadline_days": 0}},
    )
    assert days.status_code == 422 and "整改期限须为 1 到 250" in str(days.get_json())
    assert _count(RectificationItem) == 0


def test_a_rectification_for_a_warning_without_a_unit_needs_one(api, bureau):
    warning = make_warning(bureau, unit=None, subject="draw:inspection:CC-1", status="acknowledged")
    client = api("discipline")
    url = f"/api/v1/warnings/{warning.id}/handle"
    missing = client.post(url, json={"note": "处置", "rectification": {}})
    assert (
        missing.status_code == 422
        and "请指定整改责任单位" in missing.get_json()["error"]["message"]
    )
    unknown = client.post(url, json={"note": "处置", "rectification": {"unit": "NOPE"}})
    assert (
        unknown.status_code == 422 and "单位 NOPE 不存在" in unknown.get_json()["error"]["message"]
    )
    ok = client.post(url, json={"note": "处置", "rectification": {"unit": "FZK"}})
    assert ok.status_code == 200
    assert (
        db.session.get(RectificationItem, ok.get_json()["rectification_item_id"]).unit.code == "FZK"
    )


def test_a_warning_is_linked_to_a_risk_point_or_keeps_a_proposal(api, bureau):
    point = held_post()
    warning = make_warning(bureau)
    client = api("discipline")
    url = f"/api/v1/warnings/{warning.id}/risk-point"
    assert client.post(url, json={}).status_code == 422
    unknown = client.post(url, json={"risk_point_id": 99999})
    assert (
        unknown.status_code == 422
        and "风险点 99999 不存在" in unknown.get_json()["error"]["message"]
    )
    linked = client.post(url, json={"risk_point_id": point.id}).get_json()
    assert (linked["risk_point_id"], linked["proposal"]) == (point.id, None)
    proposed = client.post(url, json={"proposal": "新增：首违不罚审批把关"}).get_json()
    assert (proposed["risk_point_id"], proposed["proposal"]) == (None, "新增：首违不罚审批把关")
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "warning.link").order_by(AuditEntry.seq)
    )
    assert "暂扣物品保管员" in entry.summary


def test_the_scan_endpoint_runs_the_rules_and_is_idempotent(api, bureau):
    overdue_item(bureau)
    first = api("discipline").post("/api/v1/warnings/scan").get_json()
    second = api("admin").post("/api/v1/warnings/scan").get_json()
    assert (first["raised"], second["raised"], second["still_open"]) == (1, 0, 1)
    assert second["skipped"] == [] and second["summary"][0].startswith("预警扫描")
    assert api("legal").post("/api/v1/warnings/scan").status_code == 403
    assert _count(Warning) == 1


def test_thresholds_of_minus_one_or_text_are_refused_naming_the_setting(api, bureau):
    client = api("admin")
    url = "/api/v1/settings/warnings.leniency_same_party.times"
    for value in (-1, "三次", 2.5, True):
        response = client.put(url, json={"value": value})
        assert response.status_code == 422, value
        message = response.get_json()["error"]["message"]
        assert "预警「同一人员反复免罚同一当事人」：同一当事人的免罚决定次数" in message
        assert "须为 2 到 1000 之间的整数" in message
    factor = client.put("/api/v1/settings/warnings.leniency_unit_rate.factor", json={"value": "x"})
    assert (
        factor.status_code == 422
        and "须为 1 到 100 之间的数字" in factor.get_json()["error"]["message"]
    )
    switch = client.put("/api/v1/settings/warnings.post_tenure.enabled", json={"value": "off"})
    assert (
        switch.status_code == 422
        and "true（启用）或 false（停用）" in switch.get_json()["error"]["message"]
    )
    assert client.put(url, json={"value": 4}).get_json()["value"] == 4
    rules = api("discipline").get("/api/v1/warnings/rules").get_json()["items"]
    same_party = next(r for r in rules if r["key"] == "leniency_same_party")
    assert {t["name"]: t["value"] for t in same_party["thresholds"]} == {"times": 4, "months": 12}
