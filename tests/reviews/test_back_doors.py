"""Issue 12 §3 walked through: reviewers are drawn, never picked; nobody confirms their own
file; disagreeing sheets follow the declared rule; a campaign's re-draw names its kind."""

from __future__ import annotations

from sqlalchemy import select

from riskctl.core.audit import AuditEntry
from riskctl.core.db import db
from riskctl.draws.models import Draw
from riskctl.reviews import scoresheets
from riskctl.reviews.models import ReviewFile
from tests.reviews.conftest import CLERK
from tests.reviews.test_sheets import as_user

FILES = "/api/v1/reviews/files"
CAMPAIGN = "/api/v1/reviews/campaigns/PC-2026-H1"
ENTROPY = {"entropy": "2026-07-08 福彩3D 5 0 2", "entropy_source": "福利彩票开奖公告"}


def _actions() -> list[str]:
    return list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.seq)))


def test_a_replacement_cannot_be_named_and_is_drawn_in_a_public_round(api, bureau, drawn):
    review_file = drawn.file_of("ZD2-1")
    old = drawn.reviewers_of(review_file)[0].username
    named = api("legal").post(
        f"{FILES}/{review_file.id}/reviewers", json={"old": old, "new": "officer", "reason": "出差"}
    )
    assert named.status_code == 422 and "不能指定" in named.get_json()["error"]["message"]

    withdrawn = api("legal").post(
        f"{FILES}/{review_file.id}/reviewers", json={"old": old, "reason": "出差无法参加"}
    )
    assert withdrawn.status_code == 200, withdrawn.get_json()
    body = withdrawn.get_json()
    (round_,) = body["reviewer_draws"]
    assert round_["purpose"] == "replace" and round_["reason"] == "出差无法参加"
    assert round_["draw_id"] is None and old not in [
        a["username"] for a in body["assignments"] if a["active"]
    ]
    # The locked manifest is public before the entropy exists, and excludes the withdrawn.
    manifest = api("legal").client.get(f"/public/draws/manifests/{round_['manifest_id']}")
    assert manifest.status_code == 200
    confirm = as_user(api, bureau, CLERK).post(f"{FILES}/{review_file.id}/confirm", json={})
    assert confirm.status_code == 409

    done = api("legal").post(f"{FILES}/{review_file.id}/reviewer-draws/1/draw", json=ENTROPY)
    assert done.status_code == 200, done.get_json()
    drawn_badge = done.get_json()["reviewer_draws"][0]["drawn"]
    active = [a for a in done.get_json()["assignments"] if a["active"]]
    assert drawn_badge in [a["badge_no"] for a in active] and len(active) == 2
    assert old not in [a["username"] for a in active]
    draw = db.session.get(Draw, done.get_json()["reviewer_draws"][0]["draw_id"])
    body = draw.manifest.body
    assert old_badge(drawn, old) not in [i["id"] for i in body["inspectors"]]
    again = api("legal").post(f"{FILES}/{review_file.id}/reviewer-draws/1/draw", json=ENTROPY)
    assert again.status_code == 409
    assert {
        "review.reviewer_draw.replace",
        "draw.lock",
        "draw.run",
        "review.reviewer_draw.run",
    } <= set(_actions())


def old_badge(drawn, username: str) -> str:
    for f in drawn.files():
        for a in f.assignments:
            if a.reviewer.user.username == username:
                return a.reviewer.badge_no
    raise AssertionError(username)


def _score(review_file: ReviewFile, sheets) -> None:
    """Each active reviewer submits (vetoes, deductions) in turn."""
    for assignment, (vetoes, deductions) in zip(
        review_file.active_assignments, sheets, strict=True
    ):
        scoresheets.submit_sheet(review_file, assignment.reviewer.user, vetoes, deductions)
    db.session.commit()


VETO = ([{"code": "F04", "note": "违法事实不清"}], [])
CLEAN = ([], [])
MINUS = ([], [{"code": "WS2", "points": 2, "note": "错别字"}])


def test_a_reviewer_cannot_confirm_their_own_file_nor_adopt_their_own_sheet(api, bureau, drawn):
    review_file = next(
        f for f in drawn.files() if "legal" in [u.username for u in drawn.reviewers_of(f)]
    )
    legal_first = sorted(
        review_file.active_assignments, key=lambda a: a.reviewer.user.username != "legal"
    )
    _score(
        review_file,
        [CLEAN, VETO] if legal_first[0] is review_file.active_assignments[0] else [VETO, CLEAN],
    )
    own = api("legal").post(f"{FILES}/{review_file.id}/confirm", json={})
    assert own.status_code == 403 and "不能确认自己评查的案卷" in own.get_json()["error"]["message"]
    mine = next(s for s in review_file.sheets if s.reviewer.user.username == "legal")
    picked = as_user(api, bureau, CLERK).post(
        f"{FILES}/{review_file.id}/confirm", json={"sheet_id": mine.id}
    )
    assert (
        picked.status_code == 422
        and "不能指定采用某一评分表" in picked.get_json()["error"]["message"]
    )
    # The veto on the other sheet stands: 不合格, 0, whatever the 100 says.
    result = as_user(api, bureau, CLERK).post(f"{FILES}/{review_file.id}/confirm", json={})
    body = result.get_json()
    assert (body["score"], body["grade"], body["vetoed"]) == (0, "不合格", True)


def test_a_veto_is_overturned_only_in_writing_and_the_override_is_shown(api, bureau, drawn):
    review_file = drawn.file_of("ZD2-1")
    _score(review_file, [CLEAN, (VETO[0], MINUS[1])])
    clerk = as_user(api, bureau, CLERK)
    response = clerk.post(
        f"{FILES}/{review_file.id}/confirm", json={"overturn_reason": "现场照片已在卷，事实清楚"}
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["score"], body["vetoed"]) == (99, False)
    assert body["veto_overturned_by"] == CLERK
    assert body["veto_overturn_reason"] == "现场照片已在卷，事实清楚"
    assert body["result_basis"].startswith("否决项经法制科书面推翻")
    assert "review.file.veto_overturned" in _actions()
    page = api("legal").client  # the file page shows the override to every reader
    assert page is not None


def test_sheets_far_apart_get_a_drawn_third_reviewer_then_the_mean(api, bureau, drawn):
    review_file = drawn.file_of("ZD2-1")
    far = (
        [],
        [
            {"code": "CL1", "points": 5, "note": "未说明理由"},
            {"code": "CL2", "points": 5, "note": "明显不当"},
            {"code": "WS2", "points": 3, "note": "错别字"},
        ],
    )
    _score(review_file, [CLEAN, far])  # 100 and 87: more than 10 apart
    db.session.expire_all()
    review_file = db.session.get(ReviewFile, review_file.id)
    (third,) = review_file.reviewer_draws
    assert third.purpose == "third" and "超过设定的 10 分" in third.reason
    clerk = as_user(api, bureau, CLERK)
    assert clerk.post(f"{FILES}/{review_file.id}/confirm", json={}).status_code == 409
    done = api("legal").post(f"{FILES}/{review_file.id}/reviewer-draws/1/draw", json=ENTROPY)
    assert done.status_code == 200, done.get_json()
    db.session.expire_all()
    review_file = db.session.get(ReviewFile, review_file.id)
    newcomer = review_file.active_assignments[-1]
    scoresheets.submit_sheet(review_file, newcomer.reviewer.user, [], MINUS[1])
    db.session.commit()
    body = clerk.post(f"{FILES}/{review_file.id}/confirm", json={}).get_json()
    assert body["score"] == 95 and body["result_basis"] == "3 份评分表平均"


def test_a_campaign_redraw_names_its_kind_and_a_wrong_manifest_is_relocked(api, bureau, drawn):
    legal, leader = api("legal"), api("leader")
    missing = legal.post(f"{CAMPAIGN}/redraws", json={"reason": "再抽一次"})
    assert missing.status_code == 422 and "kind" in missing.get_json()["error"]["details"]
    request = legal.post(
        f"{CAMPAIGN}/redraws", json={"kind": "manifest_error", "reason": "漏报回避关系"}
    ).get_json()
    assert (
        leader.post(
            f"/api/v1/reviews/redraws/{request['id']}/decision", json={"approve": True}
        ).status_code
        == 200
    )
    early = legal.post(f"/api/v1/reviews/redraws/{request['id']}/run", json=ENTROPY)
    assert early.status_code == 409 and "不能对原清单重抽" in early.get_json()["error"]["message"]
    unchanged = legal.post(f"/api/v1/reviews/redraws/{request['id']}/relock")
    assert unchanged.status_code == 422 and "完全相同" in unchanged.get_json()["error"]["message"]
    # The register is corrected: one more case file of ZD1-2 becomes eligible.
    from tests.reviews.conftest import make_case

    make_case(bureau, "ZD1-2", 9)
    relocked = legal.post(f"/api/v1/reviews/redraws/{request['id']}/relock")
    assert relocked.status_code == 200, relocked.get_json()
    run = legal.post(f"/api/v1/reviews/redraws/{request['id']}/run", json=ENTROPY)
    assert run.status_code == 201, run.get_json()
    public = api("legal").client.get(run.get_json()["public_url"] + ".json").get_json()
    assert public["redraw"]["kind"] == "manifest_error" and public["redraw"]["manifest_changed"]
    assert public["redraw"]["changes"]["targets"]["added_count"] == 1
    assert public["redraw"]["approved_by"] and public["redraw"]["reason"] == "漏报回避关系"
    files = api("legal").get(f"{CAMPAIGN}/files").get_json()
    assert files["total"] == 6
