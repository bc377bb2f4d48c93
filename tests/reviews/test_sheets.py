"""Score sheets (一卷一表), confirmation by the legal office, rectification and referral."""

from __future__ import annotations

import copy

from sqlalchemy import func, select

from riskctl.accounts.operations import issue_token
from riskctl.core.audit import AuditEntry
from riskctl.core.db import db
from riskctl.rectification.models import RectificationItem
from riskctl.reviews import scoresheets
from riskctl.reviews.defaults import default_rubric_body
from riskctl.reviews.models import CaseFile, Finding, ScoreSheet
from tests.factories import make_user
from tests.reviews.conftest import CLERK, make_campaign, score_all

CAMPAIGN = "/api/v1/reviews/campaigns/PC-2026-H1"
FILES = "/api/v1/reviews/files"


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _sheet(case_no: str, deductions=(), vetoes=()) -> dict:
    return {
        "case_no": case_no,
        "deductions": list(deductions),
        "vetoes": list(vetoes),
        "comment": "卷宗基本规范",
    }


def as_user(api, bureau, username: str):
    """The api fixture's client for any user, issuing a token once."""
    if username not in bureau.tokens:
        bureau.tokens[username] = issue_token(username)
        db.session.commit()
    return api(username)


def test_each_assigned_reviewer_submits_one_sheet(api, bureau, drawn):
    review_file = drawn.file_of("ZD2-1")
    first, second = drawn.reviewers_of(review_file)
    case_no = review_file.case_file.case_no
    deduction = {"code": "CX1", "points": 3, "note": "立案审批晚于受理 9 日"}
    response = as_user(api, bureau, first.username).post(
        f"{CAMPAIGN}/sheets", json=_sheet(case_no, [deduction])
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["score"], body["grade"], body["rubric_version"]) == (97, "优秀", 1)
    assert body["group_scores"]["程序"] == 22

    again = as_user(api, bureau, first.username).post(f"{CAMPAIGN}/sheets", json=_sheet(case_no))
    assert again.status_code == 409
    assert "每人每卷只能提交一份" in again.get_json()["error"]["message"]
    db.session.expire_all()
    assert review_file.status == "assigned"
    assert (
        as_user(api, bureau, second.username)
        .post(f"{CAMPAIGN}/sheets", json=_sheet(case_no))
        .status_code
        == 201
    )
    db.session.expire_all()
    assert review_file.status == "scored" and _count(ScoreSheet) == 2


def test_a_sheet_for_a_file_not_in_the_campaign_is_refused(api, bureau, drawn):
    drawn_ids = {f.case_file_id for f in drawn.files()}
    other = db.session.scalar(select(CaseFile).where(CaseFile.id.not_in(drawn_ids)))
    response = api("legal").post(f"{CAMPAIGN}/sheets", json=_sheet(other.case_no))
    assert response.status_code == 422
    assert response.get_json()["error"]["details"] == {
        "case_no": [f"案卷 {other.case_no} 不在评查活动 PC-2026-H1 的抽中名单中，不能评分"]
    }
    assert api("legal").post(f"{CAMPAIGN}/sheets", json=_sheet("不存在的案号")).status_code == 404
    assert _count(ScoreSheet) == 0


def test_a_reviewer_scoring_their_own_case_is_refused_with_the_reason(api, drawn):
    own = drawn.file_of("ZD1-1")  # "officer" handled it and belongs to ZD1-1
    response = api("officer").post(f"{CAMPAIGN}/sheets", json=_sheet(own.case_file.case_no))
    assert response.status_code == 422
    assert "是案卷" in response.get_json()["error"]["message"]
    assert "承办人，应当回避" in response.get_json()["error"]["message"]
    assert _count(ScoreSheet) == 0


def test_a_reviewer_not_assigned_to_the_file_is_refused(api, bureau, drawn):
    review_file = drawn.file_of("ZD2-1")
    assigned = {u.username for u in drawn.reviewers_of(review_file)}
    outsider = next(n for n in ("legal", "discipline", "rev_zd12") if n not in assigned)
    response = as_user(api, bureau, outsider).post(
        f"{CAMPAIGN}/sheets", json=_sheet(review_file.case_file.case_no)
    )
    assert response.status_code == 403
    assert "未被分配" in response.get_json()["error"]["message"]
    make_user("nobody", "officer", "ZD1-2")
    response = as_user(api, bureau, "nobody").post(
        f"{CAMPAIGN}/sheets", json=_sheet(review_file.case_file.case_no)
    )
    assert response.status_code == 403 and "评查人员库" in response.get_json()["error"]["message"]


def test_a_deduction_larger_than_its_group_writes_nothing(api, bureau, drawn):
    review_file = drawn.file_of("ZD2-1")
    reviewer = drawn.reviewers_of(review_file)[0]
    audits = _count(AuditEntry)
    response = as_user(api, bureau, reviewer.username).post(
        f"{CAMPAIGN}/sheets",
        json=_sheet(
            review_file.case_file.case_no,
            [
                {"code": "CL2", "points": 12, "note": "罚款幅度明显不当"},
                {"code": "WS2", "points": 1, "note": "错别字"},
            ],
        ),
    )
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["details"] == {"CL2": ["扣分 12 分超过“裁量”分组总分 10 分"]}
    assert error["message"] == "CL2：扣分 12 分超过“裁量”分组总分 10 分"
    assert _count(ScoreSheet) == 0 and _count(AuditEntry) == audits


def test_confirmation_waits_for_every_sheet(api, drawn, bureau):
    review_file = drawn.file_of("ZD2-1")
    response = as_user(api, bureau, CLERK).post(f"{FILES}/{review_file.id}/confirm", json={})
    assert response.status_code == 409
    assert "尚有评查人员未提交评分表" in response.get_json()["error"]["message"]


def test_confirming_a_deducted_file_opens_a_rectification_item(api, drawn, bureau):
    review_file = drawn.file_of("ZD2-1")
    first, second = review_file.active_assignments
    scoresheets.submit_sheet(
        review_file,
        first.reviewer.user,
        [],
        [{"code": "CX1", "points": 3, "note": "立案审批晚于受理 9 日"}],
    )
    scoresheets.submit_sheet(
        review_file,
        second.reviewer.user,
        [],
        [
            {"code": "CX1", "points": 5, "note": "立案未经审批"},
            {"code": "WS2", "points": "0.5", "note": "错别字一处"},
        ],
    )
    db.session.commit()
    response = as_user(api, bureau, CLERK).post(
        f"{FILES}/{review_file.id}/confirm", json={"note": "合议通过"}
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    # (97 + 94.5) / 2 = 95.75, rounded half up
    assert (body["status"], body["score"], body["grade"]) == ("confirmed", 95.8, "优秀")
    findings = {f["item_code"]: f for f in body["findings"]}
    assert findings["CX1"]["points"] == 5
    assert findings["CX1"]["note"] == "立案审批晚于受理 9 日；立案未经审批"
    item = db.session.scalar(select(RectificationItem))
    assert item.source == "review_finding"
    assert item.source_ref == f"PC-2026-H1/{review_file.case_file.case_no}"
    assert item.unit_id == review_file.case_file.unit_id and item.owner == "张勇、王磊"
    assert "【扣 5 分】立案审批不及时或未经审批：" in item.detail
    again = as_user(api, bureau, CLERK).post(f"{FILES}/{review_file.id}/confirm", json={})
    assert again.status_code == 409


def test_a_clean_file_opens_no_rectification_item(api, drawn, bureau):
    review_file = drawn.file_of("ZD1-2")
    score_all(review_file)
    assert (
        as_user(api, bureau, CLERK).post(f"{FILES}/{review_file.id}/confirm", json={}).status_code
        == 200
    )
    assert _count(RectificationItem) == 0 and _count(Finding) == 0


def test_a_vetoed_file_fails_and_can_be_referred_once(api, drawn, bureau):
    review_file = drawn.file_of("ZD1-1")
    score_all(review_file, vetoes=[{"code": "F03", "note": "现场检查笔录仅一名执法人员签名"}])
    body = as_user(api, bureau, CLERK).post(f"{FILES}/{review_file.id}/confirm", json={}).get_json()
    assert (body["score"], body["grade"], body["vetoed"]) == (0, "不合格", True)
    assert _count(RectificationItem) == 1
    legal = api("legal")
    assert legal.post(f"{FILES}/{review_file.id}/refer", json={"note": " "}).status_code == 422
    referred = legal.post(
        f"{FILES}/{review_file.id}/refer", json={"note": "移送机关纪委追究承办人员过错责任"}
    )
    assert referred.status_code == 200
    assert referred.get_json()["referral_note"] == "移送机关纪委追究承办人员过错责任"
    assert legal.post(f"{FILES}/{review_file.id}/refer", json={"note": "再次"}).status_code == 409
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == "review.file.refer")
        )
        == 1
    )


def test_a_passing_file_cannot_be_referred(api, drawn, bureau):
    review_file = drawn.file_of("ZD1-2")
    score_all(review_file)
    as_user(api, bureau, CLERK).post(f"{FILES}/{review_file.id}/confirm", json={})
    response = api("legal").post(f"{FILES}/{review_file.id}/refer", json={"note": "移送"})
    assert response.status_code == 422
    assert "只有评为不合格的案卷才能移送" in response.get_json()["error"]["message"]


def test_a_rubric_change_after_scoring_started_keeps_old_scores(api, bureau, drawn):
    review_file = drawn.file_of("ZD2-1")
    score_all(review_file, deductions=[{"code": "CX1", "points": 3, "note": "审批晚"}])
    body = copy.deepcopy(default_rubric_body())
    body["groups"][2]["items"][0]["max"] = 2  # CX1 now deducts at most 2
    legal = api("legal")
    created = legal.post(
        "/api/v1/reviews/rubrics",
        json={"name": "评查标准（修订）", "body": body, "note": "下调立案审批扣分"},
    )
    assert created.status_code == 201 and created.get_json()["version"] == 2
    adopt = legal.post(f"{CAMPAIGN}/rubric")
    assert adopt.status_code == 409 and "已开始评分" in adopt.get_json()["error"]["message"]
    sheets = legal.get(f"{FILES}/{review_file.id}").get_json()["sheets"]
    assert {s["rubric_version"] for s in sheets} == {1}
    assert {s["score"] for s in sheets} == {97}
    later = make_campaign(bureau, "PC-2026-H1B", quotas={"ZD1-2": 1}, draw=False)
    assert later.rubric.version == 2


def test_an_invalid_rubric_is_refused_with_every_problem(api):
    body = copy.deepcopy(default_rubric_body())
    body["groups"][4]["items"][1]["max"] = 12
    body["groups"][0]["points"] = 20
    response = api("legal").post("/api/v1/reviews/rubrics", json={"name": "坏标准", "body": body})
    assert response.status_code == 422
    assert response.get_json()["error"]["details"] == {
        "CL2": ["最高扣分 12 分超过“裁量”分组总分 10 分"]
    }


def test_results_show_grade_shares_and_frequent_deductions(api, drawn, bureau):
    files = {
        unit: [f for f in drawn.files() if f.case_file.unit.code == unit]
        for unit in ("ZD1-1", "ZD1-2", "ZD2-1")
    }
    score_all(files["ZD1-1"][0], vetoes=[{"code": "F04", "note": "违法事实不清"}])
    score_all(files["ZD1-1"][1], deductions=[{"code": "WS2", "points": 1, "note": "错别字"}])
    score_all(
        files["ZD2-1"][0],
        deductions=[
            {"code": "WS2", "points": 2, "note": "错别字"},
            {"code": "CL1", "points": 5, "note": "未说明理由"},
            {"code": "CL2", "points": 8, "note": "明显不当"},
            {"code": "SZ2", "points": 8, "note": "要素缺失"},
        ],
    )
    for review_file in (files["ZD1-1"][0], files["ZD1-1"][1], files["ZD2-1"][0]):
        assert (
            as_user(api, bureau, CLERK)
            .post(f"{FILES}/{review_file.id}/confirm", json={})
            .status_code
            == 200
        )
    results = api("leader").get(f"{CAMPAIGN}/results").get_json()
    assert results["progress"] == {"assigned": 3, "scored": 0, "confirmed": 3, "total": 6}
    units = {u["code"]: u for u in results["units"]}
    assert units["ZD1-1"]["grades"] == {"优秀": 1, "合格": 0, "不合格": 1}
    assert units["ZD1-1"]["average"] == 49.5
    assert units["ZD2-1"]["grades"] == {"优秀": 0, "合格": 1, "不合格": 0}
    assert units["ZD2-1"]["average"] == 80  # 裁量 loses 10, not 13: the group floors at 0
    assert results["totals"]["files"] == 3
    top = results["frequent_deductions"][0]
    assert (top["code"], top["files"], top["points"]) == ("WS2", 2, 3)
    assert [f["case_no"] for f in results["failed_files"]] == [files["ZD1-1"][0].case_file.case_no]
    scoped = api("officer").get(f"{CAMPAIGN}/results").get_json()
    assert [u["code"] for u in scoped["units"]] == ["ZD1-1"]


def test_officers_see_their_unit_files_and_their_assignments_only(api, drawn):
    listed = api("officer").get(f"{CAMPAIGN}/files").get_json()["items"]
    mine = {f["id"] for f in listed}
    for review_file in drawn.files():
        in_unit = review_file.case_file.unit.code == "ZD1-1"
        assigned = "officer" in {u.username for u in drawn.reviewers_of(review_file)}
        assert (review_file.id in mine) == (in_unit or assigned)
        status = api("officer").get(f"{FILES}/{review_file.id}").status_code
        assert status == (200 if in_unit or assigned else 404)


def test_a_reviewer_sees_only_their_own_sheet(api, bureau, drawn):
    review_file = drawn.file_of("ZD2-1")
    score_all(review_file)
    reviewer = drawn.reviewers_of(review_file)[0]
    sheets = as_user(api, bureau, reviewer.username).get(f"{FILES}/{review_file.id}").get_json()
    if reviewer.role in ("legal", "discipline"):
        assert len(sheets["sheets"]) == 2
    else:
        assert [s["reviewer_name"] for s in sheets["sheets"]] == [reviewer.display_name]
    pending = as_user(api, bureau, reviewer.username).get("/api/v1/reviews/my/assignments")
    assert review_file.id not in {f["id"] for f in pending.get_json()["items"]}
