"""A warning's risk-point link is bounded before it reaches the database."""

from __future__ import annotations

from tests.factories.warnings import make_warning


def test_a_risk_point_id_of_10_to_the_30_is_refused_naming_the_field(api, bureau):
    warning = make_warning(bureau)
    response = api("discipline").post(
        f"/api/v1/warnings/{warning.id}/risk-point", json={"risk_point_id": 10**30}
    )
    assert response.status_code == 422
    assert response.get_json()["error"]["message"].startswith("字段 risk_point_id：数值超出范围")
