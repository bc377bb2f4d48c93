"""A draft plan stays editable from its page until it is locked; then the page refuses."""

from __future__ import annotations

import json

from sqlalchemy import select

from riskctl.core.audit import AuditEntry
from riskctl.core.db import db
from riskctl.inspections.models import Plan
from tests.conftest import csrf_token
from tests.inspections.conftest import create_plan, lock, make_item


def _form(client, **extra) -> dict:
    return {
        "code": "SJ-T-01",
        "name": "改名后的计划",
        "items": ["SX-001"],
        "ratio_A": "10",
        "ratio_B": "20",
        "ratio_C": "",
        "ratio_D": "70",
        "quota_C": "3",
        "team_size": "3",
        "cap": "4",
        "lookback_months": "6",
        "exclude_recent_months": "2",
        "cross_unit": "y",
        "units": ["ZD1-1", "ZD2-1"],
        "csrf_token": csrf_token(client),
        "action": "save",
        **extra,
    }


def test_a_draft_plan_is_edited_field_by_field_and_audited(login, api, roster):
    make_item()
    create_plan(api("legal"))
    client = login("legal")
    page = client.get("/inspections/plans/SJ-T-01/edit")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "修改抽查计划 SJ-T-01（草稿）" in html and 'value="测试计划 SJ-T-01"' in html
    # One trail: 首页 › 双随机抽查 › 计划 SJ-T-01 › this page.
    assert html.count('class="breadcrumbs"') == 1
    assert '<a href="/inspections/plans/SJ-T-01">计划 SJ-T-01</a>' in html
    assert "修改草稿" in client.get("/inspections/plans/SJ-T-01").get_data(as_text=True)

    # A bad value keeps every input and saves nothing.
    bad = client.post("/inspections/plans/SJ-T-01/edit", data=_form(client, team_size="1"))
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    assert "《行政处罚法》第四十二条" in html and 'value="改名后的计划"' in html
    assert db.session.scalar(select(Plan.name)) == "测试计划 SJ-T-01"

    # The code is the plan's name: a changed one in the form is ignored.
    saved = client.post("/inspections/plans/SJ-T-01/edit", data=_form(client, code="SJ-X"))
    assert saved.status_code == 302
    db.session.expire_all()
    plan = db.session.scalar(select(Plan))
    assert plan.code == "SJ-T-01" and plan.name == "改名后的计划"
    assert plan.ratios == {"A": "0.1", "B": "0.2", "D": "0.7"} and plan.quotas == {"C": 3}
    assert (plan.team_size, plan.cap, plan.lookback_months, plan.exclude_recent_months) == (
        3,
        4,
        6,
        2,
    )
    assert plan.cross_unit is True and plan.units == ["ZD1-1", "ZD2-1"]
    assert [i.code for i in plan.items] == ["SX-001"]
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "inspection.plan.update")
    )
    changed = json.loads(entry.summary)
    assert entry.actor == "legal" and entry.object_id == "SJ-T-01"
    assert changed["name"] == {"from": "测试计划 SJ-T-01", "to": "改名后的计划"}
    assert changed["team_size"] == {"from": 2, "to": 3}


def test_a_locked_plan_refuses_its_edit_page_in_chinese(login, api, roster):
    create_plan(api("legal"))
    assert lock(api("legal")).status_code == 200
    client = login("legal")
    page = client.get("/inspections/plans/SJ-T-01/edit")
    assert page.status_code == 409
    assert "计划 SJ-T-01 已锁定，只有草稿可以修改" in page.get_data(as_text=True)
    posted = client.post("/inspections/plans/SJ-T-01/edit", data=_form(client))
    assert posted.status_code == 409
    assert db.session.scalar(select(Plan.name)) == "测试计划 SJ-T-01"
    assert "修改草稿" not in client.get("/inspections/plans/SJ-T-01").get_data(as_text=True)


def test_only_the_legal_office_edits_a_plan(login, api, roster):
    create_plan(api("legal"))
    for role in ("leader", "officer", "discipline"):
        assert login(role).get("/inspections/plans/SJ-T-01/edit").status_code == 403
