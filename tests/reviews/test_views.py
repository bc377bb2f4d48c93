"""Review pages: set-up and draw from the browser, the scoring sheet, results, registers."""

from __future__ import annotations

import io
import json
import warnings

from sqlalchemy import select
from sqlalchemy.exc import SAWarning

from riskctl.accounts.queries import user_by_username
from riskctl.core.db import db
from riskctl.core.tabular.writing import write_xlsx
from riskctl.rectification.models import RectificationItem
from riskctl.reviews import scoresheets
from riskctl.reviews.defaults import default_rubric_body
from riskctl.reviews.models import Campaign, CaseFile, ScoreSheet
from riskctl.reviews.registry.imports import HEADERS
from tests.conftest import csrf_token
from tests.factories.reviews import review_campaign
from tests.reviews.conftest import make_pool, make_register, score_all


def _post(client, url, **data):
    return client.post(url, data={**data, "csrf_token": csrf_token(client)})


def test_legal_runs_a_campaign_from_the_pages(login, bureau):
    make_register(bureau)
    make_pool(bureau)
    client = login("legal")
    assert "新建评查活动" in client.get("/reviews/").get_data(as_text=True)
    bad = _post(
        client,
        "/reviews/campaigns/new",
        code="PC-1",
        name="上半年评查",
        period_start="2026-06-30",
        period_end="2026-01-01",
        team_size="2",
    )
    assert bad.status_code == 422 and "结束日期不能早于开始日期" in bad.get_data(as_text=True)
    created = _post(
        client,
        "/reviews/campaigns/new",
        code="PC-1",
        name="上半年评查",
        period_start="2026-01-01",
        period_end="2026-06-30",
        team_size="2",
    )
    assert created.status_code == 302
    page = client.get("/reviews/campaigns/PC-1").get_data(as_text=True)
    assert "市容秩序第一中队（ZD1-1）" in page and "评查期内可抽案卷" in page

    bad_quota = client.post(
        "/reviews/campaigns/PC-1/setup",
        data={"quota-ZD1-1": "两件", "csrf_token": csrf_token(client)},
    )
    assert bad_quota.status_code == 422
    assert "请填写不小于 0 的整数" in bad_quota.get_data(as_text=True)
    saved = client.post(
        "/reviews/campaigns/PC-1/setup",
        data={
            "quota-ZD1-1": "2",
            "quota-ZD2-1": "1",
            "reviewer": ["legal", "discipline", "rev_zd12"],
            "csrf_token": csrf_token(client),
        },
    )
    assert saved.status_code == 302
    campaign = db.session.scalar(select(Campaign))
    assert campaign.quotas == {"ZD1-1": 2, "ZD2-1": 1} and len(campaign.reviewers) == 3

    assert _post(client, "/reviews/campaigns/PC-1/lock").status_code == 302
    page = client.get("/reviews/campaigns/PC-1").get_data(as_text=True)
    assert "可抽案卷（D_T）" in page and "录入公开随机数并抽取" in page
    missing = _post(client, "/reviews/campaigns/PC-1/draw", entropy="", entropy_source="现场")
    assert missing.status_code == 422 and "请录入公开随机数" in missing.get_data(as_text=True)
    assert (
        _post(
            client,
            "/reviews/campaigns/PC-1/draw",
            entropy="07 13 22 31",
            entropy_source="现场公证摇号",
        ).status_code
        == 302
    )
    page = client.get("/reviews/campaigns/PC-1").get_data(as_text=True)
    assert "抽取结果" in page and "城管罚决字" in page and "公开页面与复核数据" in page
    again = _post(client, "/reviews/campaigns/PC-1/draw", entropy="其他", entropy_source="x")
    assert again.status_code == 409


def test_a_reviewer_fills_the_sheet_in_one_sitting(login, drawn):
    review_file = drawn.file_of("ZD2-1")
    reviewer = drawn.reviewers_of(review_file)[0]
    client = login(reviewer.username)
    assert review_file.case_file.case_no in client.get("/reviews/my").get_data(as_text=True)
    url = f"/reviews/files/{review_file.id}/sheet"
    form = client.get(url).get_data(as_text=True)
    assert "执法人员少于2人" in form and "立案审批不及时或未经审批" in form and "最多扣" in form

    refused = _post(
        client,
        url,
        **{
            "points-CL2": "12",
            "note-CL2": "明显不当",
            "points-WS2": "1",
            "note-WS2": "",
            "note-CX1": "写了理由",
        },
    )
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "写了扣分理由，请填写扣分分值" in page
    refused = _post(
        client,
        url,
        **{"points-CL2": "12", "note-CL2": "明显不当", "points-WS2": "1", "note-WS2": ""},
    )
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "扣分 12 分超过“裁量”分组总分 10 分" in page
    assert "请写明扣分理由" in page
    assert 'value="明显不当"' in page  # what was typed is kept
    assert db.session.scalar(select(ScoreSheet.id)) is None

    done = _post(
        client, url, **{"points-CL2": "4", "note-CL2": "罚款幅度偏高", "comment": "整体规范"}
    )
    assert done.status_code == 302
    sheet = db.session.scalar(select(ScoreSheet))
    assert (sheet.score, sheet.grade) == (96, "优秀")
    assert "您已于" in client.get(url).get_data(as_text=True)


def test_a_reviewer_not_assigned_cannot_open_the_sheet(login, drawn):
    own = drawn.file_of("ZD1-1")
    assert login("officer").get(f"/reviews/files/{own.id}/sheet").status_code == 403


def test_legal_confirms_and_refers_from_the_file_page(login, drawn):
    review_file = drawn.file_of("ZD1-1")
    score_all(review_file, vetoes=[{"code": "F07", "note": "未告知听证权利即作出大额罚款"}])
    client = login("legal")
    page = client.get(f"/reviews/files/{review_file.id}").get_data(as_text=True)
    assert "确认评查结果" in page and "未告知听证权利" in page
    assert (
        client.post(
            f"/reviews/files/{review_file.id}/confirm",
            data={
                "confirm-basis": "",
                "confirm-note": "合议确认",
                "csrf_token": csrf_token(client),
            },
        ).status_code
        == 302
    )
    page = client.get(f"/reviews/files/{review_file.id}").get_data(as_text=True)
    assert "不合格" in page and "整改事项" in page and "移送过错责任追究" in page
    empty = client.post(
        f"/reviews/files/{review_file.id}/refer",
        data={"refer-note": "", "csrf_token": csrf_token(client)},
    )
    assert empty.status_code == 422 and "请填写移送说明" in empty.get_data(as_text=True)
    assert (
        client.post(
            f"/reviews/files/{review_file.id}/refer",
            data={"refer-note": "移送机关纪委", "csrf_token": csrf_token(client)},
        ).status_code
        == 302
    )
    assert "已移送过错责任追究" in client.get(f"/reviews/files/{review_file.id}").get_data(
        as_text=True
    )
    item = db.session.scalar(select(RectificationItem))
    ledger = client.get("/rectification/?source=review_finding").get_data(as_text=True)
    assert item.title in ledger


def test_the_results_page_shows_units_and_common_problems(login, bureau, drawn):
    review_file = drawn.file_of("ZD2-1")
    score_all(review_file, deductions=[{"code": "FL1", "points": 2, "note": "未引用到款项"}])
    scoresheets.confirm_file(review_file, user_by_username("fazhi2"))
    db.session.commit()
    page = login("leader").get("/reviews/campaigns/PC-2026-H1/results").get_data(as_text=True)
    assert "环境卫生第一中队" in page and "引用法律条款不具体" in page
    assert "98" in page


def test_the_results_page_has_an_empty_state(login, drawn):
    page = login("discipline").get("/reviews/campaigns/PC-2026-H1/results").get_data(as_text=True)
    assert "暂无数据" in page


def test_the_register_pages_render_and_import_shows_problems(login, bureau):
    client = login("legal")
    bad = write_xlsx(
        HEADERS,
        [
            [
                "城管罚决字〔2026〕第1号",
                "NOPE",
                "占道经营",
                "一般",
                "张勇",
                "ZF-1101",
                "马建国",
                "ZF-1001",
                "2026-03-01",
                "",
            ]
        ],
        "x",
    )
    response = client.post(
        "/reviews/case-files",
        data={"file": (io.BytesIO(bad), "x.xlsx"), "csrf_token": csrf_token(client)},
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "共 1 处问题，未导入任何数据" in page and "单位“NOPE”不存在" in page
    good = write_xlsx(
        HEADERS,
        [
            [
                "城管罚决字〔2026〕第1号",
                "ZD1-1",
                "占道经营",
                "一般",
                "张勇",
                "ZF-1101",
                "马建国",
                "ZF-1001",
                "2026-03-01",
                "",
            ]
        ],
        "x",
    )
    response = client.post(
        "/reviews/case-files",
        data={"file": (io.BytesIO(good), "x.xlsx"), "csrf_token": csrf_token(client)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert db.session.scalar(select(CaseFile.case_no)) == "城管罚决字〔2026〕第1号"
    assert "城管罚决字〔2026〕第1号" in client.get("/reviews/case-files").get_data(as_text=True)
    reviewers = client.get("/reviews/reviewers").get_data(as_text=True)
    assert "加入评查人员库" in reviewers and "暂无数据" in reviewers
    assert (
        _post(client, "/reviews/reviewers", username="discipline", badge_no="").status_code == 422
    )
    assert (
        _post(client, "/reviews/reviewers", username="discipline", badge_no="ZF-0902").status_code
        == 302
    )
    rubric = client.get("/reviews/rubric").get_data(as_text=True)
    assert "暂无数据" in rubric and "发布新版本" in rubric


def test_a_rubric_version_is_published_from_the_page(login, bureau):
    client = login("legal")
    bad = _post(client, "/reviews/rubric", name="新标准", note="", body="{不是 JSON")
    assert bad.status_code == 422 and "不是有效的 JSON" in bad.get_data(as_text=True)
    body = default_rubric_body()
    body["groups"][0]["points"] = 11
    wrong = _post(client, "/reviews/rubric", name="新标准", note="", body=json.dumps(body))
    assert wrong.status_code == 422 and "合计应为 100 分" in wrong.get_data(as_text=True)
    body["groups"][0]["points"] = 10
    assert (
        _post(
            client, "/reviews/rubric", name="新标准", note="试行", body=json.dumps(body)
        ).status_code
        == 302
    )
    assert "新标准（第 1 版）" in client.get("/reviews/rubric").get_data(as_text=True)
    officer = login("officer")
    assert _post(officer, "/reviews/rubric", name="x", body="{}").status_code == 403


def test_a_drawn_campaign_without_its_draw_row_renders_without_a_null_lookup(login, bureau):
    # The lists' fixtures record campaigns as drawn without a manifest or a draw: the page
    # must not ask the session for a row by a NULL key (SQLAlchemy warns, then loads nothing).
    review_campaign("PC-2026-H1")
    client = login("legal")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        response = client.get("/reviews/campaigns/PC-2026-H1")
    assert response.status_code == 200
    assert [str(w.message) for w in caught if issubclass(w.category, SAWarning)] == []
    page = response.get_data(as_text=True)
    assert "评查结果统计" in page and 'href="/public/draws/"' not in page


def test_the_public_draw_page_names_each_unit_beside_its_code(client, drawn):
    draw_id = drawn.campaign.draw_id
    page = client.get(f"/public/draws/{draw_id}").get_data(as_text=True)
    # The code stays the cell's published value; the unit's name is read beside it.
    assert '<td>ZD1-1 <small class="muted">市容秩序第一中队</small></td>' in page
    assert '<option value="ZD1-2" >ZD1-2 市容秩序第二中队</option>' in page
    assert "ZD1-1（市容秩序第一中队）：2；ZD1-2（市容秩序第二中队）：2" in page
    # The verification data is unchanged: strata are codes in the JSON and in the digests.
    published = client.get(f"/public/draws/{draw_id}.json").get_json()
    assert {s["stratum"] for s in published["selected"]} == {"ZD1-1", "ZD1-2", "ZD2-1"}
    assert published["quotas_digest"] in page
    only = client.get(f"/public/draws/{draw_id}?stratum=ZD1-1").get_data(as_text=True)
    assert only.count('<small class="muted">市容秩序第一中队</small></td>') == 2
    assert "市容秩序第二中队</small></td>" not in only
