"""The legal office's pages: they render real data and their forms post with a CSRF token."""

from __future__ import annotations

import html
import io
import re
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from riskctl.core import clock
from riskctl.core.db import db
from riskctl.core.workdays import Deadline
from riskctl.inspections.models import InspectionItem, Plan, RecusalRequest, Target, Task
from riskctl.inspections.results import operations as result_operations
from tests.conftest import csrf_token
from tests.inspections.conftest import (
    ENTROPY,
    SOURCE,
    TARGET_HEADER,
    csv_bytes,
    make_item,
    target_row,
)


def _html(response) -> str:
    return response.get_data(as_text=True)


def test_every_page_renders_with_real_data(login, drawn):
    client = login("legal")
    task = db.session.scalars(select(Task).order_by(Task.position)).first()
    pages = {
        "/inspections/": ["SJ-T-01", "已抽取"],
        "/inspections/items": ["随机抽查事项清单", "新增抽查事项"],
        "/inspections/targets?class=D": ["T00009", "新华路商户00009"],
        "/inspections/inspectors": ["ZF-0001", "执法队员0001"],
        "/inspections/conflicts": ["登记回避关系", "暂无数据"],
        "/inspections/plans/SJ-T-01": ["D_T", "第 1 轮抽取", ENTROPY],
        "/inspections/plans/SJ-T-01/tasks": [task.target.code, "待录入"],
        f"/inspections/tasks/{task.id}": ["录入检查结果", task.target.name],
        "/inspections/overdue": ["暂无数据"],
        "/inspections/statistics": ["按信用风险等级的覆盖率", "D 类"],
        "/inspections/targets/import": ["对象编号", "最近导入"],
        "/inspections/plans/new": ["分层抽查比例", "预览分层"],
    }
    for url, expected in pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        for text in expected:
            assert text in _html(response), (url, text)


def test_an_item_is_added_from_its_page(login, bureau):
    client = login("legal")
    form = {
        "code": "SX-9",
        "name": "渣土运输检查",
        "legal_basis": "《城市建筑垃圾管理规定》",
        "ratio": "150",
        "frequency": "每季度 1 次",
        "category": "key",
        "csrf_token": csrf_token(client),
    }
    refused = client.post("/inspections/items", data=form)
    assert refused.status_code == 422
    assert "默认抽查比例（%）：150% 超出范围，请填写 0 到 100 之间的百分数" in _html(refused)
    assert 'value="150"' in _html(refused)  # what was typed stays in the form
    form["ratio"] = "10"
    assert client.post("/inspections/items", data=form).status_code == 302
    item = db.session.scalar(select(InspectionItem))
    assert (item.code, str(item.ratio.normalize())) == ("SX-9", "0.1")
    without_token = client.post("/inspections/items", data={**form, "csrf_token": "", "code": "X"})
    assert without_token.status_code == 400


def test_a_roster_is_previewed_then_imported(login, bureau):
    client = login("legal")
    bad = csv_bytes(TARGET_HEADER, [target_row(1), ["T00001", *target_row(2)[1:]]])
    shown = client.post(
        "/inspections/targets/import",
        content_type="multipart/form-data",
        data={"file": (io.BytesIO(bad), "名录.csv"), "csrf_token": csrf_token(client)},
    )
    assert shown.status_code == 422
    assert "对象编号“T00001”与第 2 行重复" in _html(shown) and "未导入任何数据" in _html(shown)
    good = csv_bytes(TARGET_HEADER, [target_row(i) for i in range(4)])
    preview = client.post(
        "/inspections/targets/import",
        content_type="multipart/form-data",
        data={"file": (io.BytesIO(good), "名录.csv"), "csrf_token": csrf_token(client)},
    )
    assert preview.status_code == 200 and "检查通过，确认后导入" in _html(preview)
    assert db.session.scalar(select(func.count(Target.id))) == 0
    token = re.search(r'name="token" required type="hidden" value="([0-9a-f]+)"', _html(preview))[1]
    done = client.post(
        "/inspections/targets/import/confirm",
        data={"token": token, "missing": "keep", "csrf_token": csrf_token(client)},
    )
    assert done.status_code == 302
    assert db.session.scalar(select(func.count(Target.id))) == 4


def test_the_plan_wizard_previews_then_saves_then_locks_and_draws(login, roster):
    client = login("legal")
    form = {
        "code": "SJ-W-01",
        "name": "页面创建的计划",
        "ratio_A": "5",
        "ratio_B": "10",
        "ratio_C": "30%",
        "ratio_D": "70",
        "team_size": "1",
        "lookback_months": "12",
        "exclude_recent_months": "0",
        "csrf_token": csrf_token(client),
        "action": "preview",
    }
    refused = client.post("/inspections/plans/new", data=form)
    assert refused.status_code == 422 and "《行政处罚法》第四十二条" in _html(refused)
    form["team_size"] = "2"
    preview = client.post("/inspections/plans/new", data=form)
    assert preview.status_code == 200 and "分层预览" in _html(preview)
    page = _html(preview)
    assert "24 × 10%，向上取整" in page and "<td>30%</td>" in page
    assert "0.1" not in page and "⌈" not in page and db.session.scalar(select(Plan)) is None
    saved = client.post("/inspections/plans/new", data={**form, "action": "save"})
    assert saved.status_code == 302
    assert (
        client.post(
            "/inspections/plans/SJ-W-01/lock", data={"csrf_token": csrf_token(client)}
        ).status_code
        == 302
    )
    multi = client.post(
        "/inspections/plans/SJ-W-01/draw",
        data={
            "draw-entropy": "07\n13",
            "draw-entropy_source": SOURCE,
            "csrf_token": csrf_token(client),
        },
    )
    assert multi.status_code == 422 and "只能是一行文本" in _html(multi)
    drawn = client.post(
        "/inspections/plans/SJ-W-01/draw",
        data={
            "draw-entropy": ENTROPY,
            "draw-entropy_source": SOURCE,
            "csrf_token": csrf_token(client),
        },
    )
    assert drawn.status_code == 302
    page = _html(client.get("/inspections/plans/SJ-W-01"))
    assert "<th>结果摘要</th>" in page and "result_digest" not in page and "现行" in page
    assert "A 类 5%；B 类 10%；C 类 30%；D 类 70%" in page
    again = client.post(
        "/inspections/plans/SJ-W-01/draw",
        data={"draw-entropy": "x", "draw-entropy_source": SOURCE, "csrf_token": csrf_token(client)},
    )
    assert again.status_code == 409 and "已抽取" in _html(again)


def test_an_officer_enters_a_result_on_the_task_page(login, drawn, monkeypatch):
    monkeypatch.setattr(
        result_operations, "add_working_days", lambda start, n: Deadline(date(2099, 1, 30), True)
    )
    task = next(
        t
        for t in db.session.scalars(select(Task).order_by(Task.position))
        if any(i.unit.code == "ZD1-1" for i in t.inspectors)
    )
    client = login("officer")
    response = client.post(
        f"/inspections/tasks/{task.id}/result",
        data={
            "result": "corrected",
            "inspected_on": clock.today().isoformat(),
            "note": "已当场改正",
            "csrf_token": csrf_token(client),
        },
    )
    assert response.status_code == 302
    page = _html(client.get(f"/inspections/tasks/{task.id}"))
    assert "发现问题经责令已改正" in page and "2099-01-30" in page and "暂定" in page


def test_conflicts_and_a_leaders_recusal_decision_on_the_page(client, roster):
    from tests.factories import PASSWORD

    def sign_in(role):
        client.post("/logout", data={"csrf_token": csrf_token(client)})
        client.post(
            "/login",
            data={"username": role, "password": PASSWORD, "csrf_token": csrf_token(client)},
        )

    sign_in("legal")
    declared = client.post(
        "/inspections/conflicts",
        data={
            "conflict-inspector": "ZF-0001",
            "conflict-target": "T00001",
            "conflict-relation": "近亲属关系",
            "conflict-reason": "妻弟经营",
            "csrf_token": csrf_token(client),
        },
    )
    assert declared.status_code == 302
    unknown = client.post(
        "/inspections/conflicts",
        data={
            "conflict-inspector": "ZF-9999",
            "conflict-target": "T00001",
            "conflict-relation": "近亲属关系",
            "conflict-reason": "x",
            "csrf_token": csrf_token(client),
        },
    )
    assert unknown.status_code == 422 and "检查人员 ZF-9999 不存在" in _html(unknown)
    filed = client.post(
        "/inspections/recusals",
        data={
            "recusal-inspector": "ZF-0002",
            "recusal-target": "T00002",
            "recusal-applicant": "店主",
            "recusal-reason": "曾有纠纷",
            "recusal-filed_on": clock.today().isoformat(),
            "csrf_token": csrf_token(client),
        },
    )
    assert filed.status_code == 302
    request_id = db.session.scalar(select(RecusalRequest.id))
    sign_in("leader")
    decided = client.post(
        f"/inspections/recusals/{request_id}/decision",
        data={"decision-decision": "grant", "decision-note": "", "csrf_token": csrf_token(client)},
    )
    assert decided.status_code == 302
    assert db.session.get(RecusalRequest, request_id).status == "granted"
    assert "已批准" in _html(client.get("/inspections/conflicts"))


def test_the_public_page_shows_results_masked_and_explains_verification(client, api, drawn):
    task = db.session.scalars(select(Task).order_by(Task.position)).first()
    task.target.kind, task.target.name = "individual", "张三烧烤店"
    db.session.commit()
    api("legal").post(
        f"/api/v1/inspection/tasks/{task.id}/result",
        json={"result": "no_problem", "inspected_on": clock.today().isoformat()},
    )
    api("legal").post("/api/v1/inspection/plans/SJ-T-01/publish", json={})
    page = client.get("/public/inspections/SJ-T-01")
    assert page.status_code == 200
    html = _html(page)
    assert "张**烤店" in html and "张三烧烤店" not in html
    assert "如何自行复核这次抽取" in html and drawn["result_digest"] in html
    data = client.get("/public/inspections/SJ-T-01.json").get_json()
    first = data["tasks"][0]
    assert first["result"] == "未发现问题" and first["target"]["name"] == "张**烤店"
    assert "*" in first["target"]["credit_code"] and first["target"]["address"] is None
    assert all(i["name"].endswith("*") for i in first["inspectors"])
    assert data["draws"][0]["result_digest"] == drawn["result_digest"]
    assert data["tasks"][1]["result"] is None
    assert client.get(f"/public/draws/{drawn['draw_id']}").status_code == 200


def test_a_draft_plan_has_no_public_page(client, api, roster):
    from tests.inspections.conftest import create_plan

    create_plan(api("legal"))
    response = client.get("/public/inspections/SJ-T-01.json")
    assert response.status_code == 404 and "尚未抽取" in response.get_json()["error"]["message"]


def test_a_locked_plan_not_yet_drawn_says_so_on_its_public_page(client, api, roster):
    from tests.inspections.conftest import create_plan, lock

    create_plan(api("legal"))
    assert lock(api("legal")).status_code == 200
    plan = db.session.scalar(select(Plan).where(Plan.code == "SJ-T-01"))
    page = client.get("/public/inspections/SJ-T-01")
    assert page.status_code == 200
    html = _html(page)
    assert "已锁定，尚未抽取" in html
    assert f"/public/draws/manifests/{plan.manifest_id}" in html
    assert client.get(f"/public/draws/manifests/{plan.manifest_id}").status_code == 200


def test_the_public_portal_links_every_public_page(client):
    html = _html(client.get("/public"))
    for path in ("/public/draws", "/public/inspections", "/public/leniency", "/public/draws/spec"):
        assert f'href="{path}"' in html
        assert client.get(path).status_code == 200
    assert 'href="/public/audit"' in html
    assert 'href="/public"' in _html(client.get("/login"))
    # Every public page carries the same navigation.
    assert 'aria-label="公开信息"' in _html(client.get("/public/leniency"))


def test_long_lists_page_with_their_path_kept(login, drawn, client):
    signed_in = login("legal")
    second = signed_in.get("/inspections/plans/SJ-T-01/tasks?per_page=10&page=2")
    assert second.status_code == 200
    html = _html(second)
    assert "第 2 / 2 页" in html and "/inspections/plans/SJ-T-01/tasks?" in html
    public = client.get("/public/inspections/SJ-T-01?per_page=10")
    assert "第 1 / 2 页" in _html(public) and "/public/inspections/SJ-T-01?" in _html(public)


def test_an_overdue_result_is_listed_on_its_page(login, drawn):
    from datetime import UTC, datetime

    plan = db.session.scalar(select(Plan))
    plan.drawn_at = datetime(2025, 9, 1, tzinfo=UTC)
    task = db.session.scalars(select(Task).order_by(Task.position)).first()
    db.session.commit()
    result_operations.record_result(task, "no_problem", date(2025, 9, 26), "", "legal")
    db.session.commit()
    page = _html(login("legal").get("/inspections/overdue"))
    assert task.target.name in page and "2025-10-30" in page


def test_the_shared_public_draw_page_links_the_plan_and_shows_published_results(client, api, drawn):
    task = db.session.scalars(select(Task).order_by(Task.position)).first()
    api("legal").post(
        f"/api/v1/inspection/tasks/{task.id}/result",
        json={"result": "corrected", "inspected_on": clock.today().isoformat()},
    )
    before = _html(client.get(f"/public/draws/{drawn['draw_id']}"))
    assert "/public/inspections/SJ-T-01" in before and "发现问题经责令已改正" not in before
    api("legal").post("/api/v1/inspection/plans/SJ-T-01/publish", json={})
    after = _html(client.get(f"/public/draws/{drawn['draw_id']}"))
    assert "发现问题经责令已改正" in after


def test_ratios_are_typed_and_shown_as_percentages(login, roster):
    client = login("legal")
    page = html.unescape(_html(client.get("/inspections/plans/new")))
    # The defaults (0.05, 0.1, 0.3, 0.7) are offered as 5, 10, 30 and 70 %.
    for name, value in (("ratio_A", "5"), ("ratio_B", "10"), ("ratio_C", "30"), ("ratio_D", "70")):
        assert re.search(rf'name="{name}"[^>]*value="{value}"', page), name
    assert "A 类比例（%）" in page
    refused = client.post(
        "/inspections/plans/new",
        data={
            "code": "SJ-P-01",
            "name": "百分数",
            "ratio_A": "五",
            "ratio_B": "12.345",
            "team_size": "2",
            "csrf_token": csrf_token(client),
            "action": "preview",
        },
    )
    assert refused.status_code == 422
    shown = html.unescape(_html(refused))
    assert "A 类比例（%）：“五”不是数字，请填写 0 到 100 之间的百分数" in shown
    assert "B 类比例（%）：12.345% 最多保留 2 位小数" in shown
    assert re.search(r'name="ratio_A"[^>]*value="五"', shown)
    make_item("SX-P")  # ratio 0.05
    item = db.session.scalar(select(InspectionItem).where(InspectionItem.code == "SX-P"))
    edit = html.unescape(_html(client.get(f"/inspections/items/{item.code}/edit")))
    assert re.search(r'name="ratio"[^>]*value="5"', edit) and item.ratio == Decimal("0.05")
