"""A plan's numbers are bounded before they reach the database."""

from __future__ import annotations

from tests.inspections.conftest import plan_body


def test_a_plan_cap_of_10_to_the_30_is_refused_naming_the_field(api, bureau):
    for field in ("cap", "team_size", "exclude_recent_months"):
        response = api("legal").post("/api/v1/inspection/plans", json=plan_body(**{field: 10**30}))
        assert response.status_code == 422, response.get_json()
        assert response.get_json()["error"]["message"].startswith(f"字段 {field}：")


def test_a_unit_filter_beyond_any_id_is_refused(api, bureau):
    for url in ("/api/v1/inspection/targets", "/api/v1/inspection/inspectors"):
        response = api("legal").get(url, query_string={"unit_id": "9" * 30})
        assert response.status_code == 400
        assert "参数 unit_id 应为" in response.get_json()["error"]["message"]
