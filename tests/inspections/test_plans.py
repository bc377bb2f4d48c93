"""Plans: the stratum preview, lock then draw once, the bad inputs it must refuse."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from riskctl.core import clock
from riskctl.core.db import db
from riskctl.draws.engine.draw import compute_digests
from riskctl.draws.engine.manifest import parse_manifest
from riskctl.draws.models import Draw, DrawManifest
from riskctl.draws.queries import get_manifest
from riskctl.inspections import operations
from riskctl.inspections.models import Plan, Target, Task, TaskInspector
from tests.inspections.conftest import (
    ENTROPY,
    create_plan,
    draw,
    inspectors_csv,
    load_roster,
    lock,
    plan_body,
    targets_csv,
)


def _plan(code: str = "SJ-T-01") -> Plan:
    return db.session.scalar(select(Plan).where(Plan.code == code))


def _error(response) -> dict:
    return response.get_json()["error"]


@pytest.mark.parametrize(
    ("ratios", "message"),
    [
        ({"A": 1.5}, "超出范围"),
        ({"B": -0.1}, "超出范围"),
        ({"E": 0.1}, "信用等级“E”无效"),
        ({"A": "五成"}, "不是数字"),
    ],
)
def test_a_ratio_outside_0_to_1_is_refused(api, roster, ratios, message):
    response = api("legal").post("/api/v1/inspection/plans", json=plan_body(ratios=ratios))
    assert response.status_code == 422
    assert message in _error(response)["message"]
    assert _plan() is None


def test_a_team_of_one_is_refused_citing_the_law(api, roster):
    response = api("legal").post("/api/v1/inspection/plans", json=plan_body(team_size=1))
    assert response.status_code == 422
    assert _error(response)["details"]["team_size"] == [
        "每组检查人员不得少于 2 人（《行政处罚法》第四十二条）"
    ]


def test_the_preview_shows_each_stratum_before_locking(api, roster):
    with_closed = db.session.scalar(select(Target).where(Target.code == "T00002"))  # class B
    with_closed.closed = True
    db.session.commit()
    create_plan(api("legal"), ratios={"A": 0.05, "B": 0.1, "C": 0.3})
    preview = api("leader").get("/api/v1/inspection/plans/SJ-T-01/preview").get_json()
    by_class = {s["class"]: s for s in preview["strata"]}
    assert (by_class["A"]["total"], by_class["A"]["eligible"], by_class["A"]["quota"]) == (
        12,
        12,
        1,
    )
    assert (
        by_class["B"]["total"],
        by_class["B"]["excluded_closed"],
        by_class["B"]["eligible"],
        by_class["B"]["quota"],
    ) == (24, 1, 23, 3)
    assert (by_class["C"]["eligible"], by_class["C"]["quota"]) == (18, 6)
    assert by_class["D"]["sampled"] is False and by_class["D"]["quota"] == 0
    assert preview["selected"] == 10 and preview["problems"] == []
    assert preview["inspectors"] == {"active": 12, "inactive": 0}
    assert preview["cap"] == 3  # ceil(2 × 10 / 12) + 1
    assert preview["frozen"] is False


def test_quotas_are_exact_decimal_ceilings(api, bureau):
    operations.import_roster("targets", targets_csv(25, klass="A"), "t.csv", None, "fazhi")
    operations.import_roster("inspectors", inspectors_csv(6), "i.csv", None, "fazhi")
    db.session.commit()
    # 25 × 0.28 is 7 exactly; in binary floating point it is 7.000000000000001 (ceil 8).
    create_plan(api("legal"), ratios={"A": 0.28})
    preview = api("legal").get("/api/v1/inspection/plans/SJ-T-01/preview").get_json()
    assert preview["strata"][0]["eligible"] == 25 and preview["strata"][0]["quota"] == 7


def test_a_quota_larger_than_its_stratum_blocks_locking(api, roster):
    create_plan(api("legal"), quotas={"D": 9})
    preview = api("legal").get("/api/v1/inspection/plans/SJ-T-01/preview").get_json()
    assert preview["problems"] == [
        {"field": "quotas", "message": "D 类配额 9 大于该层可抽对象数 6，请调低配额"}
    ]
    response = lock(api("legal"))
    assert response.status_code == 422
    assert _error(response)["details"]["quotas"] == ["D 类配额 9 大于该层可抽对象数 6，请调低配额"]
    assert _plan().status == "draft" and db.session.scalar(select(func.count(DrawManifest.id))) == 0


def test_more_demand_than_the_cap_allows_is_refused(api, roster):
    create_plan(api("legal"), cap=1)
    response = lock(api("legal"))
    assert response.status_code == 422
    assert _error(response)["message"] == (
        "检查人员不足：需要 30 人次（15 个对象 × 每组 2 人），"
        "每人上限 1 时 12 名在岗人员最多 12 人次"
    )


def test_lock_freezes_the_manifest_and_publishes_its_digests(api, roster):
    create_plan(api("legal"))
    response = lock(api("legal"))
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    plan = _plan()
    assert plan.status == "locked" and plan.manifest_id == body["manifest_id"]
    manifest = get_manifest(body["manifest_id"])
    expected = compute_digests(parse_manifest(manifest.body, require_entropy=False))
    assert body["digests"] == {
        "targets_digest": expected.targets_digest,
        "inspectors_digest": expected.inspectors_digest,
        "conflicts_digest": expected.conflicts_digest,
        "quotas_digest": expected.quotas_digest,
    }
    assert body["quotas"] == {"A": 1, "B": 3, "C": 6, "D": 5}
    assert (body["targets"], body["inspectors"], body["cap"]) == (60, 12, 4)
    assert len(manifest.body["targets"]) == 60


def test_locking_twice_and_drawing_an_unlocked_plan_are_409(api, roster):
    client = api("legal")
    create_plan(client)
    unlocked = draw(client)
    assert unlocked.status_code == 409
    assert "尚未锁定" in _error(unlocked)["message"]
    assert lock(client).status_code == 200
    again = lock(client)
    assert again.status_code == 409 and "不能重复锁定" in _error(again)["message"]


@pytest.mark.parametrize(
    ("entropy", "message"),
    [
        ("", "公开随机数不能为空"),
        ("   ", "公开随机数不能为空"),
        ("07 13\n22 31", "公开随机数只能是一行文本"),
    ],
)
def test_empty_or_multiline_entropy_is_refused(api, roster, entropy, message):
    client = api("legal")
    create_plan(client)
    lock(client)
    response = draw(client, entropy=entropy)
    assert response.status_code == 422
    [detail] = _error(response)["details"]["entropy"]
    assert detail.startswith(message)
    assert db.session.scalar(select(func.count(Draw.id))) == 0


def test_a_plan_is_drawn_once(api, drawn):
    assert drawn["round"] == 1 and drawn["selected"] == 15
    plan = _plan()
    assert plan.status == "drawn" and plan.draw_id == drawn["draw_id"]
    tasks = db.session.scalars(
        select(Task).where(Task.plan_id == plan.id).order_by(Task.position)
    ).all()
    assert [t.position for t in tasks] == list(range(1, 16))
    assert all(len(t.inspectors) == 2 for t in tasks)
    assert all(t.inspectors[0].unit_id != t.inspectors[1].unit_id for t in tasks)  # 交叉执法 mix
    second = draw(api("legal"), entropy="another entropy")
    assert second.status_code == 409
    assert "已抽取" in _error(second)["message"]
    assert db.session.scalar(select(func.count(Draw.id))) == 1


def test_a_stored_draw_verifies_from_its_manifest(api, drawn, app, tmp_path):
    manifest = api("legal").get(f"/api/v1/draws/{drawn['draw_id']}/manifest")
    assert manifest.status_code == 200
    document = manifest.get_json()
    assert document["entropy"] == ENTROPY
    verified = api("legal").client.post("/api/v1/draws/verify", json=document)
    assert verified.status_code == 200, verified.get_json()
    result = verified.get_json()
    assert result["result_digest"] == drawn["result_digest"] and result["seed"] == drawn["seed"]
    plan = _plan()
    ours = db.session.scalars(select(Task).where(Task.plan_id == plan.id).order_by(Task.position))
    assert [s["target"] for s in result["selected"]] == [t.target.code for t in ours]

    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    output = app.test_cli_runner().invoke(args=["draws", "verify", str(path)])
    assert output.exit_code == 0, output.output
    assert json.loads(output.output)["result_digest"] == drawn["result_digest"]


def test_verify_refuses_a_manifest_with_missing_fields(client):
    response = client.post("/api/v1/draws/verify", json={"plan": "SJ-T-01", "targets": []})
    assert response.status_code == 422
    assert "quotas" in response.get_json()["error"]["message"]


def test_a_target_every_inspector_must_avoid_fails_the_draw_naming_it(api, bureau):
    load_roster(targets=4, inspectors=3)
    for code in ("ZF-0000", "ZF-0001", "ZF-0002"):
        operations.declare_conflict(code, "T00003", "近亲属关系", "测试", "fazhi")
    db.session.commit()
    client = api("legal")
    create_plan(client, ratios={"A": 1, "B": 1, "C": 1, "D": 1}, cap=4)
    locked = lock(client)
    assert locked.status_code == 200
    assert any("T00003" in w for w in locked.get_json()["warnings"])
    response = draw(client)
    assert response.status_code == 422
    assert "T00003" in _error(response)["message"]
    assert db.session.scalar(select(func.count(Draw.id))) == 0
    assert db.session.scalar(select(func.count(Task.id))) == 0
    assert _plan().status == "locked"


def test_conflicts_of_every_kind_reach_the_manifest(api, roster):
    client = api("legal")
    operations.declare_conflict("ZF-0001", "T00005", "近亲属关系", "配偶系股东", "fazhi")
    recusal = operations.file_recusal(
        "ZF-0002", "T00006", "店主", "曾有纠纷", clock.today(), "fazhi"
    )
    refused = operations.file_recusal("ZF-0003", "T00007", "店主", "无理由", clock.today(), "fazhi")
    db.session.commit()
    decided = api("leader").post(
        f"/api/v1/inspection/recusals/{recusal.id}/decision", json={"grant": True, "note": "属实"}
    )
    assert decided.status_code == 200
    api("leader").post(
        f"/api/v1/inspection/recusals/{refused.id}/decision",
        json={"grant": False, "note": "理由不成立"},
    )
    create_plan(client, cross_unit=True)
    preview = client.get("/api/v1/inspection/plans/SJ-T-01/preview").get_json()
    assert preview["conflicts"]["declared"] == 1 and preview["conflicts"]["recusal"] == 1
    assert preview["conflicts"]["cross_unit"] == 3 * 4 * 20  # 3 squads × 4 inspectors × 20 targets
    lock(client)
    pairs = {tuple(p) for p in get_manifest(_plan().manifest_id).body["conflicts"]}
    assert ("ZF-0001", "T00005") in pairs and ("ZF-0002", "T00006") in pairs
    assert ("ZF-0003", "T00007") not in pairs  # a refused request is no conflict
    assert ("ZF-0000", "T00000") in pairs  # both in ZD1-1: 交叉执法
    assert len(pairs) == 240 + 2


def test_inspectors_of_the_same_target_in_the_lookback_avoid_it(api, drawn):
    first = db.session.scalars(select(Task).order_by(Task.position)).first()
    team = [i.code for i in first.inspectors]
    client = api("legal")
    create_plan(client, "SJ-T-02")
    preview = client.get("/api/v1/inspection/plans/SJ-T-02/preview").get_json()
    assert preview["conflicts"]["lookback"] == 30
    lock(client, "SJ-T-02")
    pairs = {tuple(p) for p in get_manifest(_plan("SJ-T-02").manifest_id).body["conflicts"]}
    assert {(code, first.target.code) for code in team} <= pairs
    create_plan(client, "SJ-T-03", lookback_months=0)
    assert (
        client.get("/api/v1/inspection/plans/SJ-T-03/preview").get_json()["conflicts"]["lookback"]
        == 0
    )


def test_recently_clean_targets_are_excluded(api, drawn):
    task = db.session.scalars(select(Task).order_by(Task.position)).first()
    recorded = api("legal").post(
        f"/api/v1/inspection/tasks/{task.id}/result",
        json={"result": "未发现问题", "inspected_on": clock.today().isoformat()},
    )
    assert recorded.status_code == 200, recorded.get_json()
    client = api("legal")
    create_plan(client, "SJ-T-02", exclude_recent_months=6)
    preview = client.get("/api/v1/inspection/plans/SJ-T-02/preview").get_json()
    stratum = next(s for s in preview["strata"] if s["class"] == task.stratum)
    assert stratum["excluded_recent"] == 1


def test_only_legal_creates_locks_and_draws(api, roster):
    create_plan(api("legal"))
    for role in ("officer", "leader", "discipline", "admin"):
        assert api(role).post("/api/v1/inspection/plans", json=plan_body("X-1")).status_code == 403
        assert lock(api(role)).status_code == 403
        assert draw(api(role)).status_code == 403


def test_the_draw_is_recorded_in_the_audit_chain(api, drawn):
    from riskctl.core.audit import AuditEntry, verify_chain

    actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {
        "inspection.plan.create",
        "draw.lock",
        "inspection.plan.lock",
        "draw.run",
        "inspection.plan.draw",
    } <= actions
    assert verify_chain()[1] is None
    assert db.session.scalar(select(func.count()).select_from(TaskInspector)) == 30
