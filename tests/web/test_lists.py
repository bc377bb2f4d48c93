"""Every list page sorts by its column headers, keeps its filters in every link, pages,
shows a trail back to the home page, and says why it is empty (riskctl.core.listing)."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta
from decimal import Decimal
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest

from riskctl.core import clock
from riskctl.core.db import db
from riskctl.inspections.models import ConflictDeclaration, InspectionItem
from tests.factories.inspections import plan_with_draw, roster
from tests.factories.leniency import leniency_item, leniency_record, refusal
from tests.factories.rectification import make_item
from tests.factories.reviews import review_campaign, reviewed_file
from tests.factories.risks import risk_point
from tests.factories.warnings import make_warning
from tests.snapshots import seed_once


class Grid(HTMLParser):
    """The first ``table.grid`` of a page: its header cells (with their sort link) and rows."""

    def __init__(self) -> None:
        super().__init__()
        self.headers: list[tuple[str, str | None]] = []
        self.rows: list[list[str]] = []
        self._depth = 0  # inside the first grid table
        self._done = False
        self._cell: list[str] | None = None
        self._link: str | None = None
        self._in_head = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self._done:
            return
        if tag == "table":
            if self._depth or "grid" in (attrs.get("class") or "").split():
                self._depth += 1
            return
        if not self._depth:
            return
        if tag == "thead":
            self._in_head = True
        elif tag == "tr" and not self._in_head:
            self.rows.append([])
        elif tag in ("th", "td"):
            self._cell, self._link = [], None
        elif tag == "a" and self._cell is not None and self._in_head:
            self._link = attrs.get("href")

    def handle_endtag(self, tag):
        if self._done or not self._depth:
            return
        if tag == "table":
            self._depth -= 1
            self._done = self._depth == 0
        elif tag == "thead":
            self._in_head = False
        elif tag in ("th", "td") and self._cell is not None:
            text = " ".join("".join(self._cell).split())
            if self._in_head:
                self.headers.append((text, self._link))
            elif self.rows:
                self.rows[-1].append(text)
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def grid(page: str) -> Grid:
    """The page's list: the first grid table sorted by ``?sort=`` (else the first grid)."""
    start, tables = 0, []
    while (found := page.find('<table class="grid', start)) >= 0:
        parser = Grid()
        parser.feed(page[found:])
        tables.append(parser)
        start = found + 1
    sortable = [t for t in tables if any(_main_sort(link) for _, link in t.headers)]
    return (sortable or tables or [Grid()])[0]


def _main_sort(link: str | None) -> bool:
    """A header sorting the page's list (``?sort=``), not a detail table (``?tasks_sort=``,
    whose links keep the list's ``sort`` too)."""
    if not link:
        return False
    keys = parse_qs(urlsplit(html.unescape(link)).query)
    return "sort" in keys and not any(key.endswith("_sort") for key in keys)


def sort_keys(table: Grid) -> list[tuple[int, str]]:
    """(column index, sort key) of every sortable header."""
    keys = []
    for index, (_, link) in enumerate(table.headers):
        if _main_sort(link):
            keys.append((index, parse_qs(urlsplit(html.unescape(link)).query)["sort"][0]))
    return keys


@pytest.fixture
def seeded(app, request, bureau):
    """Two of everything a list shows, differing in every column that can differ."""
    seed_once(app, request, bureau, "lists", lambda: _seed(bureau))
    return bureau


def _seed(bureau) -> None:
    today = clock.today()
    risk_point("ZD1-1", "占道经营选择性执法", 3, 3, today - timedelta(days=40), today)
    risk_point("ZD2-1", "罚没款不开票据", 1, 1, today - timedelta(days=30), today)
    first, second = leniency_item("MF-01", "店外经营"), leniency_item("MF-02", "乱堆物料")
    one = leniency_record(first, "ZD1-1", today - timedelta(days=20))
    two = leniency_record(second, "ZD2-1", today - timedelta(days=10), ground="minor")
    refusal(one, today - timedelta(days=5))
    refusal(two, today - timedelta(days=3))
    make_item(bureau, "ZD1-1", title="甲事项整改", days=5, ref="YJ-1")
    make_item(bureau, "ZD2-1", title="乙事项整改", days=15, ref="YJ-2")
    make_warning(bureau, unit="ZD1-1", subject="unit:ZD1-1", title="一中队整改超期")
    make_warning(
        bureau, unit="ZD2-1", subject="unit:ZD2-1", title="环卫中队整改超期", colour="yellow"
    )
    plan_with_draw("SJ-2026-01", today - timedelta(days=30), [{"class": "A"}, {"class": "A"}])
    plan_with_draw(
        "SJ-2026-02",
        today - timedelta(days=3),
        [
            {"class": "A", "result": "no_problem", "inspected_on": today - timedelta(days=2)},
            {"class": "A", "result": "no_problem", "inspected_on": today - timedelta(days=1)},
        ],
    )
    target, inspector, other = roster("ZD2-1")
    db.session.add_all(
        [
            ConflictDeclaration(
                inspector_id=inspector.id,
                target_id=target.id,
                relation="近亲属关系",
                reason="配偶经营",
                recorded_by="legal",
            ),
            ConflictDeclaration(
                inspector_id=other.id,
                target_id=target.id,
                relation="曾处理该对象案件",
                reason="一年内办理过该店案件",
                recorded_by="legal",
            ),
            InspectionItem(
                code="SX-01",
                name="市容环境卫生责任区检查",
                legal_basis="《城市市容和环境卫生管理条例》",
                ratio=Decimal("0.05"),
                frequency="每年一次",
                category="key",
            ),
            InspectionItem(
                code="SX-02",
                name="户外广告设置检查",
                legal_basis="《广告法》",
                ratio=Decimal("0.10"),
                frequency="每半年一次",
                category="general",
            ),
        ]
    )
    db.session.commit()
    early = review_campaign("PC-2025-H2", date(2025, 7, 1), date(2025, 12, 31))
    late = review_campaign("PC-2026-H1", date(2026, 1, 1), date(2026, 6, 30))
    reviewed_file(late, "ZD1-1", 92, "优秀", confirmed=today - timedelta(days=9))
    reviewed_file(late, "ZD2-1", 71, "合格", confirmed=today - timedelta(days=4))
    reviewed_file(early, "ZD1-2", 80, "良好", confirmed=today - timedelta(days=6))


# (who, list URL, a filter matching every seeded row, rows the seeded list shows at least).
LISTS = [
    ("discipline", "/risks/", "status=all", 2),
    ("discipline", "/risks/quality", "rule=", 1),
    ("discipline", "/leniency", "ground=", 2),
    ("legal", "/leniency/refusals", "from=2000-01-01", 2),
    ("legal", "/leniency/pending-review", "", 0),
    ("legal", "/leniency/items", "", 2),
    ("discipline", "/rectification/", "source=warning", 2),
    ("discipline", "/warnings", "status=", 2),
    ("legal", "/inspections/", "status=drawn", 2),
    ("legal", "/inspections/items", "", 2),
    ("legal", "/inspections/targets", "status=all", 5),
    ("legal", "/inspections/inspectors", "status=all", 2),
    ("legal", "/inspections/plans/SJ-2026-01/tasks", "state=", 2),
    ("legal", "/inspections/worklist?kind=due_soon", "", 0),
    ("legal", "/inspections/overdue", "", 0),
    ("legal", "/inspections/conflicts", "q=ZF", 2),
    ("legal", "/reviews/", "", 2),
    ("legal", "/reviews/case-files", "q=城管", 3),
    ("legal", "/reviews/campaigns/PC-2026-H1", "status=", 2),
    ("legal", "/reviews/pending", "", 0),
    ("legal", "/reviews/reviewers", "", 0),
    ("officer", "/reviews/my", "", 0),
    ("leader", "/reports/", "", 0),
    ("admin", "/admin/users", "q=", 6),
    ("admin", "/admin/units", "", 8),
    ("admin", "/admin/tokens", "", 6),
    ("auditor", "/audit", "action=", 10),
    ("legal", "/account/tokens", "", 1),
    ("legal", "/imports/waiting", "", 0),
    (None, "/public/draws", "q=SJ", 2),
    (None, "/public/inspections", "", 2),
    (None, "/public/leniency", "", 2),
    (None, "/public/audit", "", 0),
]


def _client(role, login, client):
    return login(role) if role else client


def _with(url: str, query: str) -> str:
    return url + ("&" if "?" in url else "?") + query


@pytest.mark.parametrize(("role", "url", "flt", "rows"), LISTS, ids=[u for _, u, _, _ in LISTS])
def test_every_column_header_sorts_both_ways(seeded, login, client, role, url, flt, rows):
    who = _client(role, login, client)
    page = who.get(url)
    assert page.status_code == 200
    table = grid(page.get_data(as_text=True))
    assert len(table.rows) >= rows
    keys = sort_keys(table)
    assert keys or not rows, f"{url}: no sortable column"
    reversed_somewhere = False
    for index, key in keys:
        up, down = (who.get(_with(url, f"sort={key}&dir={way}")) for way in ("asc", "desc"))
        assert up.status_code == down.status_code == 200, (url, key)
        ups = [r[index] for r in grid(up.get_data(as_text=True)).rows if len(r) > index]
        downs = [r[index] for r in grid(down.get_data(as_text=True)).rows if len(r) > index]
        assert sorted(ups) == sorted(downs)  # the same rows, only reordered
        if len(ups) >= 2 and len(set(ups)) == len(ups):
            assert downs == ups[::-1], (url, key, ups, downs)
            reversed_somewhere = True
    if rows >= 2:
        assert reversed_somewhere, f"{url}: no header changed the order"


@pytest.mark.parametrize(("role", "url", "flt", "rows"), LISTS, ids=[u for _, u, _, _ in LISTS])
def test_a_bad_sort_or_direction_is_ignored_not_a_500(seeded, login, client, role, url, flt, rows):
    who = _client(role, login, client)
    plain = grid(who.get(url).get_data(as_text=True)).rows
    for query in ("sort=password_hash", "sort=id;drop table users", "sort=&dir=sideways"):
        response = who.get(_with(url, query))
        assert response.status_code == 200, (url, query)
        assert grid(response.get_data(as_text=True)).rows == plain  # the default order
    bad_page = who.get(_with(url, "page=abc"))
    assert bad_page.status_code == 400 and "page" in bad_page.get_data(as_text=True)


@pytest.mark.parametrize(("role", "url", "flt", "rows"), LISTS, ids=[u for _, u, _, _ in LISTS])
def test_paging_links_keep_the_filters_and_the_order(seeded, login, client, role, url, flt, rows):
    if rows < 2:
        pytest.skip("one page only")
    who = _client(role, login, client)
    key = sort_keys(grid(who.get(url).get_data(as_text=True)))[0][1]
    query = "&".join(q for q in (flt, f"sort={key}&dir=desc&per_page=1") if q)
    page = who.get(_with(url, query)).get_data(as_text=True)
    assert re.search(r"共 \d+ (条|件) · 第 1 / \d+ 页", page)
    link = re.search(r'<a rel="next" href="([^"]+)">下一页</a>', page)
    assert link, url
    following = parse_qs(urlsplit(html.unescape(link[1])).query, keep_blank_values=True)
    assert following["page"] == ["2"] and following["sort"] == [key]
    assert following["dir"] == ["desc"] and following["per_page"] == ["1"]
    for name, value in parse_qs(flt, keep_blank_values=True).items():
        assert following[name] == value, (url, name)
    second = who.get(html.unescape(link[1])).get_data(as_text=True)
    assert re.search(r"第 2 / \d+ 页", second)
    assert '<a rel="prev"' in second


@pytest.mark.parametrize(("role", "url", "flt", "rows"), LISTS, ids=[u for _, u, _, _ in LISTS])
def test_every_list_has_a_trail_home(seeded, login, client, role, url, flt, rows):
    page = _client(role, login, client).get(url).get_data(as_text=True)
    trail = re.search(r'<nav class="breadcrumbs" aria-label="当前位置">(.*?)</nav>', page, re.S)
    assert trail, url
    home = '<a href="/public">公开信息</a>' if role is None else '<a href="/">首页</a>'
    assert trail[1].startswith(home) and 'aria-current="page"' in trail[1]


def test_sorting_the_register_orders_its_values(seeded, login):
    client = login("discipline")

    def titles(query: str) -> list[str]:
        return [r[4] for r in grid(client.get(f"/risks/?{query}").get_data(as_text=True)).rows]

    assert titles("sort=id&dir=asc") == ["占道经营选择性执法", "罚没款不开票据"]
    assert titles("sort=id&dir=desc") == ["罚没款不开票据", "占道经营选择性执法"]
    assert titles("sort=level&dir=desc") == ["占道经营选择性执法", "罚没款不开票据"]  # 高 first
    assert titles("sort=level&dir=asc") == ["罚没款不开票据", "占道经营选择性执法"]
    page = client.get("/risks/?sort=level&dir=desc").get_data(as_text=True)
    assert 'aria-sort="descending"' in page and '等级<span class="sort-mark"' in page


def test_the_quality_check_sorts_its_problems_by_their_chinese_names(seeded, login):
    today = clock.today()
    risk_point("ZD2-1", "公物私用", 1, 1, today - timedelta(days=50), today - timedelta(days=5))
    client = login("discipline")

    def rows(query: str) -> list[tuple[str, str]]:
        page = client.get(f"/risks/quality?{query}").get_data(as_text=True)
        return [(r[1].split(" ", 1)[1], r[3]) for r in grid(page).rows]

    by_name = [("公物私用", "评估逾期"), ("占道经营选择性执法", "高风险点缺少有责任人和时限的措施")]
    assert rows("") == [by_name[1], by_name[0]]  # the register's order: unit first
    assert rows("sort=rule&dir=asc") == by_name  # 评 before 高, whatever the rule keys say
    assert rows("sort=rule&dir=desc") == by_name[::-1]
    assert rows("sort=level&dir=desc") == by_name[::-1]  # 高 first
    assert rows("sort=unit&dir=desc") == by_name
    page = client.get("/risks/quality?rule=measure_overdue").get_data(as_text=True)
    assert "没有符合当前筛选条件的质量问题" in page and "清除筛选" in page


def test_the_users_sort_by_name_and_filter_by_role(seeded, login):
    client = login("admin")
    names = [
        r[0] for r in grid(client.get("/admin/users?sort=username").get_data(as_text=True)).rows
    ]
    assert names == sorted(names) and len(names) == 6
    back = [
        r[0]
        for r in grid(client.get("/admin/users?sort=username&dir=desc").get_data(as_text=True)).rows
    ]
    assert back == names[::-1]
    legal = grid(client.get("/admin/users?role=legal").get_data(as_text=True)).rows
    assert [r[0] for r in legal] == ["legal"]


def test_empty_lists_say_why_and_offer_the_first_step(bureau, login):
    discipline = login("discipline")
    page = discipline.get("/risks/").get_data(as_text=True)
    assert "暂无数据：还没有在用的廉政风险点" in page
    assert '<a class="button primary" href="/risks/new">登记第一个风险点</a>' in page
    assert "清除筛选" not in page
    leader = login("leader").get("/risks/").get_data(as_text=True)
    assert "还没有在用的廉政风险点" in leader and "/risks/new" not in leader.split("</form>")[-1]
    officer = login("officer").get("/leniency").get_data(as_text=True)
    assert "录入第一条免罚决定" in officer and 'href="/leniency/new"' in officer
    legal = login("legal").get("/inspections/").get_data(as_text=True)
    assert "新建第一个抽查计划" in legal


def test_a_filter_matching_nothing_offers_to_clear_it(seeded, login):
    client = login("discipline")
    page = client.get("/risks/?q=不存在的关键词&sort=title").get_data(as_text=True)
    assert "暂无数据：没有符合当前筛选条件的在用的廉政风险点" in page
    assert '<a href="/risks/">清除筛选</a>' in page
    assert "登记第一个风险点" not in page
    tasks = client.get("/inspections/plans/SJ-2026-01/tasks?state=published").get_data(as_text=True)
    assert '<a href="/inspections/plans/SJ-2026-01/tasks">清除筛选</a>' in tasks
    past = client.get("/risks/?page=9").get_data(as_text=True)
    assert "第 9 页没有内容" in past and '<a href="/risks/">回到第一页</a>' in past


def test_the_recusal_page_links_to_its_sections(seeded, login):
    page = login("legal").get("/inspections/conflicts").get_data(as_text=True)
    jump = re.search(r'<nav class="jump card" aria-label="本页内容">(.*?)</nav>', page, re.S)
    assert jump
    for anchor in ("#conflicts", "#new-conflict", "#recusals", "#new-recusal"):
        assert f'href="{anchor}"' in jump[1]
        assert f'id="{anchor[1:]}"' in page
    assert "#new-recusal" not in login("leader").get("/inspections/conflicts").get_data(
        as_text=True
    )
