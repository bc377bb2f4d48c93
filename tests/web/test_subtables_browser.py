"""A detail page's own tables and the new links in a real Chromium at phone width: the
sub-table pager moves that table only, and no page gets wider than the screen."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from riskctl.core import clock
from tests.browsers import screenshot
from tests.draws.conftest import lock
from tests.factories.inspections import plan_with_draw
from tests.factories.warnings import make_warning
from tests.inspections.conftest import TARGET_HEADER, target_row
from tests.web.test_browser import browser, live_server  # noqa: F401 (fixtures)
from tests.web.test_import_previews import _book
from tests.web.test_lists_browser import _sign_in, _width

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [390])
def test_sub_tables_page_apart_and_fit_a_phone(
    live_server,  # noqa: F811
    browser,  # noqa: F811
    bureau,
    tmp_path,
    width,
):
    plan_with_draw(
        "SJ-2026-88", clock.today() - timedelta(days=2), [{"class": "A"} for _ in range(23)]
    )
    warning = make_warning(bureau)
    for n in range(3):
        lock(subject=f"PC-2026-{n:02d}", kind="review")

    page = _sign_in(browser, live_server, width, "legal")
    page.goto(f"{live_server}/inspections/plans/SJ-2026-88")
    page.click("#tasks ~ nav.pager a:has-text('下一页')")
    page.wait_for_url("**tasks_page=2**")
    assert parse_qs(urlsplit(page.url).query) == {"tasks_page": ["2"]}
    assert urlsplit(page.url).fragment == "tasks"
    assert page.locator("table.grid >> text=临街商户").count() == 3
    assert _width(page) <= width
    screenshot(page, f"subtables-plan-{width}.png", full_page=True)

    page.goto(f"{live_server}/warnings/{warning.id}?history_sort=at&history_dir=desc")
    assert page.locator("#history").is_visible()
    assert _width(page) <= width
    screenshot(page, f"subtables-warning-{width}.png", full_page=True)

    page.goto(f"{live_server}/public/draws?pending_sort=subject&pending_dir=asc")
    pending = page.locator("table.pending tbody tr td:nth-child(3)").all_inner_texts()
    assert pending == ["PC-2026-00", "PC-2026-01", "PC-2026-02"]
    assert _width(page) <= width
    screenshot(page, f"subtables-public-draws-{width}.png", full_page=True)

    upload = tmp_path / "名录.xlsx"
    upload.write_bytes(_book(TARGET_HEADER, [target_row(n) for n in range(3)]))
    page.goto(f"{live_server}/inspections/targets/import")
    page.set_input_files("input[type=file]", str(upload))
    page.click("form[enctype] button[type=submit]")
    page.wait_for_selector("text=下载完整预览（.xlsx）")
    with page.expect_download() as download:
        page.click("text=下载完整预览（.xlsx）")
    assert download.value.suggested_filename.endswith(".xlsx")
    assert _width(page) <= width
    screenshot(page, f"subtables-import-preview-{width}.png", full_page=True)
