"""Huge numbers on a score sheet, in a rubric or a campaign get a 422 naming the field."""

from __future__ import annotations

import copy
import io

from riskctl.reviews.defaults import default_rubric_body
from tests.reviews.test_campaigns import BODY, URL
from tests.reviews.test_sheets import CAMPAIGN, _sheet, as_user


def test_points_of_1e30_on_a_score_sheet_are_refused(api, bureau, drawn):
    review_file = drawn.file_of("ZD2-1")
    reviewer = drawn.reviewers_of(review_file)[0]
    for points in (1e30, "1e30", "-1e30", 10**30):
        response = as_user(api, bureau, reviewer.username).post(
            f"{CAMPAIGN}/sheets",
            json=_sheet(review_file.case_file.case_no, [{"code": "CL2", "points": points}]),
        )
        assert response.status_code == 422, response.get_json()
        assert response.get_json()["error"]["details"] == {"CL2": ["扣分应为大于 0 的数"]}


def test_an_item_max_of_1e30_in_a_rubric_is_refused(api, bureau):
    body = copy.deepcopy(default_rubric_body())
    body["groups"][0]["items"][0]["max"] = 1e30
    response = api("legal").post(
        "/api/v1/reviews/rubrics", json={"name": "新标准", "note": "", "body": body}
    )
    assert response.status_code == 422, response.get_json()
    code = body["groups"][0]["items"][0]["code"]
    assert response.get_json()["error"]["details"][code] == [
        "最高扣分须为大于 0 的数，且为 0.5 分的整数倍"
    ]


def test_a_campaign_cap_of_10_to_the_30_is_refused(api, bureau):
    response = api("legal").post(URL, json={**BODY, "cap": 10**30})
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["details"] == {"cap": ["数值超出范围，应在 -2147483648 到 2147483647 之间"]}
    assert error["message"].startswith("字段 cap：数值超出范围")


def test_a_penalty_of_1e30_in_the_case_file_register_names_the_row(api, bureau):
    from riskctl.core.tabular.writing import write_csv
    from riskctl.reviews.registry.imports import HEADERS

    row = ["城管罚决字〔2026〕第0101号", "ZD1-1", "占道经营", "一般", "张勇", "ZF-1101"]
    row += ["马建国", "ZF-1001", "2026-03-02", "1e30"]
    response = api("legal").post(
        "/api/v1/reviews/case-files/import",
        data={"file": (io.BytesIO(write_csv(HEADERS, [row])), "案卷.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422, response.get_json()
    rows = response.get_json()["error"]["details"]["rows"]
    assert {
        "row": 2,
        "column": "罚款金额（元）",
        "message": "金额应在 0 到 1,000,000,000,000 元之间",
    } in rows
