"""One Chromium per test worker (a pytest plugin, loaded by ``tests/conftest.py``), and
the browser tests' screenshots.

Starting Playwright and Chromium took about two seconds per browser test; the worker now
starts them once, and each test still gets a fresh context (``browser.new_page()`` or
``browser.new_context()``), closed after it by the ``browser`` fixture
(``tests/web/test_browser.py``): no cookie, storage or page carries over.

Screenshots go to ``ARTIFACTS`` as Playwright Test's ``screenshot`` option does:
``RISKCTL_TEST_SCREENSHOTS=on`` saves every shot the tests take (each page of each
role's daily flow at both widths: a picture book of the service to look through), the
default ``only-on-failure`` saves every open page of a browser test that failed (and
the daily flows' pages that had a problem). A screenshot was about a fifth of a browser
test's time.
"""

from __future__ import annotations

import os
import re
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
ARTIFACTS = Path(os.environ.get("RISKCTL_TEST_ARTIFACTS", "test-artifacts")) / "browser"
SCREENSHOTS = os.environ.get("RISKCTL_TEST_SCREENSHOTS", "only-on-failure")
if SCREENSHOTS not in ("on", "only-on-failure"):
    raise ValueError(f"RISKCTL_TEST_SCREENSHOTS: 'on' or 'only-on-failure', not {SCREENSHOTS!r}")


def screenshot(page, name: str, *, problem: bool = False, **options) -> None:
    """Save ``page`` as ``ARTIFACTS/name`` (its type from the suffix) when screenshots are
    ``on``, or when ``problem`` says this page is why the test will fail."""
    if SCREENSHOTS == "on" or problem:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / name), **options)


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


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """A browser test that failed: every page it still has open, saved whole (its
    contexts are closed after this, at the ``browser`` fixture's teardown)."""
    report = yield
    browser = getattr(item, "funcargs", {}).get("browser")
    if report.when == "call" and report.failed and browser is not None:
        slug = re.sub(r"\W+", "-", item.name).strip("-")
        pages = [page for context in browser.contexts for page in context.pages]
        for n, page in enumerate(pages):
            try:
                screenshot(page, f"failed-{slug}-{n}.png", problem=True, full_page=True)
            except Exception as exc:  # a crashed or closed page: the report says why
                report.sections.append(("screenshot", f"page {n}: {exc}"))
    return report
