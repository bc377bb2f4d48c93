"""One error shape for every API error; Chinese HTML pages for the web."""

from __future__ import annotations

from sqlalchemy import func, select

from riskctl import create_app
from riskctl.accounts import operations
from riskctl.accounts.models import Unit
from riskctl.accounts.roles import LEGAL
from riskctl.core.api import ApiBlueprint
from riskctl.core.auth.policy import allow
from riskctl.core.db import db
from riskctl.core.schema import BaseSchema, Text


def _error(response) -> dict:
    body = response.get_json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}
    return body["error"]


def test_unknown_api_path_is_404_in_the_error_shape(api):
    response = api("legal").get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert _error(response)["code"] == "not_found"


def test_wrong_method_is_405_in_the_error_shape(api):
    response = api("legal").delete("/api/v1/units")
    assert response.status_code == 405
    assert _error(response)["message"] == "不支持该请求方法"


def test_web_errors_are_chinese_pages(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "请求的资源不存在" in response.get_data(as_text=True)


class _Body(BaseSchema):
    code = Text(required=True, max_length=10)
    name = Text(required=True)


def _probe_app(database_url: str, tmp_path):
    """An app with extra routes for probing the error machinery (unit creation, a crash)."""
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": "s",
            "PII_KEY": "p",
            "ENV": "testing",
            "MAX_CONTENT_LENGTH": 1024 * 1024,
            "PROPAGATE_EXCEPTIONS": False,
        }
    )
    bp = ApiBlueprint("probe", __name__)

    @bp.route("/api/v1/probe/units", methods=["POST"])
    @allow(LEGAL)
    @bp.arguments(_Body)
    def make_unit(data):
        unit = operations.create_unit(data["code"], data["name"], "JU")
        if data["name"] == "crash":
            raise RuntimeError("boom after a write")
        return {"code": unit.code}, 201

    app.register_blueprint(bp)
    return app


def _units() -> int:
    return db.session.scalar(select(func.count()).select_from(Unit))


def test_bad_bodies_get_400_and_field_errors_get_422(database_url, tmp_path, bureau):
    client = _probe_app(database_url, tmp_path).test_client()
    auth = {"Authorization": f"Bearer {bureau.tokens['legal']}"}
    not_json = client.post("/api/v1/probe/units", data="code=1", headers=auth)
    assert not_json.status_code == 400 and "JSON" in _error(not_json)["message"]
    for body in ([1, 2], "text", 42):
        response = client.post("/api/v1/probe/units", json=body, headers=auth)
        assert response.status_code == 400
        assert _error(response)["message"] == "请求体必须是 JSON 对象"
    invalid = client.post("/api/v1/probe/units", json={"code": "X" * 11}, headers=auth)
    assert invalid.status_code == 422
    error = _error(invalid)
    assert error["code"] == "validation_error"
    assert error["details"]["name"] == ["此项为必填项"]
    assert error["details"]["code"] == ["不能超过 10 个字符"]


def test_a_failed_request_leaves_the_database_as_it_was(database_url, tmp_path, bureau):
    client = _probe_app(database_url, tmp_path).test_client()
    auth = {"Authorization": f"Bearer {bureau.tokens['legal']}"}
    before = _units()
    crash = client.post("/api/v1/probe/units", json={"code": "NEW", "name": "crash"}, headers=auth)
    assert crash.status_code == 500
    assert _error(crash) == {
        "code": "internal_error",
        "message": "服务器内部错误，请稍后重试",
        "details": {},
    }
    assert _units() == before
    ok = client.post("/api/v1/probe/units", json={"code": "NEW", "name": "新单位"}, headers=auth)
    assert ok.status_code == 201 and _units() == before + 1


def test_an_oversized_upload_gets_413(database_url, tmp_path, bureau):
    client = _probe_app(database_url, tmp_path).test_client()
    auth = {"Authorization": f"Bearer {bureau.tokens['legal']}"}
    response = client.post(
        "/api/v1/probe/units",
        data=b"x" * (2 * 1024 * 1024),
        headers=auth,
        content_type="application/octet-stream",
    )
    assert response.status_code == 413
    assert _error(response)["message"] == "上传内容过大（上限 1 MB）"


def test_a_50_mb_upload_to_the_real_app_is_refused(api, app):
    assert app.config["MAX_CONTENT_LENGTH"] < 50 * 1024 * 1024
    response = api("legal").post(
        "/api/v1/units", data=b"x" * (50 * 1024 * 1024), content_type="application/octet-stream"
    )
    assert response.status_code in (405, 413)
    assert "error" in response.get_json()
