"""A detail page's own tables (a plan's tasks and re-draws, a warning's evidence and
history, a draw's rounds) sort and page apart: each reads its own ``?<prefix>page=`` and
``?<prefix>sort=``, and its links keep the other tables' state (core.listing ``prefix``)."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

from riskctl.core import audit, clock
from riskctl.core.db import db
from riskctl.inspections.models import Plan
from riskctl.leniency.models import LeniencyItemVersion
from riskctl.rectification.models import RectificationEvent
from riskctl.risks.models import RiskPointVersion
from tests.factories.draws import manifest
from tests.factories.inspections import plan_with_draw
from tests.factories.leniency import leniency_item
from tests.factories.rectification import make_item
from tests.factories.warnings import make_warning
from tests.risks.conftest import make_point


def _section(page: str, anchor: str) -> str:
    """The page from the element ``id=anchor`` to the next heading."""
    start = page.index(f'id="{anchor}"')
    end = page.find("<h2", start + 1)
    return page[start : end if end > 0 else len(page)]


def _link(section: str, label: str) -> str:
    return html.unescape(re.search(rf'href="([^"]*)"[^>]*>{label}', section)[1])


def test_a_plans_tasks_sort_and_page_apart_from_its_redraws(login, bureau):
    today = clock.today()
    classes = ["A", "B", "C"]
    plan_with_draw(
        "SJ-2026-77", today - timedelta(days=3), [{"class": classes[n % 3]} for n in range(25)]
    )
    client = login("legal")
    first = client.get("/inspections/plans/SJ-2026-77").get_data(as_text=True)
    tasks = _section(first, "tasks")
    assert "共 25 个 · 第 1 / 2 页" in tasks
    positions = re.findall(r"<tr><td>(\d+)</td>", tasks)
    assert positions == [str(n) for n in range(1, 21)]
    nxt = _link(tasks, "下一页")
    assert urlsplit(nxt).fragment == "tasks"
    assert parse_qs(urlsplit(nxt).query) == {"tasks_page": ["2"]}
    second = _section(client.get(nxt).get_data(as_text=True), "tasks")
    assert re.findall(r"<tr><td>(\d+)</td>", second) == [str(n) for n in range(21, 26)]
    # Sorting by 等级 descending: the C tasks first, and the re-draw table keeps its state.
    by_class = client.get(
        "/inspections/plans/SJ-2026-77?tasks_sort=stratum&tasks_dir=desc&redraws_sort=status"
    ).get_data(as_text=True)
    strata = re.findall(r"</a></td><td>([ABC])</td>", _section(by_class, "tasks"))
    assert strata[:8] == ["C"] * 8 and strata[8] == "B"
    assert "redraws_sort=status" in _link(_section(by_class, "tasks"), "下一页")
    redraws = by_class[by_class.index('id="redraws"') :]
    assert "暂无数据：还没有重抽申请" in redraws
    assert 'aria-sort="ascending" class="sortable sorted"' in redraws.split("</thead>")[0]
    # A page past the end says so; a bad value names its parameter.
    late = client.get("/inspections/plans/SJ-2026-77?tasks_page=9").get_data(as_text=True)
    assert "第 9 页没有内容（共 25 条，2 页）" in late
    bad = client.get("/inspections/plans/SJ-2026-77?tasks_page=x")
    assert bad.status_code == 400 and "tasks_page" in bad.get_data(as_text=True)


def test_a_warnings_history_and_evidence_page_on_their_own(login, bureau):
    evidence = [
        {"label": f"整改事项 {n}：文书问题", "kind": "rectification_item", "ref": str(n)}
        | {"args": {}}
        for n in range(1, 24)
    ]
    warning = make_warning(bureau, evidence=evidence)
    for n in range(30):
        audit.record(
            "warning.link",
            "warning",
            warning.id,
            {"proposal": f"建议新增风险点{n:02d}"},
            actor="discipline",
        )
    db.session.commit()
    client = login("discipline")
    page = client.get(f"/warnings/{warning.id}").get_data(as_text=True)
    history = _section(page, "history")
    # The raise and 30 steps: 31 lines, oldest first, 20 a page.
    assert "共 31 条 · 第 1 / 2 页" in history
    assert "新增预警" in history and "风险点18" in history and "风险点19" not in history
    older = client.get(f"/warnings/{warning.id}?history_dir=desc&history_sort=at")
    newest = _section(older.get_data(as_text=True), "history")
    assert newest.index("风险点29") < newest.index("风险点28") and "新增预警" not in newest
    nxt = _link(history, "下一页")
    assert parse_qs(urlsplit(nxt).query) == {"history_page": ["2"]}
    rest = _section(client.get(nxt).get_data(as_text=True), "history")
    assert "风险点29" in rest and "风险点18" not in rest
    # Evidence: 23 records, 20 on the first page, numbered on across pages.
    shown = _section(page, "evidence")
    assert shown.count("文书问题") == 20 and "共 23 条" in shown
    more = _section(
        client.get(f"/warnings/{warning.id}?evidence_page=2&history_page=2").get_data(as_text=True),
        "evidence",
    )
    assert "<td>21</td>" in more and more.count("文书问题") == 3
    assert "history_page=2" in _link(more, "首页")


def test_a_rectification_items_files_and_history_page_apart(login, bureau):
    item = make_item(bureau, "ZD1-1", title="甲事项整改", days=5, ref="YJ-1")
    base = clock.now()
    for n in range(24):
        db.session.add(
            RectificationEvent(
                item_id=item.id,
                kind="evidence",
                note=f"第{n:02d}次补充佐证",
                actor="officer",
                at=base + timedelta(minutes=n + 1),
            )
        )
    db.session.commit()
    client = login("discipline")
    page = client.get(f"/rectification/{item.id}").get_data(as_text=True)
    events = _section(page, "events")
    assert "第 1 / 2 页" in events and "第18次补充佐证" in events
    assert "第19次补充佐证" not in events  # oldest first, 20 a page (立项 is the first)
    files = _section(page, "files")
    assert "暂无数据：还没有佐证文件" in files and "pager" not in files
    newest = client.get(f"/rectification/{item.id}?events_sort=at&events_dir=desc&files_sort=size")
    events = _section(newest.get_data(as_text=True), "events")
    assert events.index("第23次补充佐证") < events.index("第22次补充佐证")
    assert "files_sort=size" in _link(events, "下一页")


def test_a_leniency_items_versions_page_newest_first(login, bureau):
    item = leniency_item("MF-09", "店外经营")
    for version in range(2, 26):
        db.session.add(
            LeniencyItemVersion(
                item_id=item.id,
                version=version,
                name=f"店外经营（第{version}版）",
                legal_basis=item.legal_basis,
                conditions=item.conditions,
                active=True,
                reason="修订",
                changed_by="legal",
            )
        )
    db.session.commit()
    client = login("legal")
    page = client.get("/leniency/items/MF-09").get_data(as_text=True)
    versions = _section(page, "versions")
    shown = re.findall(r"<td>第 (\d+) 版</td>", versions)
    assert shown == [str(n) for n in range(25, 5, -1)] and "共 25 版 · 第 1 / 2 页" in versions
    rest = client.get(_link(versions, "末页")).get_data(as_text=True)
    assert re.findall(r"<td>第 (\d+) 版</td>", _section(rest, "versions")) == [
        "5",
        "4",
        "3",
        "2",
        "1",
    ]


def test_the_public_locked_plans_page_and_never_link_to_a_404(client, bureau):
    base = clock.now() - timedelta(days=30)
    for n in range(22):
        frozen = manifest(f"SJ-2026-L{n:02d}", rounds=0, locked_at=base + timedelta(days=n))
        db.session.add(
            Plan(
                code=f"SJ-2026-L{n:02d}",
                name=f"锁定计划{n:02d}",
                ratios={"A": "0.05"},
                created_by="legal",
                status="locked",
                locked_at=base + timedelta(days=n),
                manifest_id=frozen.id,
            )
        )
    db.session.commit()
    page = client.get("/public/inspections").get_data(as_text=True)
    locked = _section(page, "locked")
    assert "共 22 个 · 第 1 / 2 页" in locked and locked.count("已锁定，尚未抽取") == 20
    codes = re.findall(r'href="/public/inspections/(SJ-2026-L\d\d)"', locked)
    assert codes[0] == "SJ-2026-L21" and "SJ-2026-L01" not in codes  # newest lock first
    nxt = _link(locked, "下一页")
    assert parse_qs(urlsplit(nxt).query) == {"locked_page": ["2"]}
    rest = _section(client.get(nxt).get_data(as_text=True), "locked")
    assert re.findall(r'href="/public/inspections/(SJ-2026-L\d\d)"', rest) == [
        "SJ-2026-L01",
        "SJ-2026-L00",
    ]
    # Each locked plan's page answers and says it is not drawn yet.
    for code in codes[:3]:
        shown = client.get(f"/public/inspections/{code}")
        assert shown.status_code == 200 and "尚未抽取" in shown.get_data(as_text=True)


def test_a_risk_points_versions_page_newest_first(login, bureau):
    point = make_point()
    for number in range(2, 24):
        db.session.add(
            RiskPointVersion(
                point_id=point.id,
                number=number,
                action="update",
                actor="discipline",
                reason=f"第{number}次修订",
                snapshot={},
                changes=[],
            )
        )
    db.session.commit()
    client = login("discipline")
    page = client.get(f"/risks/{point.id}").get_data(as_text=True)
    versions = page[page.index('id="versions"') :]
    assert "版本记录（共 23 版）" in versions and "共 23 版 · 第 1 / 2 页" in versions
    numbers = re.findall(r"<strong>第 (\d+) 版", versions)
    assert numbers == [str(n) for n in range(23, 3, -1)]
    nxt = _link(versions, "下一页")
    assert parse_qs(urlsplit(nxt).query) == {"versions_page": ["2"]}
    rest = client.get(nxt).get_data(as_text=True)
    assert re.findall(r"<strong>第 (\d+) 版", rest) == ["3", "2", "1"]
