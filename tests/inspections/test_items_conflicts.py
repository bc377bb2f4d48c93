"""The item list (随机抽查事项清单) and 回避 records through the API."""

from __future__ import annotations

from sqlalchemy import select

from riskctl.core import clock
from riskctl.core.audit import AuditEntry
from riskctl.core.db import db

ITEM = {
    "code": "SX-SR-01",
    "name": "户外广告设施设置情况检查",
    "legal_basis": "《城市市容和环境卫生管理条例》第十一条",
    "ratio": 0.05,
    "frequency": "每年 1 次",
    "category": "重点",
}


def test_items_are_created_listed_and_retired_with_a_reason(api, bureau):
    client = api("legal")
    created = client.post("/api/v1/inspection/items", json=ITEM)
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["category"] == "key" and created.get_json()["ratio"] == 0.05
    assert client.post("/api/v1/inspection/items", json=ITEM).status_code == 409
    bad = client.post("/api/v1/inspection/items", json={**ITEM, "code": "X 1", "ratio": 2})
    assert set(bad.get_json()["error"]["details"]) == {"code", "ratio"}
    no_reason = client.patch("/api/v1/inspection/items/SX-SR-01", json={"active": False})
    assert no_reason.status_code == 422
    retired = client.patch(
        "/api/v1/inspection/items/SX-SR-01",
        json={"active": False, "reason": "事项已并入市场监管清单"},
    )
    assert retired.get_json()["active"] is False
    listed = api("officer").get("/api/v1/inspection/items").get_json()
    assert listed["total"] == 1
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "inspection.item.update")
    )
    assert "事项已并入市场监管清单" in entry.summary
    plan = client.post(
        "/api/v1/inspection/plans", json={"code": "P1", "name": "x", "items": ["SX-SR-01"]}
    )
    assert plan.status_code == 422 and "已停用" in plan.get_json()["error"]["message"]


def test_a_conflict_is_declared_once_and_ended_with_a_reason(api, roster):
    client = api("legal")
    body = {
        "inspector": "ZF-0001",
        "target": "T00001",
        "relation": "近亲属关系",
        "reason": "检查人员配偶系该店经营者",
    }
    first = client.post("/api/v1/inspection/conflicts", json=body)
    assert first.status_code == 201 and first.get_json()["recorded_by"] == "legal"
    assert client.post("/api/v1/inspection/conflicts", json=body).status_code == 409
    unknown = client.post("/api/v1/inspection/conflicts", json={**body, "target": "T99999"})
    assert unknown.status_code == 422
    assert unknown.get_json()["error"]["details"] == {"target": ["检查对象 T99999 不存在"]}
    conflict_id = first.get_json()["id"]
    ended = client.post(
        f"/api/v1/inspection/conflicts/{conflict_id}/end", json={"reason": "已离婚"}
    )
    assert ended.get_json()["end_reason"] == "已离婚"
    assert client.get("/api/v1/inspection/conflicts").get_json()["total"] == 0
    assert client.get("/api/v1/inspection/conflicts?all=1").get_json()["total"] == 1
    assert (
        client.post(
            f"/api/v1/inspection/conflicts/{conflict_id}/end", json={"reason": "again"}
        ).status_code
        == 409
    )


def test_a_recusal_request_is_decided_by_a_leader_once(api, roster):
    filed = api("legal").post(
        "/api/v1/inspection/recusals",
        json={
            "inspector": "ZF-0002",
            "target": "T00002",
            "applicant": "经营者 刘某",
            "reason": "曾与检查人员发生纠纷",
            "filed_on": clock.today().isoformat(),
        },
    )
    assert filed.status_code == 201 and filed.get_json()["status"] == "pending"
    request_id = filed.get_json()["id"]
    path = f"/api/v1/inspection/recusals/{request_id}/decision"
    assert api("legal").post(path, json={"grant": True}).status_code == 403
    decided = api("leader").post(path, json={"grant": True, "note": "同意"})
    assert (
        decided.get_json()["status"] == "granted" and decided.get_json()["decided_by"] == "leader"
    )
    assert api("leader").post(path, json={"grant": False, "note": "改变主意"}).status_code == 409
    future = api("legal").post(
        "/api/v1/inspection/recusals",
        json={
            "inspector": "ZF-0002",
            "target": "T00002",
            "applicant": "x",
            "reason": "y",
            "filed_on": "2099-01-01",
        },
    )
    assert future.status_code == 422


def test_the_recusal_list_pages_apart_from_the_declarations(api, roster, login):
    for n in range(23):
        filed = api("legal").post(
            "/api/v1/inspection/recusals",
            json={
                "inspector": "ZF-0002",
                "target": "T00002",
                "applicant": f"经营者 申请人{n:02d}",
                "reason": "曾与检查人员发生纠纷",
                "filed_on": clock.today().isoformat(),
            },
        )
        assert filed.status_code == 201
    client = login("leader")
    first = client.get("/inspections/conflicts").get_data(as_text=True)
    assert "共 23 件 · 第 1 / 2 页" in first
    assert first.count("经营者 申请人") == 20
    assert "申请人22" in first and "申请人02" not in first  # newest first
    assert 'href="/inspections/conflicts?rpage=2#recusals">下一页</a>' in first
    second = client.get("/inspections/conflicts?rpage=2&q=ZF").get_data(as_text=True)
    assert "第 2 / 2 页" in second and second.count("经营者 申请人") == 3
    assert "申请人00" in second and "申请人22" not in second
    # Paging the requests is not a filter of the declarations, and a page past the end
    # shows the last one; a bad page is refused naming the parameter.
    assert "第 2 / 2 页" in client.get("/inspections/conflicts?rpage=9").get_data(as_text=True)
    bad = client.get("/inspections/conflicts?rpage=abc")
    assert bad.status_code == 400 and "rpage" in bad.get_data(as_text=True)
