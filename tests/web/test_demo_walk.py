"""What walking the demo in Chromium found (issue 15, acceptance): pages name people and
officers by name, show no internal key, and link only where the reader may go."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from riskctl.core import audit, clock
from riskctl.core.db import db
from riskctl.inspections.models import Plan
from tests.factories.inspections import roster
from tests.factories.leniency import leniency_item, leniency_record, refusal
from tests.factories.risks import risk_point
from tests.factories.warnings import make_warning
from tests.web.test_browser import browser, live_server  # noqa: F401 (fixtures)
from tests.web.test_csp import Watched, demo  # noqa: F401 (fixture)

TAGS = re.compile(r"<[^>]+>")


def _text(response) -> str:
    assert response.status_code == 200, response.status_code
    return " ".join(TAGS.sub("", response.get_data(as_text=True)).split())


def _name(bureau, role: str, name: str) -> None:
    bureau.users[role].display_name = name
    db.session.commit()


def test_a_warning_shows_who_handled_it_by_name_and_no_internal_key(bureau, login):
    _name(bureau, "discipline", "陈纪委")
    warning = make_warning(bureau, subject="risk_point:7:review:2026-01-05", closed=clock.today())
    page = _text(login("discipline").get(f"/warnings/{warning.id}"))
    assert "已整改（陈纪委，" in page  # the closing note names the person
    assert "risk_point:7" not in page and "情况标识" not in page
    assert "（discipline，" not in page


def test_a_warning_links_its_evidence_only_where_the_reader_may_go(bureau, login):
    evidence = [
        {"label": "被拒绝的重复首违申请", "kind": "leniency_refusals", "ref": "", "args": {}},
        {"label": "免罚记录 #1", "kind": "leniency_record", "ref": "1", "args": {}},
    ]
    warning = make_warning(bureau, evidence=evidence)
    officer = login("officer").get(f"/warnings/{warning.id}").get_data(as_text=True)
    assert 'href="/leniency/refusals"' not in officer  # officers may not open that list
    assert "被拒绝的重复首违申请" in officer and 'href="/leniency/records/1"' in officer
    legal = login("legal").get(f"/warnings/{warning.id}").get_data(as_text=True)
    assert 'href="/leniency/refusals"' in legal
    assert login("officer").get("/leniency/refusals").status_code == 403


def test_the_leniency_lists_name_the_officers_and_the_applicant(bureau, login):
    _name(bureau, "officer", "张队员")
    roster()  # ZF-0101 王五, ZF-0102 赵六
    day = clock.today() - timedelta(days=10)
    record = leniency_record(leniency_item(), "ZD1-1", day, officers=("ZF-0101", "ZF-0102"))
    refused = refusal(record, day + timedelta(days=2))
    refused.officers = "ZF-0102,ZF-0101"
    db.session.commit()
    client = login("legal")
    records = _text(client.get("/leniency"))
    assert "王五、赵六" in records and "ZF-0101、" not in records
    refusals = _text(client.get("/leniency/refusals"))
    assert "赵六、王五" in refusals and "张队员" in refusals
    assert "ZF-0102、" not in refusals


def test_a_risk_points_history_names_the_person_not_the_account(bureau, login):
    _name(bureau, "discipline", "陈纪委")
    point = risk_point("ZD1-1", "暂扣物品登记不全", 2, 2, clock.today(), clock.today())
    page = _text(login("leader").get(f"/risks/{point.id}"))
    assert "第 1 版 · 新建 · 陈纪委 ·" in page
    assert "· discipline ·" not in page


def test_the_audit_log_names_a_unit_not_its_code(bureau, login):
    audit.record("unit.update", "unit", "ZD1-1", {"name": ["旧名", "市容秩序第一中队"]})
    db.session.commit()
    page = _text(login("discipline").get("/audit"))
    assert "单位 市容秩序第一中队" in page
    assert "单位 ZD1-1" not in page


@pytest.mark.browser
def test_the_draw_and_the_cancel_confirmations_say_what_will_happen(
    live_server,  # noqa: F811
    browser,  # noqa: F811
    demo,  # noqa: F811
):
    """The draw form's fields carry a prefix (draw-entropy): the confirmation must quote
    the number typed, not （未填写）; cancelling a draft asks first and quotes the reason."""
    locked = db.session.scalar(select(Plan).where(Plan.status == "locked"))
    draft = db.session.scalar(select(Plan).where(Plan.status == "draft"))
    watched = Watched(browser, live_server)
    watched.login("csp_legal")
    asked: list[str] = []

    def dismiss(dialog) -> None:
        asked.append(dialog.message)
        dialog.dismiss()

    watched.page.on("dialog", dismiss)
    watched.goto(f"/inspections/plans/{locked.code}")
    watched.page.fill("input[name=draw-entropy]", "2026-12-04 福彩3D 3 8 1")
    watched.page.fill("input[name=draw-entropy_source]", "中国福利彩票 3D 第 2026328 期")
    watched.page.click("button:has-text('抽取')")
    watched.page.wait_for_timeout(300)
    source = "（来源：中国福利彩票 3D 第 2026328 期）"
    assert asked and asked[0].startswith(
        f"以随机数“2026-12-04 福彩3D 3 8 1”{source}为计划 {locked.code}"
    ), asked
    assert "（未填写）" not in asked[0] and "只能抽取一次" in asked[0]

    watched.goto(f"/inspections/plans/{draft.code}")
    watched.page.click("button:has-text('作废草稿')")  # no reason: the browser asks for one
    watched.page.wait_for_timeout(300)
    assert len(asked) == 1, asked
    watched.page.fill("input[name=cancel-reason]", "与第一季度计划重复")
    watched.page.click("button:has-text('作废草稿')")
    watched.page.wait_for_timeout(300)
    reason = "以理由“与第一季度计划重复”"
    assert len(asked) == 2 and asked[1].startswith(f"{reason}作废草稿计划 {draft.code}"), asked
    db.session.expire_all()
    assert db.session.get(Plan, locked.id).status == "locked"  # dismissed: nothing drawn
    assert db.session.get(Plan, draft.id).status == "draft"  # nor cancelled
    assert watched.violations == []
