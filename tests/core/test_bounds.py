"""Hostile input of issue 13 gets a 4xx with a Chinese message, never a 500."""

from __future__ import annotations

import io
import json

import pytest
from sqlalchemy import select

from riskctl.accounts.models import LoginAttempt
from riskctl.core.bounds import MAX_JSON_DEPTH
from riskctl.core.db import db
from tests.conftest import csrf_token
from tests.risks.conftest import point_data

HUGE = "99999999999999999999"
DEEP = "[" * 100_000 + "]" * 100_000


@pytest.mark.parametrize(
    "url", ["/api/v1/risk-points", "/api/v1/leniency/records", "/api/v1/warnings", "/public/draws"]
)
def test_a_page_number_beyond_any_list_is_a_400_naming_page(client, api, url):
    caller = client if url.startswith("/public") else api("discipline")
    response = caller.get(url, query_string={"page": HUGE})
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    if response.is_json:
        text = response.get_json()["error"]["message"]
    assert "参数 page 应为 1 到 1000000 之间的整数" in text
    for bad in (HUGE, "+-5", "٣", "0", "-1"):
        assert caller.get(url, query_string={"per_page": bad}).status_code == 400


def test_an_id_beyond_any_table_in_a_url_is_a_404(api):
    response = api("discipline").get(f"/api/v1/risk-points/{HUGE}")
    assert response.status_code == 404
    assert api("discipline").get("/api/v1/risk-points/2147483648").status_code == 404


@pytest.mark.parametrize("url", ["/api/v1/draws/verify", "/api/v1/risk-points"])
def test_json_nested_100000_deep_is_a_400_naming_the_limit(client, api, url):
    caller = client if url.endswith("verify") else api("discipline")
    strings = '{"a": ' + '["[", ' * 40 + "1" + "]" * 40 + "}"
    for body in (DEEP, '{"a":' * 100_000 + "1" + "}" * 100_000, strings):
        response = caller.post(url, data=body, content_type="application/json")
        assert response.status_code == 400, response.get_json()
        assert response.get_json()["error"]["message"] == (
            f"JSON 嵌套层数超过 {MAX_JSON_DEPTH} 层的上限"
        )


def test_json_within_the_depth_limit_still_parses(api):
    body = json.dumps(point_data(title="[[[{{{ 括号不算层数 ]]]}}}"))
    response = api("discipline").post(
        "/api/v1/risk-points", data=body, content_type="application/json"
    )
    assert response.status_code == 201, response.get_json()


def test_nan_and_infinity_are_refused(api):
    for literal in ("NaN", "Infinity", "-Infinity", "1e400"):
        body = json.dumps(point_data()).replace('"likelihood": 3', f'"likelihood": {literal}')
        response = api("discipline").post(
            "/api/v1/risk-points", data=body, content_type="application/json"
        )
        assert response.status_code == 400, (literal, response.get_json())


@pytest.mark.parametrize("field", ["title", "responsible", "measures[0].owner"])
def test_a_lone_surrogate_in_a_text_field_is_a_422_naming_it(api, field):
    body = json.dumps(point_data(), ensure_ascii=True)
    target = {"title": "对占道经营选择性执法", "responsible": "张勇"}.get(field, "张勇")
    encoded = json.dumps(target)[1:-1]
    if field.startswith("measures"):
        body = body.replace('"owner": "' + encoded, '"owner": "\\ud800' + encoded, 1)
    else:
        body = body.replace(f'"{field}": "{encoded}', f'"{field}": "\\ud800{encoded}', 1)
    response = api("discipline").post(
        "/api/v1/risk-points", data=body, content_type="application/json"
    )
    assert response.status_code == 422, response.get_json()
    error = response.get_json()["error"]
    assert error["details"] == {field: ["含有无效的 Unicode 字符（孤立的代理项），请删除后重试"]}


def test_a_61_character_user_name_at_login_is_refused_cleanly(client, bureau):
    token = csrf_token(client)
    response = client.post(
        "/login", data={"username": "a" * 61, "password": "x", "csrf_token": token}
    )
    assert response.status_code == 422
    assert "用户名不能超过 60 个字符" in response.get_data(as_text=True)
    sixty = client.post("/login", data={"username": "a" * 60, "password": "x", "csrf_token": token})
    assert sixty.status_code == 200 and "用户名或密码错误" in sixty.get_data(as_text=True)
    attempts = db.session.scalars(select(LoginAttempt.username)).all()
    assert attempts == ["a" * 60]


@pytest.mark.parametrize("day", ["0001-01-01", "1999-12-31", "2101-01-01", "9999-12-31"])
def test_an_impossible_next_review_is_refused_naming_the_field(api, day):
    response = api("discipline").post("/api/v1/risk-points", json=point_data(next_review=day))
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["details"] == {
        "next_review": [f"日期 {day} 超出允许范围（2000-01-01 至 2100-12-31）"]
    }
    deadline = point_data()
    deadline["measures"][0]["deadline"] = day
    assert api("discipline").post("/api/v1/risk-points", json=deadline).status_code == 422


def test_the_register_export_with_the_extreme_dates_always_reimports(api):
    discipline = api("discipline")
    for day, title in (("2000-01-01", "最早"), ("2100-12-31", "最晚")):
        created = discipline.post(
            "/api/v1/risk-points", json=point_data(next_review=day, title=f"{title}的评估日期")
        )
        assert created.status_code == 201, created.get_json()
    exported = discipline.get("/api/v1/risk-points/export.xlsx")
    assert exported.status_code == 200
    again = discipline.post(
        "/api/v1/risk-points/import",
        data={
            "file": (io.BytesIO(exported.data), "导出.xlsx"),
            "reason": "原样导回",
            "dry_run": "1",
        },
        content_type="multipart/form-data",
    )
    assert again.status_code == 200, again.get_json()
    assert again.get_json()["unchanged"] == 2


def test_an_imported_date_outside_2000_to_2100_names_row_and_column():
    from riskctl.core.tabular.cells import parse_date
    from riskctl.core.tabular.problems import CellError

    for text in ("0001-01-01", "2101-1-1", "1999年12月31日"):
        with pytest.raises(CellError) as caught:
            parse_date(text)
        assert "超出允许范围（2000-01-01 至 2100-12-31）" in caught.value.message


def test_a_data_error_that_slips_through_is_a_422_not_a_500(app):
    from sqlalchemy.exc import DataError

    with app.test_request_context("/api/v1/risk-points", method="POST"):
        response = app.handle_user_exception(DataError("INSERT", {}, Exception("too long")))
    assert response.status_code == 422
    assert response.get_json()["error"]["message"] == "提交的数据超出允许范围（过长或过大），未保存"


def test_a_nul_in_a_query_or_form_value_is_a_400_naming_it(api, client, bureau):
    response = api("discipline").get("/api/v1/risk-points", query_string={"q": "a\x00b"})
    assert response.status_code == 400
    assert response.get_json()["error"]["details"] == {"q": ["含有空字符"]}
    token = csrf_token(client)
    login = client.post("/login", data={"username": "a\x00", "password": "x", "csrf_token": token})
    assert login.status_code == 400 and "表单字段 username 含有空字符" in login.get_data(
        as_text=True
    )
