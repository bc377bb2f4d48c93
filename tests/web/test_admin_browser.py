"""The administration pages in a real Chromium at 1366 px and 390 px: they fit the phone,
show no raw key or escape, and the settings form names a bad field in Chinese while
keeping what was typed."""

from __future__ import annotations

import pytest

from tests.browsers import screenshot
from tests.factories import PASSWORD
from tests.web.test_browser import browser, live_server  # noqa: F401 (fixtures)
from tests.web.test_daily_flows import WIDTHS, Walk

pytestmark = pytest.mark.browser

PAGES = ["/admin/settings", "/admin/units", "/admin/calendar", "/admin/users"]


def _signed_in(browser, live_server) -> Walk:  # noqa: F811
    context = browser.new_context(viewport={"width": WIDTHS[0], "height": 900})
    walk = Walk(live_server, context, "admin-pages")
    walk.visit("/login")
    walk.page.fill("input[name=username]", "admin")
    walk.page.fill("input[name=password]", PASSWORD)
    walk.page.click("button[type=submit]")
    walk.page.wait_for_selector("h1:has-text('工作台')")
    return walk


def test_the_admin_pages_fit_a_phone_and_show_no_raw_keys(
    live_server,  # noqa: F811
    browser,  # noqa: F811
    bureau,
):
    walk = _signed_in(browser, live_server)
    for width in WIDTHS:
        walk.resize(width)
        for path in PAGES:
            walk.visit(path)
    assert not walk.problems, "\n".join(walk.problems)
    walk.resize(390)
    walk.visit("/admin/settings")
    text = walk.page.inner_text("main")
    assert "warnings.draw_redrawn.months" not in text and "\\u" not in text
    for label in ("会话空闲超时", "双随机抽查默认比例", "重抽次数", "个工作日", "默认：优秀 90"):
        assert label in text
    screenshot(walk.page, "admin-pages-390-settings-full.jpeg", full_page=True)


def test_a_bad_setting_is_named_in_chinese_and_the_typed_value_stays(
    live_server,  # noqa: F811
    browser,  # noqa: F811
    bureau,
):
    walk = _signed_in(browser, live_server)
    walk.resize(390)
    walk.visit("/admin/settings")
    page = walk.page
    page.fill("input[name='accounts.session_idle_minutes']", "5000")
    page.click("#group-accounts button[type=submit]")
    page.wait_for_selector("#group-accounts .setting.has-error")
    error = page.inner_text("#group-accounts .setting.has-error .error")
    assert error == "会话空闲超时：须为 1 到 1440 之间的整数（分钟）（收到 5000）"
    assert page.input_value("input[name='accounts.session_idle_minutes']") == "5000"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "admin-pages-390-settings-error.jpeg", full_page=True)

    page.fill("input[name='accounts.session_idle_minutes']", "45")
    page.click("#group-accounts button[type=submit]")
    page.wait_for_selector(".flash.success")
    assert "已保存“账号与登录”的 1 项设置：会话空闲超时" in page.inner_text(".flash.success")
    assert page.input_value("input[name='accounts.session_idle_minutes']") == "45"
