"""Ledger pages: filters and colour states, closing and reopening from the browser."""

from __future__ import annotations

import pytest

from riskctl.core.db import db
from riskctl.rectification.models import RectificationItem
from tests.conftest import csrf_token
from tests.factories.rectification import make_item

# Dates count from the bureau's today: run at moments where UTC and Beijing disagree.
pytestmark = pytest.mark.usefixtures("instant")


def test_the_ledger_shows_items_with_their_colours(login, bureau):
    make_item(bureau, "ZD1-1", ref="YJ-RED", title="超期未整改事项", overdue_days=3)
    make_item(bureau, "ZD2-1", ref="YJ-YEL", title="即将到期事项", due_in=1)
    page = login("discipline").get("/rectification/").get_data(as_text=True)
    assert "超期未整改事项" in page and "即将到期事项" in page
    assert 'class="tag red">已超期' in page and 'class="tag yellow">即将到期' in page


def test_the_ledger_filters_and_shows_an_empty_state(login, bureau):
    make_item(bureau, "ZD1-1", ref="YJ-RED", title="超期未整改事项", overdue_days=3)
    client = login("legal")
    page = client.get("/rectification/?colour=green").get_data(as_text=True)
    assert "超期未整改事项" not in page and "暂无数据" in page
    bad = client.get("/rectification/?colour=purple").get_data(as_text=True)
    assert "颜色须为" in bad


def test_an_officer_sees_only_their_unit_on_the_ledger(login, bureau):
    make_item(bureau, "ZD1-1", ref="A", title="本中队事项")
    other = make_item(bureau, "ZD2-1", ref="B", title="环卫中队事项")
    client = login("officer")
    page = client.get("/rectification/").get_data(as_text=True)
    assert "本中队事项" in page and "环卫中队事项" not in page
    assert client.get(f"/rectification/{other.id}").status_code == 404


def test_closing_from_the_page_needs_a_note(login, bureau):
    item = make_item(bureau)
    client = login("legal")
    response = client.post(
        f"/rectification/{item.id}/close", data={"close-note": "", "csrf_token": csrf_token(client)}
    )
    assert response.status_code == 422
    assert "销号必须填写销号说明" in response.get_data(as_text=True)
    response = client.post(
        f"/rectification/{item.id}/close",
        data={"close-note": "已补正并组织学习", "csrf_token": csrf_token(client)},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(RectificationItem, item.id).closing_note == "已补正并组织学习"
    page = client.get(f"/rectification/{item.id}").get_data(as_text=True)
    assert "已销号" in page and "重新打开" in page


def test_a_post_without_the_csrf_token_is_refused(login, bureau):
    item = make_item(bureau)
    response = login("legal").post(f"/rectification/{item.id}/close", data={"close-note": "x"})
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(RectificationItem, item.id).status == "open"


def test_an_officer_adds_evidence_from_the_page(login, bureau):
    item = make_item(bureau, "ZD1-1")
    client = login("officer")
    page = client.get(f"/rectification/{item.id}").get_data(as_text=True)
    assert "提交佐证" in page and "销号</button>" not in page
    response = client.post(
        f"/rectification/{item.id}/evidence",
        data={"evidence-text": "现场照片 4 张", "csrf_token": csrf_token(client)},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(RectificationItem, item.id).evidence == "现场照片 4 张"


def test_legal_registers_an_item_from_the_form(login, bureau):
    client = login("legal")
    assert "登记整改事项" in client.get("/rectification/new").get_data(as_text=True)
    data = {
        "source": "warning",
        "source_ref": "YJ-2026-11",
        "title": "罚没款未按期上缴",
        "unit": "ZD2",
        "owner": "王芳",
        "deadline_days": "abc",
        "csrf_token": csrf_token(client),
    }
    response = client.post("/rectification/new", data=data)
    assert response.status_code == 422 and "请填写整数" in response.get_data(as_text=True)
    data["deadline_days"] = "5"
    response = client.post("/rectification/new", data=data)
    assert response.status_code == 302
    item = db.session.query(RectificationItem).one()
    assert (item.title, item.unit.code, item.deadline_days) == ("罚没款未按期上缴", "ZD2", 5)


def test_the_home_page_shows_the_red_count(login, bureau):
    make_item(bureau, "ZD1-1", ref="A", overdue_days=2)
    make_item(bureau, "ZD1-1", ref="B", overdue_days=5)
    page = login("leader").get("/").get_data(as_text=True)
    assert "整改超期（红）" in page
    assert '<span class="value">2</span><span class="label">整改超期（红）' in page
