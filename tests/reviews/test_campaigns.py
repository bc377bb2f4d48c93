"""Campaigns: set-up, lock, draw once through the shared flow; conflicts by construction."""

from __future__ import annotations

from sqlalchemy import func, select

from riskctl.core.db import db
from riskctl.draws.engine.draw import run_draw
from riskctl.draws.engine.manifest import parse_manifest
from riskctl.draws.models import Draw, DrawManifest
from riskctl.reviews.campaign_manifest import conflict_reason, manifest_inputs
from riskctl.reviews.models import Campaign, ReviewFile
from tests.reviews.conftest import make_campaign, make_case, make_pool, make_register

URL = "/api/v1/reviews/campaigns"
BODY = {
    "code": "PC-2026-H1",
    "name": "2026年上半年案卷评查",
    "period_start": "2026-01-01",
    "period_end": "2026-06-30",
    "quotas": {"ZD1-1": 2, "ZD2-1": 2},
    "reviewers": ["legal", "discipline", "rev_zd12"],
    "team_size": 2,
}


def test_legal_sets_up_locks_and_draws_a_campaign_through_the_api(api, bureau):
    make_register(bureau)
    make_pool(bureau)
    legal = api("legal")
    created = legal.post(URL, json=BODY)
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["status"] == "draft"
    assert created.get_json()["rubric_version"] == 1
    detail = legal.get(f"{URL}/PC-2026-H1").get_json()
    assert detail["eligible"] == {"ZD1-1": 4, "ZD1-2": 4, "ZD2-1": 4}

    locked = legal.post(f"{URL}/PC-2026-H1/lock")
    assert locked.status_code == 200, locked.get_json()
    assert set(locked.get_json()["digests"]) == {
        "targets_digest",
        "inspectors_digest",
        "conflicts_digest",
        "quotas_digest",
    }
    drawn = legal.post(
        f"{URL}/PC-2026-H1/draw",
        json={"entropy": "2026-07-01 体彩 07 13 22", "entropy_source": "体彩开奖公告"},
    )
    assert drawn.status_code == 200, drawn.get_json()
    assert drawn.get_json()["status"] == "drawn"
    files = legal.get(f"{URL}/PC-2026-H1/files").get_json()
    assert files["total"] == 4
    assert all(len(f["reviewers"]) == 2 for f in files["items"])
    assert sorted(f["unit"] for f in files["items"]) == ["ZD1-1", "ZD1-1", "ZD2-1", "ZD2-1"]


def test_a_campaign_draws_once(api, bureau):
    make_register(bureau)
    make_pool(bureau)
    make_campaign(bureau)
    legal = api("legal")
    again = legal.post(f"{URL}/PC-2026-H1/draw", json={"entropy": "另一个随机数"})
    assert again.status_code == 409
    assert legal.post(f"{URL}/PC-2026-H1/lock").status_code == 409
    assert legal.patch(f"{URL}/PC-2026-H1", json={"team_size": 3}).status_code == 409
    assert db.session.scalar(select(func.count()).select_from(Draw)) == 1


def test_no_reviewer_is_ever_drawn_for_a_file_they_must_recuse_from(drawn):
    assert len(drawn.files()) == 6
    for review_file in drawn.files():
        for assignment in review_file.active_assignments:
            assert conflict_reason(assignment.reviewer, review_file.case_file) is None
        units = {a.reviewer.user.unit.code for a in review_file.active_assignments}
        assert review_file.case_file.unit.code not in units


def test_the_manifest_lists_handler_approver_and_unit_conflicts(bureau):
    make_register(bureau, per_unit=1)
    make_pool(bureau)
    make_case(bureau, "ZD2-1", 9, handlers=["ZF-0902"], approver="ZF-0901")  # legal approved it
    campaign = make_campaign(bureau, quotas={"ZD1-1": 1, "ZD1-2": 1, "ZD2-1": 2}, draw=False)
    pairs = set(manifest_inputs(campaign).conflicts)
    zd11 = "城管罚决字〔2026〕ZD1-1第0001号"
    zd21 = "城管罚决字〔2026〕ZD2-1第0009号"
    assert ("ZF-1101", zd11) in pairs  # officer handled it (and is of ZD1-1)
    assert ("ZF-0902", zd21) in pairs  # discipline handled it
    assert ("ZF-0901", zd21) in pairs  # legal approved it
    assert ("ZF-2199", "城管罚决字〔2026〕ZD2-1第0001号") in pairs  # same unit
    assert ("ZF-1299", zd11) not in pairs  # a sibling 中队 may review


def test_the_published_draw_recomputes_from_its_manifest(drawn):
    campaign = drawn.campaign
    manifest = db.session.get(DrawManifest, campaign.manifest_id)
    draw = db.session.get(Draw, campaign.draw_id)
    result = run_draw(parse_manifest({**manifest.body, "entropy": draw.entropy}))
    assert result.result_digest == draw.result_digest
    assert [s.target for s in result.selected] == [f.case_file.case_no for f in drawn.files()]


def test_files_reviewed_in_one_campaign_are_not_drawn_again(drawn, bureau):
    first = {f.case_file_id for f in drawn.files()}
    second = make_campaign(bureau, "PC-2026-H1B", quotas={"ZD1-1": 2, "ZD2-1": 2})
    again = {
        f.case_file_id
        for f in db.session.scalars(select(ReviewFile).where(ReviewFile.campaign_id == second.id))
    }
    assert first.isdisjoint(again) and len(again) == 4


def test_set_up_errors_are_named_in_chinese(api, bureau):
    make_register(bureau)
    make_pool(bureau)
    legal = api("legal")
    cases = [
        ({**BODY, "quotas": {"NOPE": 1}}, "单位 NOPE 不存在"),
        ({**BODY, "quotas": {"ZD1-1": -1}}, "不小于 0 的整数"),
        ({**BODY, "reviewers": ["leader"]}, "leader 不在评查人员库中"),
        ({**BODY, "period_end": "2025-12-31"}, "结束日期不能早于开始日期"),
        ({**BODY, "code": "评查 1"}, "编号只能含"),
    ]
    for body, message in cases:
        response = legal.post(URL, json=body)
        assert response.status_code == 422, body
        assert message in str(response.get_json()["error"]), response.get_json()
    assert db.session.scalar(select(func.count()).select_from(Campaign)) == 0
    assert legal.post(URL, json=BODY).status_code == 201
    assert legal.post(URL, json=BODY).status_code == 409


def test_a_quota_above_a_units_files_is_refused_when_saved_naming_the_unit(api, bureau):
    make_register(bureau)
    make_pool(bureau)
    legal = api("legal")
    response = legal.post(URL, json={**BODY, "quotas": {"ZD1-1": 5, "ZD2-1": 9, "ZD1-2": 4}})
    assert response.status_code == 422
    error = response.get_json()["error"]
    expected = (
        "市容秩序第一中队：抽取数 5 超过该单位可抽案卷数 4；"
        "环境卫生第一中队：抽取数 9 超过该单位可抽案卷数 4"
    )
    assert error["message"] == expected
    assert error["details"] == {"quotas": [expected]}
    assert db.session.scalar(select(func.count()).select_from(Campaign)) == 0

    assert legal.post(URL, json={**BODY, "quotas": {"ZD1-1": 4}}).status_code == 201
    patched = legal.patch(f"{URL}/PC-2026-H1", json={"quotas": {"ZD1-2": 6}})
    assert patched.status_code == 422
    assert patched.get_json()["error"]["details"]["quotas"] == [
        "市容秩序第二中队：抽取数 6 超过该单位可抽案卷数 4"
    ]
    # A shorter period leaves fewer files: the saved quota is checked again.
    shorter = legal.patch(f"{URL}/PC-2026-H1", json={"period_end": "2026-02-28"})
    assert shorter.status_code == 422
    assert "抽取数 4 超过该单位可抽案卷数 0" in shorter.get_json()["error"]["message"]
    assert db.session.scalar(select(Campaign.quotas)) == {"ZD1-1": 4}


def test_lock_refuses_too_few_reviewers(api, bureau):
    make_register(bureau)
    make_pool(bureau)
    legal = api("legal")
    legal.post(URL, json={**BODY, "quotas": {"ZD1-1": 2}, "reviewers": ["legal"]})
    response = legal.post(f"{URL}/PC-2026-H1/lock")
    assert response.status_code == 422 and "评查人员不足" in response.get_json()["error"]["message"]
    assert db.session.scalar(select(func.count()).select_from(DrawManifest)) == 0


def test_a_draw_that_cannot_staff_a_file_is_refused_and_saves_nothing(api, bureau):
    make_register(bureau)
    make_pool(bureau, ("officer", "rev_zd12"))
    legal = api("legal")
    # ZD1-2 files: officer may review them, rev_zd12 (of ZD1-2) may not: no team of 2.
    legal.post(URL, json={**BODY, "quotas": {"ZD1-2": 1}, "reviewers": ["officer", "rev_zd12"]})
    assert legal.post(f"{URL}/PC-2026-H1/lock").status_code == 200
    response = legal.post(
        f"{URL}/PC-2026-H1/draw", json={"entropy": "x 1 2 3", "entropy_source": "现场"}
    )
    assert response.status_code == 422
    assert "没有可派" in response.get_json()["error"]["message"]
    assert db.session.scalar(select(func.count()).select_from(ReviewFile)) == 0
    assert db.session.scalar(select(Campaign.status)) == "locked"


def test_only_legal_runs_campaigns(api, bureau):
    make_pool(bureau, ("legal",))
    for role in ("officer", "discipline", "leader", "admin"):
        assert api(role).post(URL, json=BODY).status_code == 403
    assert api("leader").get(URL).status_code == 200
    assert api("admin").get(URL).status_code == 403


def test_reviewer_pool_rules(api, bureau):
    legal = api("legal")
    ok = legal.post(
        "/api/v1/reviews/reviewers", json={"username": "discipline", "badge_no": "ZF-0902"}
    )
    assert ok.status_code == 201 and ok.get_json()["unit"] == "JW"
    assert (
        legal.post(
            "/api/v1/reviews/reviewers", json={"username": "leader", "badge_no": "ZF-1"}
        ).status_code
        == 422
    )
    assert (
        legal.post(
            "/api/v1/reviews/reviewers", json={"username": "legal", "badge_no": "ZF-0902"}
        ).status_code
        == 409
    )
