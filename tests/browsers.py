"""One Chromium per test worker (a pytest plugin, loaded by ``tests/conftest.py``).

Starting Playwright and Chromium took about two seconds per browser test; the worker now
starts them once, and each test still gets a fresh context (``browser.new_page()`` or
``browser.new_context()``), closed after it by the ``browser`` fixture
(``tests/web/test_browser.py``): no cookie, storage or page carries over.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def chromium() -> Iterator:
    """The worker's Chromium, started at its first browser test; use ``browser``."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        try:
            yield browser
        finally:
            browser.close()
