"""The draw API and the ``draws verify`` command: one code path with the draw itself."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from riskctl.core.audit import AuditEntry
from riskctl.core.db import db
from riskctl.draws import operations
from riskctl.draws.models import Draw
from tests.draws.conftest import BAD, GOOD, ID_CARD, SOURCE, draw, lock, vector, with_individual

TINY = "tiny-two-strata"


def _personal_draw() -> Draw:
    manifest = operations.freeze_manifest("inspection", "SJ-GT", actor="legal", **with_individual())
    drawn = operations.perform_draw(manifest, "07 13 22 31 45", SOURCE, "legal")
    db.session.commit()
    return drawn


def test_the_draw_shows_digests_seed_teams_and_the_result_digest(api, bureau):
    drawn = draw(lock())
    body = api("legal").get(f"/api/v1/draws/{drawn.id}").get_json()
    expected = vector(TINY)["expected"]
    for key in (
        "targets_digest",
        "inspectors_digest",
        "conflicts_digest",
        "quotas_digest",
        "seed",
        "result_digest",
    ):
        assert body[key] == expected[key]
    assert [(s["target"], s["stratum"], s["key"], s["inspectors"]) for s in body["selected"]] == [
        (e["target"], e["stratum"], e["key"], e["inspectors"]) for e in expected["selected"]
    ]
    assert (body["version"], body["subject"], body["round"], body["drawn_by"]) == (
        "riskctl-draw/1",
        "SJ-2026-11-001",
        1,
        "legal",
    )
    assert body["entropy_source"] == SOURCE and body["redraw"] is None


def test_an_unknown_draw_is_a_404_in_chinese(api, bureau):
    response = api("legal").get("/api/v1/draws/999")
    assert response.status_code == 404
    assert response.get_json()["error"]["message"] == "抽取编号 999 不存在"


@pytest.mark.parametrize("name", [v["name"] for v in GOOD])
def test_a_stored_draw_verifies_from_its_manifest(api, client, bureau, name):
    sample = vector(name)
    drawn = draw(lock(name), entropy=sample["manifest"]["entropy"])
    legal = api("legal")
    manifest = legal.get(f"/api/v1/draws/{drawn.id}/manifest")
    assert manifest.status_code == 200
    assert (
        manifest.headers["Content-Disposition"]
        == f'attachment; filename="manifest-{drawn.id}.json"'
    )
    verified = client.post(
        "/api/v1/draws/verify", data=manifest.data, content_type="application/json"
    )
    assert verified.status_code == 200
    result = verified.get_json()
    assert result == sample["expected"]
    published = legal.get(f"/api/v1/draws/{drawn.id}").get_json()
    assert result["result_digest"] == published["result_digest"] == drawn.result_digest
    assert [(s["target"], s["inspectors"]) for s in result["selected"]] == [
        (s["target"], s["inspectors"]) for s in published["selected"]
    ]


@pytest.mark.parametrize("vector_", GOOD + BAD, ids=lambda v: v["name"])
def test_verify_reproduces_every_published_vector(client, vector_):
    response = client.post("/api/v1/draws/verify", json=vector_["manifest"])
    if vector_["expected"].get("error"):
        assert response.status_code == 422
        error = response.get_json()["error"]
        assert error["code"] == "validation_error"
        assert '对象 "a" 没有可派的检查人员' in error["message"]
        assert error["details"] == {"targets": [error["message"]]}
    else:
        assert response.status_code == 200
        assert response.get_json() == vector_["expected"]


def _without(key: str) -> dict:
    manifest = vector(TINY)["manifest"]
    manifest.pop(key)
    return manifest


@pytest.mark.parametrize(
    ("body", "status", "field", "message"),
    [
        ("{not json", 400, None, "请求体不是合法的 JSON"),
        ([1, 2], 422, "manifest", "抽取清单应为 JSON 对象，收到 列表"),
        (_without("entropy"), 422, "entropy", '抽取清单缺少字段 "entropy"'),
        (_without("targets"), 422, "targets", '抽取清单缺少字段 "targets"'),
        (_without("quotas"), 422, "quotas", '抽取清单缺少字段 "quotas"'),
        (vector(TINY)["manifest"] | {"entropy": ""}, 422, "entropy", "公开随机数 entropy 为空"),
        (
            vector(TINY)["manifest"] | {"entropy": "07 13\n22"},
            422,
            "entropy",
            "含有换行，应为一行文本",
        ),
        (
            vector(TINY)["manifest"] | {"team_size": "2"},
            422,
            "team_size",
            "每组人数 team_size 应为整数",
        ),
        (vector(TINY)["manifest"] | {"extra": 1}, 422, "extra", '抽取清单含有未知字段 "extra"'),
    ],
)
def test_bad_verify_bodies_get_a_chinese_message(client, body, status, field, message):
    data = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
    response = client.post("/api/v1/draws/verify", data=data, content_type="application/json")
    assert response.status_code == status
    error = response.get_json()["error"]
    assert message in error["message"]
    if field:
        assert field in error["details"]


def test_verify_accepts_a_body_sent_without_a_json_content_type(client):
    data = json.dumps(vector(TINY)["manifest"], ensure_ascii=False).encode()
    response = client.post(
        "/api/v1/draws/verify", data=data, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    assert response.get_json()["result_digest"] == vector(TINY)["expected"]["result_digest"]


def test_verify_refuses_a_body_over_the_upload_limit(app, client):
    app.config["VERIFY_MAX_UPLOAD"], before = 200, app.config["VERIFY_MAX_UPLOAD"]
    try:
        response = client.post("/api/v1/draws/verify", json=vector(TINY)["manifest"])
    finally:
        app.config["VERIFY_MAX_UPLOAD"] = before
    assert response.status_code == 413
    assert "上传内容过大" in response.get_json()["error"]["message"]


def test_the_manifest_is_for_the_roles_that_run_or_oversee_draws(api, client, bureau):
    drawn = draw(lock())
    for role in ("legal", "discipline", "leader"):
        assert api(role).get(f"/api/v1/draws/{drawn.id}/manifest").status_code == 200
    for role in ("officer", "admin"):
        assert api(role).get(f"/api/v1/draws/{drawn.id}/manifest").status_code == 403
    assert client.get(f"/api/v1/draws/{drawn.id}/manifest").status_code == 401


def test_personal_ids_are_masked_for_officers_and_audited_when_shown_in_full(api, bureau):
    drawn = _personal_draw()
    officer = api("officer").get(f"/api/v1/draws/{drawn.id}").get_json()
    masked = next(s for s in officer["selected"] if s["masked"])
    assert masked["target"] == "4104**********1230" and "drawn_by" not in officer
    assert ID_CARD not in json.dumps(officer)

    legal = api("legal").get(f"/api/v1/draws/{drawn.id}").get_json()
    assert ID_CARD in [s["target"] for s in legal["selected"]]
    assert api("legal").get(f"/api/v1/draws/{drawn.id}/manifest").status_code == 200
    views = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "draw.full_view").order_by(AuditEntry.seq)
    ).all()
    assert [(v.actor, json.loads(v.summary)["what"]) for v in views] == [
        ("legal", "selections"),
        ("legal", "manifest"),
    ]


def test_the_verify_command_prints_every_vector(app, tmp_path):
    runner = app.test_cli_runner()
    for sample in GOOD:
        path = tmp_path / f"{sample['name']}.json"
        path.write_text(json.dumps(sample["manifest"], ensure_ascii=False), encoding="utf-8")
        result = runner.invoke(args=["draws", "verify", str(path)])
        assert result.exit_code == 0, result.output
        assert json.loads(result.output) == sample["expected"]
        assert result.output == json.dumps(sample["expected"], ensure_ascii=False, indent=1) + "\n"


def test_the_verify_command_refuses_a_bad_manifest_with_exit_1(app, tmp_path):
    runner = app.test_cli_runner()
    error = tmp_path / "error.json"
    error.write_text(json.dumps(BAD[0]["manifest"], ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(args=["draws", "verify", str(error)])
    assert result.exit_code == 1
    assert '清单无法抽取：对象 "a" 没有可派的检查人员' in result.output

    broken = tmp_path / "broken.json"
    broken.write_text('{"plan": "SJ",\n "targets": [', encoding="utf-8")
    result = runner.invoke(args=["draws", "verify", str(broken)])
    assert result.exit_code == 1 and "不是合法的 JSON：第 2 行" in result.output

    gbk = tmp_path / "gbk.json"
    gbk.write_bytes('{"plan": "市容"}'.encode("gbk"))
    result = runner.invoke(args=["draws", "verify", str(gbk)])
    assert result.exit_code == 1 and "不是 UTF-8 编码" in result.output


def test_the_verify_command_reads_a_file_saved_with_a_bom(app, tmp_path):
    path = tmp_path / "bom.json"
    path.write_bytes(json.dumps(vector(TINY)["manifest"], ensure_ascii=False).encode("utf-8-sig"))
    result = app.test_cli_runner().invoke(args=["draws", "verify", str(path)])
    assert result.exit_code == 0
    assert json.loads(result.output)["result_digest"] == vector(TINY)["expected"]["result_digest"]
