"""A draft campaign stays editable from its pages until it is locked; a quota above a
unit's files is refused when saved, naming the unit by its name; the input is kept."""

from __future__ import annotations

import json

from sqlalchemy import select

from riskctl.core.audit import AuditEntry
from riskctl.core.db import db
from riskctl.reviews.models import Campaign
from tests.conftest import csrf_token
from tests.reviews.conftest import make_campaign, make_pool, make_register


def _edit(client, **extra):
    return client.post(
        "/reviews/campaigns/PC-2026-H1/edit",
        data={
            "name": "改名后的评查",
            "period_start": "2026-01-01",
            "period_end": "2026-06-30",
            "team_size": "3",
            "cap": "5",
            "csrf_token": csrf_token(client),
            **extra,
        },
    )


def test_a_draft_campaign_is_edited_and_audited(login, bureau):
    make_register(bureau)
    make_pool(bureau)
    make_campaign(bureau, draw=False, quotas={"ZD1-1": 2})
    client = login("legal")
    page = client.get("/reviews/campaigns/PC-2026-H1").get_data(as_text=True)
    assert "修改活动信息" in page and "市容秩序第一中队：2 件" in page
    form = client.get("/reviews/campaigns/PC-2026-H1/edit")
    assert form.status_code == 200
    assert 'value="2026年上半年案卷评查"' in form.get_data(as_text=True)
    assert form.get_data(as_text=True).count('class="breadcrumbs"') == 1
    assert '<a href="/reviews/campaigns/PC-2026-H1">PC-2026-H1</a>' in form.get_data(as_text=True)

    assert _edit(client).status_code == 302
    db.session.expire_all()
    campaign = db.session.scalar(select(Campaign))
    assert (campaign.name, campaign.team_size, campaign.cap) == ("改名后的评查", 3, 5)
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "review.campaign.update")
    ).all()[-1]
    assert entry.actor == "legal" and json.loads(entry.summary)["name"] == "改名后的评查"

    # A shorter period leaves ZD1-1 no file for its quota: refused at the period, input kept.
    short = _edit(client, period_end="2026-02-28", name="再改名")
    assert short.status_code == 422
    html = short.get_data(as_text=True)
    assert "市容秩序第一中队：抽取数 2 超过该单位可抽案卷数 0" in html
    assert 'value="再改名"' in html and 'value="2026-02-28"' in html
    db.session.expire_all()
    assert db.session.scalar(select(Campaign.name)) == "改名后的评查"


def test_the_set_up_refuses_a_quota_above_the_units_files_by_the_units_name(login, bureau):
    make_register(bureau)
    make_pool(bureau)
    make_campaign(bureau, draw=False, quotas={"ZD1-1": 2})
    client = login("legal")
    response = client.post(
        "/reviews/campaigns/PC-2026-H1/setup",
        data={
            "quota-ZD1-1": "5",
            "quota-ZD2-1": "1",
            "reviewer": ["legal", "discipline"],
            "csrf_token": csrf_token(client),
        },
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "市容秩序第一中队：抽取数 5 超过该单位可抽案卷数 4" in html
    assert 'name="quota-ZD1-1" value="5"' in html and 'name="quota-ZD2-1" value="1"' in html
    db.session.expire_all()
    assert db.session.scalar(select(Campaign.quotas)) == {"ZD1-1": 2}


def test_a_locked_campaign_refuses_its_edit_page_in_chinese(login, bureau):
    make_register(bureau)
    make_pool(bureau)
    make_campaign(bureau, draw=False)
    client = login("legal")
    assert (
        client.post(
            "/reviews/campaigns/PC-2026-H1/lock", data={"csrf_token": csrf_token(client)}
        ).status_code
        == 302
    )
    for response in (client.get("/reviews/campaigns/PC-2026-H1/edit"), _edit(client)):
        assert response.status_code == 409
        assert "评查活动 PC-2026-H1 已锁定，抽取清单已冻结，不能再修改" in response.get_data(
            as_text=True
        )
    db.session.expire_all()
    assert db.session.scalar(select(Campaign.name)) == "2026年上半年案卷评查"
    page = client.get("/reviews/campaigns/PC-2026-H1").get_data(as_text=True)
    assert "修改活动信息" not in page
