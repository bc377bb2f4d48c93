"""The settings page: typed fields from each setting's one declaration, Chinese errors
naming the field, input kept on error, percentages for ratios; the API shares the rules."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from riskctl.core import settings
from riskctl.core.audit import AuditEntry
from riskctl.core.db import db
from riskctl.core.setting_kinds import Integer, Keyed, Percent
from tests.conftest import csrf_token


def _form(client, group: str) -> dict[str, str]:
    """The module's form as the page shows it: every field with its current value."""
    page = client.get("/admin/settings").get_data(as_text=True)
    section = page.split(f'id="group-{group}"', 1)[1].split("</section>", 1)[0]
    data = {}
    for name, value in re.findall(
        r'<input type="number" name="([^"]+)"[^>]*value="([^"]*)"', section
    ):
        data[name] = html.unescape(value)
    for name, value in re.findall(r'<input name="([^"]+)" value="([^"]*)"', section):
        data[name] = html.unescape(value)
    for name, body in re.findall(r'<select name="([^"]+)"[^>]*>(.*?)</select>', section, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected', body)
        data[name] = html.unescape(chosen.group(1)) if chosen else ""
    data["csrf_token"] = csrf_token(client)
    return data


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_the_page_shows_typed_fields_with_chinese_labels_units_and_defaults(login):
    page = _text(login("admin").get("/admin/settings"))
    # Labels, units and defaults in Chinese, never keys or \u escapes.
    for label in (
        "会话空闲超时",
        "首违不罚回溯期",
        "双随机抽查默认比例",
        "案卷评查等级",
        "重抽次数",
    ):
        assert label in page
    visible = re.sub(r"<[^>]+>", " ", page)
    assert "\\u" not in page and not re.search(r"[a-z_]+\.[a-z_]+\.[a-z_]+", visible)
    assert "默认：优秀 90；合格 70；不合格 0" in page
    assert "默认：A 类 5%，B 类 10%，C 类 30%，D 类 70%" in page
    assert "默认：30 分钟" in page
    assert re.search(
        r'name="accounts.session_idle_minutes"[^>]*value="30"[^>]*min="1" max="1440"', page
    )
    # A ratio is shown as a percentage: 0.05 -> 5.
    assert re.search(r'name="inspection.default_ratios.A"[^>]*value="5"', page)
    assert "个工作日" in page and "个月" in page
    # A switch is a choice of 启用/停用, the risk matrix a grid of 高/中/低.
    assert re.search(
        r'<select name="warnings.draw_redrawn.enabled"[^>]*>\s*<option value="1" selected>启用',
        page,
    )
    assert 'name="risks.matrix.0.0"' in page


def test_a_module_form_saves_percentages_as_ratios_and_audits_each_change(login):
    client = login("admin")
    form = _form(client, "inspection")
    form["inspection.default_ratios.A"] = "7.5"
    form["inspection.default_ratios.D"] = ""  # left blank: D class not sampled by default
    form["inspection.publication_days"] = "15"
    response = client.post("/admin/settings/inspection", data=form)
    assert response.status_code == 302
    assert settings.get("inspection.default_ratios") == {"A": "0.075", "B": "0.1", "C": "0.3"}
    assert settings.get("inspection.publication_days") == 15
    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "setting.change")
    ).all()
    assert sorted(e.object_id for e in entries) == [
        "inspection.default_ratios",
        "inspection.publication_days",
    ]
    page = _text(client.get("/admin/settings"))
    assert "已保存“双随机抽查”的 2 项设置：双随机抽查默认比例、抽查结果公示期限" in page
    assert re.search(r'name="inspection.default_ratios.A"[^>]*value="7.5"', page)


def test_an_error_names_the_field_in_chinese_keeps_the_input_and_saves_nothing(login):
    client = login("admin")
    form = _form(client, "inspection")
    form["inspection.default_ratios.B"] = "150"
    form["inspection.lookback_months"] = "十二"
    form["inspection.publication_days"] = "15"  # valid, but the form is saved all or nothing
    response = client.post("/admin/settings/inspection", data=form)
    assert response.status_code == 422
    page = _text(response)
    assert "未保存：请更正下列 2 项后再保存。" in page
    assert "双随机抽查默认比例：B 类：150% 超出范围，请填写 0 到 100 之间的百分数" in page
    assert "回避期限：“十二”不是整数，须为 0 到 120 之间的整数（个月）" in page
    # Every field keeps what was typed.
    assert re.search(r'name="inspection.default_ratios.B"[^>]*value="150"', page)
    assert re.search(r'name="inspection.lookback_months"[^>]*value="十二"', page)
    assert re.search(r'name="inspection.publication_days"[^>]*value="15"', page)
    assert settings.get("inspection.publication_days") == 20
    assert settings.get("inspection.default_ratios")["B"] == "0.1"


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        (
            "accounts.session_idle_minutes",
            "0",
            "会话空闲超时：须为 1 到 1440 之间的整数（分钟）（收到 0）",
        ),
        ("accounts.session_idle_minutes", "", "会话空闲超时：请填写"),
        ("accounts.session_max_minutes", "1.5", "会话最长时限：“1.5”不是整数"),
    ],
)
def test_integer_bounds_are_checked_with_the_label(login, field, typed, message):
    client = login("admin")
    form = _form(client, "accounts")
    form[field] = typed
    response = client.post("/admin/settings/accounts", data=form)
    assert response.status_code == 422 and message in _text(response)


def test_grade_bands_rows_and_the_risk_matrix_grid(login):
    client = login("admin")
    form = _form(client, "reviews")
    assert form["reviews.grade_bands.0.0"] == "优秀" and form["reviews.grade_bands.0.1"] == "90"
    form["reviews.grade_bands.1.1"] = "95"  # not descending
    bad = client.post("/admin/settings/reviews", data=form)
    assert bad.status_code == 422
    assert "案卷评查等级：等级须按最低分从高到低排列，且不能相同" in _text(bad)
    form["reviews.grade_bands.1.1"] = "75.5"
    form["reviews.grade_bands.3.0"] = "基本合格"
    form["reviews.grade_bands.3.1"] = "60"  # a fourth row typed below the others
    form["reviews.grade_bands.2.1"] = "65"
    # Bands go from the highest down, so the new 60 row must come before 不合格 0.
    form["reviews.grade_bands.2.0"], form["reviews.grade_bands.3.0"] = "基本合格", "不合格"
    form["reviews.grade_bands.2.1"], form["reviews.grade_bands.3.1"] = "60", "0"
    assert client.post("/admin/settings/reviews", data=form).status_code == 302
    assert settings.get("reviews.grade_bands") == [
        ["优秀", 90.0],
        ["合格", 75.5],
        ["基本合格", 60.0],
        ["不合格", 0.0],
    ]

    risks = _form(client, "risks")
    risks["risks.matrix.0.2"] = ""  # a ragged row
    bad = client.post("/admin/settings/risks", data=risks)
    assert bad.status_code == 422 and "廉政风险矩阵：第 1 行须有 3 格" in _text(bad)


def test_a_warning_switch_is_saved_as_a_boolean(login):
    client = login("admin")
    form = _form(client, "warnings")
    form["warnings.draw_redrawn.enabled"] = "0"
    assert client.post("/admin/settings/warnings", data=form).status_code == 302
    assert settings.get("warnings.draw_redrawn.enabled") is False
    page = _text(client.get("/admin/settings"))
    assert re.search(
        r'<select name="warnings.draw_redrawn.enabled"[^>]*>\s*<option value="1" >启用', page
    )


def test_the_api_uses_the_same_declaration(api):
    admin = api("admin")
    bad = admin.put("/api/v1/settings/accounts.session_idle_minutes", json={"value": 2000})
    assert bad.status_code == 422
    assert bad.get_json()["error"]["details"]["accounts.session_idle_minutes"] == [
        "会话空闲超时：须为 1 到 1440 之间的整数（分钟）（收到 2000）"
    ]
    ratio = admin.put("/api/v1/settings/inspection.default_ratios", json={"value": {"A": 1.5}})
    assert ratio.status_code == 422
    assert "双随机抽查默认比例：A 类：须在 0% 到 100% 之间（收到 150%）" in str(ratio.get_json())
    ok = admin.put("/api/v1/settings/inspection.default_ratios", json={"value": {"A": 0.2}})
    assert ok.status_code == 200 and ok.get_json()["value"] == {"A": "0.2"}


def test_kinds_read_forms_and_show_values():
    percent = Percent(as_text=True)
    assert percent.from_form({"p": "15"}, "p") == "0.15"
    assert percent.from_form({"p": "12.5%"}, "p") == "0.125"
    assert percent.to_form("0.15") == "15" and percent.text("0.075") == "7.5%"
    with pytest.raises(ValueError, match="最多保留 2 位小数的百分数"):
        percent("0.123456")
    keyed = Keyed({"高": "高风险", "低": "低风险"}, Integer(1, 10, "天"))
    with pytest.raises(ValueError, match="缺少低风险"):
        keyed({"高": 3})
    with pytest.raises(ValueError, match=r"低风险：“x”不是整数"):
        keyed.from_form({"k.高": "3", "k.低": "x"}, "k")
    assert keyed.text({"高": 3, "低": 5}) == "高风险 3 天，低风险 5 天"
