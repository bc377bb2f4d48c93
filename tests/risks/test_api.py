"""``/api/v1/risk-points``: the contract of api.md, roles and unit scoping."""

import io
from datetime import timedelta

import openpyxl
import pytest
from sqlalchemy import func, select

import riskctl
from riskctl.core import clock
from riskctl.core.db import db
from riskctl.core.openapi import build_spec
from riskctl.risks.models import RiskPoint, RiskPointVersion
from tests.risks.conftest import make_point, point_data, row, xlsx

BASE = "/api/v1/risk-points"
CORE_FIELDS = {
    "id",
    "unit",
    "post",
    "power",
    "stage",
    "title",
    "description",
    "category",
    "likelihood",
    "impact",
    "level",
    "measures",
    "responsible",
    "supervisor",
    "indicator",
    "next_review",
    "status",
    "version",
}


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_the_committee_registers_a_point_and_the_level_is_computed(api):
    response = api("discipline").post(BASE, json=point_data(likelihood=2, impact=3))
    assert response.status_code == 201
    body = response.get_json()
    assert set(body) >= CORE_FIELDS
    assert (body["unit"], body["level"], body["status"], body["version"]) == (
        "ZD1-1",
        "高",
        "active",
        1,
    )
    assert body["next_review"] == (clock.today() + timedelta(days=90)).isoformat()
    assert body["measures"] == [
        {
            "text": "全程佩戴执法记录仪",
            "owner": "张勇",
            "deadline": "2099-09-30",
            "status": "in_progress",
            "status_label": "落实中",
        }
    ]


def test_a_level_that_disagrees_is_refused_and_nothing_is_written(api):
    response = api("discipline").post(BASE, json=point_data(level="低"))
    assert response.status_code == 422
    assert response.get_json()["error"]["details"]["level"][0].startswith(
        "风险等级由可能性与影响程度计算得出"
    )
    assert count(RiskPoint) == 0


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"likelihood": 7}, "likelihood", "应为 1 到 5 之间的整数"),
        ({"likelihood": 5}, "likelihood", "当前风险矩阵为 3×3"),
        ({"impact": "3"}, "impact", "应为整数"),
        ({"title": "  "}, "title", "此项为必填项"),
        ({"unit": "NOPE"}, "unit", "单位 NOPE 不存在"),
        ({"measures": [{"owner": "张勇"}]}, "measures", "此项为必填项"),
        ({"measures": [{"text": "x", "deadline": "2026-13-01"}]}, "measures", "日期"),
        ({"measures": [{"text": "x", "status": "finished"}]}, "measures", "planned"),
        ({"next_review": "下周"}, "next_review", "日期"),
    ],
)
def test_bad_input_is_refused_naming_the_field(api, change, field, message):
    response = api("discipline").post(BASE, json=point_data(**change))
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert field in error["details"]
    assert message in str(error["details"][field]) + error["message"]
    assert count(RiskPoint) == 0


def test_markup_in_a_title_is_kept_as_text(api):
    title = '<script>alert(1)</script><font color="red">罚款</font>'
    point_id = api("discipline").post(BASE, json=point_data(title=title)).get_json()["id"]
    assert api("leader").get(f"{BASE}/{point_id}").get_json()["title"] == title


def test_list_is_paginated_and_filtered(api, bureau):
    for n in range(3):
        make_point(title=f"风险点{n}", likelihood=1, impact=1 + n)
    make_point(title="二中队风险", unit="ZD1-2")
    make_point(title="环卫风险", unit="ZD2-1")
    client = api("leader")
    body = client.get(f"{BASE}?per_page=2&page=2").get_json()
    assert (body["total"], body["page"], body["per_page"], len(body["items"])) == (5, 2, 2, 2)
    assert {p["title"] for p in client.get(f"{BASE}?unit=ZD1").get_json()["items"]} == {
        "风险点0",
        "风险点1",
        "风险点2",
        "二中队风险",
    }
    assert [p["title"] for p in client.get(f"{BASE}?level=中").get_json()["items"]] == ["风险点2"]
    assert [p["title"] for p in client.get(f"{BASE}?q=环卫").get_json()["items"]] == ["环卫风险"]
    bad = client.get(f"{BASE}?level=特高")
    assert bad.status_code == 400 and "level" in bad.get_json()["error"]["details"]


def test_patch_needs_a_reason_and_keeps_a_version(api, bureau):
    point = make_point()
    client = api("discipline")
    no_reason = client.patch(f"{BASE}/{point.id}", json={"responsible": "李明"})
    assert no_reason.status_code == 422
    assert no_reason.get_json()["error"]["details"] == {"reason": ["请填写修改原因"]}
    ok = client.patch(
        f"{BASE}/{point.id}", json={"responsible": "李明", "reason": "岗位调整", "version": 1}
    )
    assert ok.status_code == 200 and ok.get_json()["version"] == 2
    stale = client.patch(
        f"{BASE}/{point.id}", json={"responsible": "王芳", "reason": "再调", "version": 1}
    )
    assert stale.status_code == 409 and "第 2 版" in stale.get_json()["error"]["message"]
    history = client.get(f"{BASE}/{point.id}/history").get_json()
    assert history["total"] == 2
    latest = history["items"][0]
    assert (latest["number"], latest["action"], latest["actor"], latest["reason"]) == (
        2,
        "update",
        "discipline",
        "岗位调整",
    )
    assert latest["changes"] == [
        {"field": "responsible", "label": "责任人", "before": "张勇", "after": "李明"}
    ]


def test_a_retired_point_cannot_be_edited_and_is_never_deleted(api, bureau):
    point = make_point()
    client = api("discipline")
    assert client.post(f"{BASE}/{point.id}/retire", json={}).status_code == 422
    retired = client.post(f"{BASE}/{point.id}/retire", json={"reason": "职权划转"})
    assert retired.status_code == 200 and retired.get_json()["status"] == "retired"
    edit = client.patch(f"{BASE}/{point.id}", json={"title": "新名称", "reason": "改名"})
    assert edit.status_code == 409 and "已停用" in edit.get_json()["error"]["message"]
    assert client.delete(f"{BASE}/{point.id}").status_code == 405
    assert count(RiskPoint) == 1
    assert db.session.get(RiskPoint, point.id).title == "对占道经营选择性执法"
    assert count(RiskPointVersion) == 2
    assert client.get(f"{BASE}?status=retired").get_json()["total"] == 1
    assert client.get(BASE).get_json()["total"] == 0


def test_recording_a_review_sets_the_next_one(api, bureau):
    point = make_point(likelihood=2, impact=2)
    response = api("discipline").post(
        f"{BASE}/{point.id}/reviews", json={"note": "风险可控", "likelihood": 3}
    )
    assert response.status_code == 201
    body = response.get_json()
    assert body["last_reviewed"] == clock.today().isoformat()
    assert body["level"] == "高"
    assert body["next_review"] == (clock.today() + timedelta(days=90)).isoformat()
    assert api("discipline").post(f"{BASE}/{point.id}/reviews", json={}).status_code == 422


def test_quality_endpoint_lists_problems_with_reasons(api, bureau):
    make_point(responsible="", measures=[{"text": "双人清点", "owner": ""}])
    body = api("leader").get(f"{BASE}/quality").get_json()
    assert body["total"] == 2
    assert {i["rule"] for i in body["items"]} == {"no_responsible", "high_without_measure"}
    assert all(i["reason"] for i in body["items"])
    assert body["counts"]["no_responsible"] == 1
    only = api("leader").get(f"{BASE}/quality?rule=no_responsible").get_json()
    assert only["total"] == 1
    assert api("leader").get(f"{BASE}/quality?rule=bogus").status_code == 400


@pytest.mark.parametrize("role", ["legal", "leader", "admin", "officer"])
def test_only_the_committee_writes(api, bureau, role):
    point = make_point()
    client = api(role)
    assert client.post(BASE, json=point_data(title="x")).status_code == 403
    assert client.patch(f"{BASE}/{point.id}", json={"reason": "x"}).status_code == 403
    assert client.post(f"{BASE}/{point.id}/retire", json={"reason": "x"}).status_code == 403
    assert client.post(f"{BASE}/{point.id}/reviews", json={"note": "x"}).status_code == 403
    assert client.post(f"{BASE}/import").status_code == 403
    assert client.get(f"{BASE}/{point.id}").status_code == 200


def test_without_a_token_the_register_answers_401(client, bureau):
    assert client.get(BASE).status_code == 401


def test_an_officer_reads_only_their_unit_subtree(api, bureau):
    own = make_point(title="本中队风险")
    other = make_point(title="环卫风险", unit="ZD2-1")
    officer = api("officer")  # ZD1-1
    assert [p["id"] for p in officer.get(BASE).get_json()["items"]] == [own.id]
    assert officer.get(f"{BASE}/{other.id}").status_code == 404
    assert officer.get(f"{BASE}/{other.id}/history").status_code == 404
    assert officer.get(f"{BASE}?unit=ZD2").get_json()["total"] == 0


def test_the_endpoints_are_in_the_openapi_document(monkeypatch, tmp_path):
    # Built on an app holding only this module, so another module's schema cannot hide ours.
    monkeypatch.setattr(riskctl, "MODULES", ("riskctl.accounts", "riskctl.web", "riskctl.risks"))
    app = riskctl.create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite3'}",
            "SECRET_KEY": "x",
            "PII_KEY": "y",
            "ENV": "testing",
        }
    )
    paths = build_spec(app)["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/risk-points"])
    assert {"get", "patch"} <= set(paths["/api/v1/risk-points/{point_id}"])
    for tail in (
        "/{point_id}/retire",
        "/{point_id}/history",
        "/{point_id}/reviews",
        "/import",
        "/export.xlsx",
        "/quality",
    ):
        assert f"/api/v1/risk-points{tail}" in paths
    create = paths["/api/v1/risk-points"]["post"]
    assert "discipline" in create["description"] and "requestBody" in create


def test_import_over_the_api_reports_problems_then_imports(api, bureau):
    client = api("discipline")

    def post(data, **form):
        return client.post(
            f"{BASE}/import",
            data={"file": (io.BytesIO(data), "登记表.xlsx"), **form},
            content_type="multipart/form-data",
        )

    bad = post(xlsx(row(), row(**{"风险点": "乙", "可能性": 7})))
    assert bad.status_code == 422
    error = bad.get_json()["error"]
    assert error["message"] == "共 1 处问题，未导入任何数据"
    assert error["details"] == {
        "rows": [{"row": 3, "column": "可能性", "message": "应为 1 到 3 之间的整数"}],
        "total": 1,
    }
    good = xlsx(row(), row(**{"风险点": "乙"}))
    preview = post(good, dry_run="1")
    assert preview.get_json() == {
        "rows": 2,
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "dry_run": True,
    }
    assert count(RiskPoint) == 0
    assert post(good).get_json()["created"] == 2
    assert count(RiskPoint) == 2
    assert post(b"").status_code == 422
    missing = client.post(f"{BASE}/import", data={}, content_type="multipart/form-data")
    assert missing.status_code == 422 and "file" in missing.get_json()["error"]["details"]


def test_export_over_the_api_is_scoped_like_the_list(api, bureau):
    make_point(title="本中队风险")
    make_point(title="环卫风险", unit="ZD2-1")

    def titles(role):
        response = api(role).get(f"{BASE}/export.xlsx")
        assert response.status_code == 200
        assert response.mimetype.endswith("spreadsheetml.sheet")
        sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
        return sorted(r[4] for r in sheet.iter_rows(min_row=2, values_only=True))

    assert titles("leader") == ["本中队风险", "环卫风险"]
    assert titles("officer") == ["本中队风险"]
