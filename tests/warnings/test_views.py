"""The pages: the board with its summaries and filters, the evidence view with the life
steps (CSRF-protected forms), the rules page and the home-page card."""

from __future__ import annotations

from riskctl.core.db import db
from riskctl.rectification.models import RectificationItem
from riskctl.warnings.models import Warning
from tests.conftest import csrf_token
from tests.factories.rectification import overdue_item
from tests.factories.risks import held_post
from tests.factories.warnings import make_warning


def test_the_board_shows_open_warnings_by_colour_unit_and_rule(login, bureau):
    make_warning(bureau, unit="ZD1-1", subject="unit:ZD1-1", title="一中队整改超期")
    make_warning(bureau, unit="ZD2-1", subject="unit:ZD2-1", colour="yellow", title="环卫中队提示")
    make_warning(bureau, unit="ZD1-2", subject="unit:ZD1-2", status="closed", title="二中队旧事")
    page = login("discipline").get("/warnings").get_data(as_text=True)
    assert "一中队整改超期" in page and "环卫中队提示" in page and "二中队旧事" not in page
    assert '<span class="value">1</span><span class="label">未关闭 · 红色预警' in page
    assert "按单位（未关闭）" in page and "市容秩序第一中队" in page and "整改超期" in page
    assert "立即扫描" in page


def test_the_board_filters_and_shows_an_empty_state_and_bad_filters(login, bureau):
    make_warning(bureau, title="一中队整改超期")
    client = login("leader")
    page = client.get("/warnings?colour=yellow").get_data(as_text=True)
    assert "一中队整改超期" not in page and "暂无数据" in page and "立即扫描" not in page
    bad = client.get("/warnings?colour=purple").get_data(as_text=True)
    assert "颜色须为" in bad and "一中队整改超期" in bad


def test_an_officer_sees_only_their_units_warnings(login, bureau):
    make_warning(bureau, unit="ZD1-1", subject="unit:ZD1-1", title="本中队预警")
    other = make_warning(bureau, unit="ZD2-1", subject="unit:ZD2-1", title="环卫中队预警")
    client = login("officer")
    page = client.get("/warnings").get_data(as_text=True)
    assert "本中队预警" in page and "环卫中队预警" not in page
    assert "预警规则与阈值" not in page and "立即扫描" not in page
    assert client.get(f"/warnings/{other.id}").status_code == 404


def test_the_evidence_view_links_the_records(login, bureau):
    item = overdue_item(bureau)
    warning = make_warning(
        bureau,
        evidence=[
            {
                "label": f"整改事项 {item.id}：文书问题",
                "kind": "rectification_item",
                "ref": str(item.id),
                "args": {},
            }
        ],
    )
    page = login("leader").get(f"/warnings/{warning.id}").get_data(as_text=True)
    assert f'<a href="/rectification/{item.id}">整改事项 {item.id}：文书问题</a>' in page
    assert "确认预警" not in page  # leaders read, the committee handles


def test_the_committee_takes_a_warning_through_its_life_on_the_page(login, bureau):
    warning = make_warning(bureau)
    client = login("discipline")
    url = f"/warnings/{warning.id}"
    assert "确认预警" in client.get(url).get_data(as_text=True)
    assert client.post(f"{url}/acknowledge").status_code == 400  # no CSRF token
    assert (
        client.post(f"{url}/acknowledge", data={"csrf_token": csrf_token(client)}).status_code
        == 302
    )
    empty = client.post(f"{url}/handle", data={"csrf_token": csrf_token(client), "handle-note": ""})
    assert empty.status_code == 422 and "处置必须填写处置情况说明" in empty.get_data(as_text=True)
    handled = client.post(
        f"{url}/handle",
        data={
            "csrf_token": csrf_token(client),
            "handle-note": "已约谈",
            "handle-rectify": "y",
            "handle-owner": "中队长",
            "handle-deadline_days": "5",
        },
    )
    assert handled.status_code == 302
    db.session.expire_all()
    assert db.session.get(Warning, warning.id).status == "handled"
    assert db.session.query(RectificationItem).count() == 1
    closed = client.post(
        f"{url}/close", data={"csrf_token": csrf_token(client), "close-note": "整改到位"}
    )
    assert closed.status_code == 302
    again = client.post(
        f"{url}/close", data={"csrf_token": csrf_token(client), "close-note": "再次关闭"}
    )
    assert again.status_code == 409 and "不能重复关闭" in again.get_data(as_text=True)
    history = client.get(url).get_data(as_text=True)
    for step, text in (
        ("确认", "已确认，由纪委跟进处置"),
        ("处置", "已约谈（已生成整改事项"),
        ("关闭", "整改到位"),
    ):
        assert f'nowrap">{step}</td>' in history and text in history


def test_the_scan_button_and_the_rules_page(login, bureau):
    overdue_item(bureau)
    client = login("discipline")
    response = client.post(
        "/warnings/scan", data={"csrf_token": csrf_token(client)}, follow_redirects=True
    )
    page = response.get_data(as_text=True)
    assert "预警扫描" in page and "整改超期：新增 1 条" in page
    rules = client.get("/warnings/rules").get_data(as_text=True)
    assert "同一人员反复免罚同一当事人" in rules
    assert "warnings.leniency_same_party.times" not in rules  # no setting keys on the page


def test_the_home_page_counts_open_warnings(login, bureau):
    make_warning(bureau)
    make_warning(bureau, subject="unit:ZD1-1:other", colour="yellow")
    page = login("leader").get("/").get_data(as_text=True)
    assert '<span class="value">2</span><span class="label">未关闭预警</span>' in page


def test_the_committee_links_a_risk_point_chosen_from_the_units_register(login, bureau):
    point = held_post(title="暂扣物品处置不规范")
    warning = make_warning(bureau)
    client = login("discipline")
    url = f"/warnings/{warning.id}"
    assert f'<option value="{point.id}">#{point.id} 市容秩序第一中队 · 暂扣物品保管员' in (
        client.get(url).get_data(as_text=True)
    )
    empty = client.post(
        f"{url}/risk-point",
        data={"csrf_token": csrf_token(client), "link-risk_point_id": "", "link-proposal": ""},
    )
    assert empty.status_code == 422 and "请选择风险点，或填写建议新增的风险点" in empty.get_data(
        as_text=True
    )
    linked = client.post(
        f"{url}/risk-point",
        data={"csrf_token": csrf_token(client), "link-risk_point_id": str(point.id)},
    )
    assert linked.status_code == 302
    page = client.get(url).get_data(as_text=True)
    label = f"#{point.id} 市容秩序第一中队 · 暂扣物品保管员 · 暂扣物品处置不规范"
    assert f'href="/risks/{point.id}">{label}</a>' in page
    assert "关联风险点 #" in page
