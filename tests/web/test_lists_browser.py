"""A list in a real Chromium, on a desk and on a phone: a header click sorts it, the pager
keeps the order and the filters, and the page never gets wider than the screen."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from riskctl.core import clock
from tests.browsers import screenshot
from tests.factories import PASSWORD
from tests.factories.risks import risk_point
from tests.web.test_browser import browser, live_server  # noqa: F401 (fixtures)
from tests.web.test_lists import seeded  # noqa: F401 (fixture)

pytestmark = pytest.mark.browser

TITLES = ["暂扣物品登记不全", "案件审核走过场", "罚没款不开票据", "占道经营选择性执法"]


def _sign_in(browser, base: str, width: int, username: str):  # noqa: F811
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("h1:has-text('工作台')")
    return page


def _titles(page) -> list[str]:
    return page.locator("table.grid tbody tr td:nth-child(5)").all_inner_texts()


def _width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


@pytest.mark.parametrize("width", [1366, 390])
def test_a_header_sorts_and_the_pager_keeps_order_and_filters(
    live_server,  # noqa: F811
    browser,  # noqa: F811
    bureau,
    width,
):
    today = clock.today()
    for n, title in enumerate(TITLES):
        risk_point("ZD1-1", title, 1 + n % 3, 2, today - timedelta(days=40 - n), today)
    page = _sign_in(browser, live_server, width, "discipline")
    page.goto(f"{live_server}/risks/?status=active&per_page=3")
    assert page.locator(".pager").inner_text().startswith("共 4 条 · 第 1 / 2 页")

    page.click("th.sortable a:has-text('编号')")
    page.wait_for_url("**sort=id**")
    up = _titles(page)
    assert up == TITLES[:3]
    page.click("th.sortable a:has-text('编号')")  # again: the other way round
    page.wait_for_url("**dir=desc**")
    assert _titles(page) == TITLES[::-1][:3]
    assert page.locator("th[aria-sort=descending]").inner_text().startswith("编号")
    assert _width(page) <= width
    screenshot(page, f"lists-risks-sorted-{width}.png", full_page=True)

    page.click(".pager a:has-text('下一页')")
    page.wait_for_url("**page=2**")
    query = parse_qs(urlsplit(page.url).query)
    assert query["sort"] == ["id"] and query["dir"] == ["desc"]
    assert query["status"] == ["active"] and query["per_page"] == ["3"]
    assert _titles(page) == [TITLES[0]]
    assert "第 2 / 2 页" in page.locator(".pager").inner_text()
    assert _width(page) <= width
    screenshot(page, f"lists-risks-page2-{width}.png", full_page=True)


def test_on_a_phone_the_recusals_are_one_tap_away(
    live_server,  # noqa: F811
    browser,  # noqa: F811
    seeded,  # noqa: F811
):
    page = _sign_in(browser, live_server, 390, "legal")
    page.goto(f"{live_server}/inspections/conflicts")
    jump = page.locator("nav.jump a:has-text('登记当事人回避申请')")
    box = jump.bounding_box()
    assert box is not None and box["y"] + box["height"] < 900  # on the first screen
    jump.click()
    page.wait_for_url("**#new-recusal")
    form = page.locator("#new-recusal").bounding_box()
    assert form is not None and 0 <= form["y"] < 900  # scrolled into view
    assert _width(page) <= 390
    screenshot(page, "lists-recusals-390.png")


def _lines(page, selector: str) -> list[int]:
    """How many lines each matched inline element wraps over."""
    return page.eval_on_selector_all(selector, "els => els.map(e => e.getClientRects().length)")


def test_on_a_phone_narrow_tables_read_without_tall_rows(
    live_server,  # noqa: F811
    browser,  # noqa: F811
    seeded,  # noqa: F811
):
    # The warning counts by unit: the numbers keep their width, each name stays on one line.
    page = _sign_in(browser, live_server, 390, "discipline")
    page.goto(f"{live_server}/warnings")
    names = _lines(page, "table.grid.counts tbody td:first-child a")
    assert len(names) >= 3 and set(names) == {1}
    assert _width(page) <= 390
    screenshot(page, "lists-warnings-counts-390.png", full_page=True)
    page.close()
    # The users: one card per user, nothing to scroll sideways, the sort links kept.
    for width, display in ((390, "block"), (1366, "table-row")):
        page = _sign_in(browser, live_server, width, "admin")
        page.goto(f"{live_server}/admin/users")
        box = page.eval_on_selector(
            ".table-scroll:has(> table.grid.stack)", "b => [b.scrollWidth, b.clientWidth]"
        )
        assert box[0] <= box[1]
        rows = page.eval_on_selector_all(
            "table.grid.stack tbody tr", "rs => rs.map(r => getComputedStyle(r).display)"
        )
        assert len(rows) >= 6 and set(rows) == {display}
        assert page.locator("table.grid.stack th.sortable a").count() == 5
        label = page.eval_on_selector(
            "table.grid.stack td[data-label]", "td => getComputedStyle(td, '::before').content"
        )
        assert label == ('"角色："' if width == 390 else "none")
        screenshot(page, f"lists-users-stacked-{width}.png", full_page=True)
        page.close()
