"""On a phone (390 px), the legal office previews a roster import, leaves it waiting,
finds it from the home page's 待确认的导入 tile, reopens it and confirms it."""

from __future__ import annotations

import io

import openpyxl
import pytest
from sqlalchemy import select

from riskctl.core.db import db
from riskctl.inspections.models import Target
from riskctl.inspections.rosters.imports import import_roster
from tests.browsers import screenshot
from tests.factories import PASSWORD
from tests.inspections.conftest import TARGET_HEADER, csv_bytes, target_row
from tests.web.test_browser import browser, live_server  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser
WIDTH = 390


def _fits(page, what: str) -> None:
    screenshot(page, f"import-{WIDTH}-{what}.png", full_page=True)
    wide = page.evaluate("document.documentElement.scrollWidth")
    assert wide <= WIDTH, f"{what}: {wide} px wide at {WIDTH} px"


def test_a_roster_import_waits_reopens_and_is_confirmed_on_a_phone(
    live_server,  # noqa: F811
    browser,  # noqa: F811
    bureau,
    tmp_path,
):
    import_roster(
        "targets", csv_bytes(TARGET_HEADER, [target_row(i) for i in range(3)]), "t.csv", None, "x"
    )
    db.session.commit()
    changed = target_row(1, klass="D")
    changed[1] = "新华路商户（名称很长的一家个体工商户，用来检查窄屏上表格是否在自己的框内滚动）"
    book = openpyxl.Workbook()
    for row in (TARGET_HEADER, target_row(0), changed, target_row(8)):
        book.active.append(row)
    path = tmp_path / "名录.xlsx"
    buffer = io.BytesIO()
    book.save(buffer)
    path.write_bytes(buffer.getvalue())

    context = browser.new_context(viewport={"width": WIDTH, "height": 800})
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(f"{live_server}/login")
    page.fill("input[name=username]", "legal")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("h1:has-text('工作台')")

    page.goto(f"{live_server}/inspections/targets/import")
    page.set_input_files("input[type=file]", str(path))
    page.click("button:has-text('检查文件')")
    page.wait_for_selector("#preview-changed")
    assert "新增 1 行" in page.inner_text("#preview-new")
    changes = page.inner_text(".preview-changed")
    assert "信用风险等级" in changes and "→ D" in changes
    assert "T00002" in page.inner_text(".preview-deactivated")
    _fits(page, "preview")

    # Left unconfirmed: the home page counts it and its tile opens the list.
    page.goto(f"{live_server}/")
    tile = page.locator("a.stat:has-text('待确认的导入')")
    assert tile.locator(".value").inner_text() == "1"
    _fits(page, "home")
    tile.click()
    page.wait_for_selector("h1:has-text('待确认的导入')")
    assert "检查对象名录库" in page.inner_text("table.staged")
    _fits(page, "waiting")

    page.click("a:has-text('查看预览并确认')")
    page.wait_for_selector("#preview-new")
    page.check("input[name=missing][value=keep]")
    page.click("button:has-text('确认导入')")
    page.wait_for_selector(".flash.success")
    assert "导入完成：新增 1，更新 1" in page.inner_text(".flash.success")
    _fits(page, "done")
    context.close()
    db.session.expire_all()
    assert db.session.scalar(select(Target.credit_class).where(Target.code == "T00001")) == "D"


def test_a_draft_plan_is_edited_on_a_phone(live_server, browser, api, bureau):  # noqa: F811
    from tests.inspections.conftest import create_plan, load_roster

    load_roster()
    create_plan(api("legal"))
    context = browser.new_context(viewport={"width": WIDTH, "height": 800})
    page = context.new_page()
    page.goto(f"{live_server}/login")
    page.fill("input[name=username]", "legal")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("h1:has-text('工作台')")
    page.goto(f"{live_server}/inspections/plans/SJ-T-01")
    page.click("a:has-text('修改草稿')")
    page.wait_for_selector("h1:has-text('修改抽查计划')")
    _fits(page, "plan-edit")
    page.fill("input[name=name]", "手机上改名的计划")
    page.fill("input[name=team_size]", "1")
    page.click("button:has-text('保存修改')")
    page.wait_for_selector(".error")  # refused, the input kept
    assert page.input_value("input[name=name]") == "手机上改名的计划"
    _fits(page, "plan-edit-refused")
    page.fill("input[name=team_size]", "3")
    page.click("button:has-text('保存修改')")
    page.wait_for_selector(".flash.success")
    assert "手机上改名的计划" in page.inner_text("h1")
    context.close()
