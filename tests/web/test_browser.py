"""A real Chromium signs in through the login page and sees the dashboard."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator

import pytest
from werkzeug.serving import make_server

from tests.browsers import CHROMIUM

pytestmark = pytest.mark.browser


@pytest.fixture
def live_server(app) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()


@pytest.fixture
def browser(request):
    """The worker's Chromium (``tests/browsers.py``); every context the test opened is
    closed after it, so the next test starts with no cookie, storage or page."""
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail("Chromium is missing at /usr/bin/chromium (.ci/run installs it)")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    chromium = request.getfixturevalue("chromium")
    try:
        yield chromium
    finally:
        for context in chromium.contexts:
            context.close()


def test_a_user_logs_in_and_sees_the_dashboard(live_server, browser, bureau):
    page = browser.new_page()
    page.goto(f"{live_server}/")
    assert "/login" in page.url  # not signed in: sent to the login page
    page.fill("input[name=username]", "discipline")
    page.fill("input[name=password]", "wrong-password-1")
    page.click("button[type=submit]")
    assert page.locator(".flash.error").inner_text() == "用户名或密码错误"

    page.fill("input[name=username]", "discipline")
    page.fill("input[name=password]", "correct-horse-42")
    page.click("button[type=submit]")
    page.wait_for_selector("h1:has-text('工作台')")
    assert page.locator(".who").inner_text().startswith("discipline（机关纪委")
    assert page.locator(".stat").count() >= 1

    page.click("button:has-text('退出')")
    page.wait_for_selector("h1:has-text('登录')")
