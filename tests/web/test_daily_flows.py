"""Each role's daily flow in a real Chromium, at a desk (1366 px) and on a phone (390 px).

On the demo bureau every role signs in, opens its home page, every to-do tile and every
menu entry. Each page must:
- not be wider than the screen at 390 px (tables scroll inside their own box);
- show no raw key, JSON escape or code-like text to the user (``\\u4f18``,
  ``login.success``, ``result_digest``, ``inspection-task:47``, ``ceil(``);
- link only to pages that answer (no 4xx/5xx, no to-do tile leading to a 403).
The public portal is walked the same way without signing in. A page with a problem is
saved as a screenshot (``tests/browsers.py``; ``RISKCTL_TEST_SCREENSHOTS=on`` saves them
all).
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

import pytest

from riskctl.accounts import operations as accounts
from riskctl.core.db import db
from tests.browsers import screenshot
from tests.demo_data import load_demo
from tests.factories import PASSWORD
from tests.web.test_browser import browser, live_server  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser

WIDTHS = (1366, 390)
ROLES = {
    # role: (display name, unit)
    "admin": ("王管理", None),
    "leader": ("刘局长", None),
    "legal": ("李法制", None),
    "officer": ("张队员", "ZD1-1"),
    "discipline": ("陈纪委", None),
    "auditor": ("周审计", None),
}
PUBLIC_FLOW = [
    "/public",
    "/public/draws",
    "/public/inspections",
    "/public/leniency",
    "/public/draws/spec",
    "/public/audit",
    "/login",
]
# Developer documentation and the algorithm's specification (it names the JSON fields a
# verifier reads) are meant to show keys; they are checked for dead links only.
NOT_READ = {"/api/docs", "/public/draws/spec"}
# Files (PDF, Excel, JSON, CSV) are downloads; HEAD-free GETs of them cost the most,
# their answers are checked by each area's own tests.
DOWNLOAD = re.compile(r"\.(pdf|xlsx|csv|json)(\?|$)|/export|/download")

RAW = {
    "JSON escape": re.compile(r"\\u[0-9a-fA-F]{4}"),
    "dotted key": re.compile(
        r"(?<![\w./-])[a-z][a-z0-9]*(?:_[a-z0-9]+)*"
        r"(?:\.[a-z][a-z0-9]*(?:_[a-z0-9]+)*)+(?![\w/-])"
    ),
    "snake_case name": re.compile(r"(?<![\w./-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w/-])"),
    "reference code": re.compile(r"(?<![\w./-])[a-z]+(?:[-_][a-z]+)*:\d+"),
    "formula": re.compile(r"\b(?:ceil|floor|round|min|max)\("),
}
FILE_NAME = re.compile(r"\.(json|pdf|xlsx|csv|txt|py|html|png|zip|cn|com|org)$")

# What a visit reads of the page, in one call: its width, its links, and its visible text
# outside <pre> (program listings), one string per text node.
PAGE_FACTS = """() => {
  const texts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || parent.closest('pre, script, style, textarea')) continue;
    if (!parent.checkVisibility()) continue;
    const text = node.textContent.trim();
    if (text) texts.push(text);
  }
  for (const field of document.querySelectorAll('input[type=text], input:not([type]), select')) {
    if (!field.checkVisibility()) continue;
    const option = field.selectedOptions && field.selectedOptions[0];
    texts.push(option ? option.text : field.value || '');
  }
  return {
    wide: document.documentElement.scrollWidth,
    hrefs: Array.from(document.querySelectorAll('a[href]'), a => a.getAttribute('href')),
    texts,
  };
}"""


@pytest.fixture
def demo(app):
    load_demo(app)
    for role, (name, unit) in ROLES.items():
        accounts.create_user(f"flow{role}", name, role, PASSWORD, unit)
    db.session.commit()


def _raw_text(texts: list[str]) -> list[str]:
    found = []
    for text in texts:
        for kind, pattern in RAW.items():
            for match in pattern.finditer(text):
                if kind == "dotted key" and FILE_NAME.search(match.group(0)):
                    continue
                found.append(f"{kind} “{match.group(0)}”")
    return found


def _shape(link: str) -> str:
    """``/leniency/12?status=x&page=2`` → ``/leniency/<n>?page&status``: one check per kind."""
    url = urlsplit(link)
    keys = sorted({part.split("=", 1)[0] for part in url.query.split("&") if part})
    return re.sub(r"\d+", "<n>", url.path) + ("?" + "&".join(keys) if keys else "")


class Walk:
    def __init__(self, base: str, context, who: str):
        self.base, self.who, self.width = base, who, WIDTHS[0]
        self.page = context.new_page()
        self.page.on("dialog", lambda dialog: dialog.dismiss())
        self.problems: list[str] = []
        self.links: dict[str, str] = {}  # link → the page it was found on
        self.visited: set[str] = set()

    def resize(self, width: int) -> None:
        self.width = width
        self.page.set_viewport_size({"width": width, "height": 900})

    def visit(self, path: str) -> list[str]:
        response = self.page.goto(f"{self.base}{path}")
        here = urlsplit(self.page.url).path
        where = f"{self.who} @{self.width} {path}"
        if response is None or response.status >= 400:
            self.problems.append(f"{where}: answered {response and response.status}")
            return []
        self.visited.add(path)
        known = len(self.problems)
        facts = self.page.evaluate(PAGE_FACTS)
        if self.width < 500 and facts["wide"] > self.width:
            self.problems.append(f"{where}: {facts['wide']} px wide at {self.width} px")
        if here not in NOT_READ:
            self.problems.extend(f"{where}: {raw}" for raw in _raw_text(facts["texts"]))
        slug = re.sub(r"\W+", "-", path).strip("-") or "home"
        shot = f"{self.who}-{self.width}-{slug}.jpeg"
        screenshot(self.page, shot, problem=len(self.problems) > known, quality=70)
        hrefs = facts["hrefs"]
        for href in hrefs:
            url = urlsplit(urljoin(f"{self.base}{path}", href))
            if url.netloc != urlsplit(self.base).netloc or not url.path:
                continue
            link = url.path + (f"?{url.query}" if url.query else "")
            self.links.setdefault(link, path)
        return hrefs

    def check_links(self, request) -> None:
        """Every link found, one per shape (``/leniency/12`` stands for ``/leniency/<n>``)."""
        shapes = {_shape(path) for path in self.visited}  # these already answered
        for link, found_on in sorted(self.links.items()):
            shape = _shape(link)
            if DOWNLOAD.search(link) or shape in shapes:
                continue
            shapes.add(shape)
            status = request.get(f"{self.base}{link}", max_redirects=3).status
            if status >= 400:
                self.problems.append(
                    f"{self.who}: {found_on} links to {link}, which answers {status}"
                )


EXTRA = {
    "legal": ["/inspections/plans/new"],
}


def _flow(walk: Walk) -> None:
    """Home, every to-do tile, every menu entry, and the first plan a list links to."""
    walk.visit("/")
    tiles = walk.page.eval_on_selector_all(
        "main a.stat[href], main .todo a[href]", "links => links.map(a => a.getAttribute('href'))"
    )
    menu = walk.page.eval_on_selector_all(
        ".mainnav a[href]", "links => links.map(a => a.getAttribute('href'))"
    )
    seen = {"/"}
    for path in [*tiles, *menu, *EXTRA.get(walk.who, [])]:
        if path not in seen:
            seen.add(path)
            hrefs = walk.visit(path)
            if path.rstrip("/") == "/inspections":
                plans = [h for h in hrefs if h.startswith("/inspections/plans/SJ-")]
                if plans and plans[-1] not in seen:
                    seen.add(plans[-1])
                    walk.visit(plans[-1])


# One test per flow (the public portal, then each role), so that xdist spreads them.
FLOWS = ["public", *ROLES]


@pytest.mark.parametrize("flow", FLOWS)
def test_every_roles_daily_flow_fits_the_screen_speaks_chinese_and_links_only_to_live_pages(
    live_server,  # noqa: F811
    browser,  # noqa: F811
    demo,
    flow,
):
    context = browser.new_context(viewport={"width": WIDTHS[0], "height": 900})
    walk = Walk(live_server, context, flow)
    if flow == "public":
        for width in WIDTHS:
            walk.resize(width)
            for path in PUBLIC_FLOW:
                walk.visit(path)
    else:
        walk.visit("/login")
        walk.page.fill("input[name=username]", f"flow{flow}")
        walk.page.fill("input[name=password]", PASSWORD)
        walk.page.click("button[type=submit]")
        walk.page.wait_for_selector("h1:has-text('工作台')")
        for width in WIDTHS:
            walk.resize(width)
            _flow(walk)
    walk.check_links(context.request)
    context.close()
    assert not walk.problems, "\n".join(walk.problems)
