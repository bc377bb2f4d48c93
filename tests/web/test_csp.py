"""Security headers on every response, and pages that still work under the CSP.

The policy allows scripts and styles from the service only: no inline <script>,
event-handler attribute, javascript: link or style attribute. The browser tests
drive the pages whose scripts matter in Chromium and fail on any CSP violation.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

import riskctl
from riskctl.accounts import operations as accounts
from riskctl.core.db import db
from riskctl.core.headers import CONTENT_SECURITY_POLICY
from riskctl.draws.models import Draw
from riskctl.inspections.models import Plan
from tests.demo_data import load_demo
from tests.factories import PASSWORD
from tests.web.test_browser import browser, live_server  # noqa: F401 (fixtures)

TEMPLATES = sorted(Path(riskctl.__file__).parent.rglob("templates/**/*.html"))
INLINE = {
    "inline script": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I),
    "event handler": re.compile(r"\son[a-z]+\s*=", re.I),
    "javascript: link": re.compile(r"javascript:", re.I),
    "style attribute": re.compile(r"\sstyle\s*=", re.I),
    "style element": re.compile(r"<style", re.I),
}


@pytest.mark.parametrize("url", ["/login", "/public/draws", "/api/v1/health", "/no-such-page"])
def test_every_response_carries_the_security_headers(client, url):
    headers = client.get(url).headers
    assert headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "frame-ancestors 'none'" in CONTENT_SECURITY_POLICY
    assert "script-src 'self';" in CONTENT_SECURITY_POLICY
    assert "unsafe-inline" not in CONTENT_SECURITY_POLICY
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"


def test_no_template_holds_inline_script_or_style():
    found = [
        f"{path.relative_to(Path(riskctl.__file__).parent)}: {kind}"
        for path in TEMPLATES
        for kind, pattern in INLINE.items()
        if pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert TEMPLATES and found == []


# In Chromium ----------------------------------------------------------------------------


@pytest.fixture
def demo(app):
    load_demo(app)
    squad = "ZD1-1" if _unit_exists("ZD1-1") else None
    for role in ("legal", "officer", "admin", "discipline"):
        accounts.create_user(
            f"csp_{role}", role, role, PASSWORD, squad if role == "officer" else None
        )
    db.session.commit()


def _unit_exists(code: str) -> bool:
    from riskctl.accounts.models import Unit

    return db.session.scalar(select(Unit.id).where(Unit.code == code)) is not None


class Watched:
    """A page whose CSP violations (reported by the browser) are collected."""

    def __init__(self, chromium, base: str):
        self.page = chromium.new_page()
        self.base = base
        self.violations: list[str] = []
        self.page.on(
            "console",
            lambda m: (
                self.violations.append(m.text) if "Content Security Policy" in m.text else None
            ),
        )
        self.page.add_init_script(
            "document.addEventListener('securitypolicyviolation', e =>"
            " console.error('Content Security Policy violation: ' + e.violatedDirective))"
        )

    def goto(self, path: str) -> None:
        response = self.page.goto(f"{self.base}{path}")
        assert response is not None and response.status < 400, (path, response and response.status)
        assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY

    def login(self, username: str) -> None:
        self.goto("/login")
        self.page.fill("input[name=username]", username)
        self.page.fill("input[name=password]", PASSWORD)
        self.page.click("button[type=submit]")
        self.page.wait_for_selector("h1:has-text('工作台')")


@pytest.mark.browser
def test_the_draw_verification_runs_in_the_browser_under_the_csp(
    live_server,  # noqa: F811
    browser,  # noqa: F811
    demo,
):
    drawn = db.session.scalars(select(Draw).order_by(Draw.id)).first()
    watched = Watched(browser, live_server)
    watched.goto(f"/public/draws/{drawn.id}")
    watched.page.click("#verify-button")
    watched.page.wait_for_selector("#verify-output li:has-text('结果摘要')")
    lines = watched.page.locator("#verify-output li").all_inner_texts()
    assert lines and all(line.startswith("✓ 一致") for line in lines), lines
    assert watched.violations == []


@pytest.mark.browser
def test_the_leniency_form_checks_the_party_and_shows_the_item_under_the_csp(
    live_server,  # noqa: F811
    browser,  # noqa: F811
    demo,
):
    watched = Watched(browser, live_server)
    watched.login("csp_officer")
    watched.goto("/leniency/new")
    page = watched.page
    page.fill("#party_id", "91410100MA44XXXX0")
    page.wait_for_selector("#party-status.error")
    assert page.locator("#party-status").inner_text().startswith("✗")
    page.select_option("#item_code", index=1)
    assert page.locator("#item-info").is_visible()
    assert page.locator("#item-basis").inner_text() != ""
    assert watched.violations == []


@pytest.mark.browser
def test_a_confirmation_still_asks_before_the_plan_is_locked(
    live_server,  # noqa: F811
    browser,  # noqa: F811
    demo,
):
    draft = db.session.scalar(select(Plan).where(Plan.status == "draft"))
    watched = Watched(browser, live_server)
    watched.login("csp_legal")
    watched.goto(f"/inspections/plans/{draft.code}")
    asked: list[str] = []

    def dismiss(dialog) -> None:
        asked.append(dialog.message)
        dialog.dismiss()

    watched.page.on("dialog", dismiss)
    watched.page.click("button:has-text('锁定计划')")
    watched.page.wait_for_timeout(300)
    assert asked and asked[0].startswith(f"锁定计划 {draft.code}“{draft.name}”？锁定后名录")
    db.session.expire_all()
    assert db.session.get(Plan, draft.id).status == "draft"  # dismissed: nothing locked
    assert watched.violations == []


@pytest.mark.browser
def test_pages_render_with_their_stylesheets_and_no_violation(
    live_server,  # noqa: F811
    browser,  # noqa: F811
    demo,
):
    watched = Watched(browser, live_server)
    watched.login("csp_admin")
    watched.goto("/admin/units")
    indents = watched.page.eval_on_selector_all(
        "td[class^=indent-]", "cells => cells.map(c => getComputedStyle(c).paddingLeft)"
    )
    assert len(set(indents)) >= 2  # the tree is indented by the stylesheet
    assert watched.violations == []
    watched = Watched(browser, live_server)
    watched.login("csp_discipline")
    for path in ("/", "/risks", "/risks/heatmap", "/warnings", "/public/draws"):
        watched.goto(path)
    watched.goto("/risks")
    assert watched.page.eval_on_selector(".risk-toolbar", "e => getComputedStyle(e).display") == (
        "flex"
    )
    before = watched.page.url
    watched.page.goto(f"{live_server}/no-such-page")
    watched.page.click("a[data-back]")
    for _ in range(100):  # wait_for_function would eval a string, which the CSP refuses
        if watched.page.url == before:
            break
        watched.page.wait_for_timeout(100)
    assert watched.page.url == before
    assert watched.violations == []
