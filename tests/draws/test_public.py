"""Public pages (一公开): anyone reads a draw, its verification data and how to check it."""

from __future__ import annotations

import contextlib
import html
import io
import json
import re

import pytest

from riskctl.core.db import db
from riskctl.draws import operations, publication
from tests.draws.conftest import ID_CARD, SOURCE, draw, lock, vector, with_individual
from tests.web.test_browser import browser, live_server  # noqa: F401 (fixtures)

TINY = "tiny-two-strata"


def _redrawn(bureau):
    first = draw(lock())
    second = operations.redraw(
        first,
        "entropy_failure",
        "开奖号码录入有误",
        bureau.users["leader"],
        "2026-11-21 省体彩排列5 第 26311 期 3 9 4 0 7",
        SOURCE,
        "legal",
    )
    db.session.commit()
    return first, second


def test_the_public_page_shows_the_plan_the_verification_data_and_the_list(client, bureau):
    drawn = draw(lock())
    response = client.get(f"/public/draws/{drawn.id}")  # nobody signed in
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    expected = vector(TINY)["expected"]
    for value in (
        "SJ-2026-11-001",
        "2026-Q4-市容-001",
        "双随机抽查",
        expected["targets_digest"],
        expected["inspectors_digest"],
        expected["conflicts_digest"],
        expected["quotas_digest"],
        expected["seed"],
        expected["result_digest"],
        "2026-11-20 公证摇号 07 13 22 31 45",
        SOURCE,
        "每组 2 人，每人最多 2 个检查对象",
    ):
        assert value in page
    for selection in expected["selected"]:
        assert selection["key"] in page and "、".join(selection["inspectors"]) in page
    assert "如何核验本次抽取" in page and "/api/v1/draws/verify" in page
    assert f'href="/public/draws/{drawn.id}/manifest.json"' in page


def test_the_public_json_is_the_publication_list_of_the_spec(client, bureau):
    drawn = draw(lock())
    response = client.get(f"/public/draws/{drawn.id}.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    data = response.get_json()
    expected = vector(TINY)["expected"]
    assert data["version"] == "riskctl-draw/1" and data["plan"] == "2026-Q4-市容-001"
    for key in (
        "targets_digest",
        "inspectors_digest",
        "conflicts_digest",
        "quotas_digest",
        "seed",
        "result_digest",
    ):
        assert data[key] == expected[key]
    assert (data["team_size"], data["cap"], data["entropy"]) == (
        2,
        2,
        vector(TINY)["manifest"]["entropy"],
    )
    assert [
        {k: s[k] for k in ("target", "stratum", "key", "inspectors")} for s in data["selected"]
    ] == expected["selected"]
    assert (
        "drawn_by" not in data and data["manifest_url"] == f"/public/draws/{drawn.id}/manifest.json"
    )
    assert "双随机抽查" in response.get_data(as_text=True)  # readable Chinese, not \u escapes


def test_the_python_check_on_the_page_confirms_the_draw(client, bureau, tmp_path, monkeypatch):
    drawn = draw(lock())
    page = client.get(f"/public/draws/{drawn.id}").get_data(as_text=True)
    program = html.unescape(
        re.search(r'<pre class="mono" id="python-check">(.*?)</pre>', page, re.S)[1]
    )
    (tmp_path / "draw.json").write_bytes(client.get(f"/public/draws/{drawn.id}.json").data)
    monkeypatch.chdir(tmp_path)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(program, {})  # exactly what a citizen would run
    assert printed.getvalue().splitlines() == [
        "种子一致： True",
        "键值一致： True",
        "结果摘要一致： True",
    ]


def test_the_public_manifest_reproduces_the_draw(client, bureau):
    drawn = draw(lock())
    manifest = client.get(f"/public/draws/{drawn.id}/manifest.json")
    assert manifest.status_code == 200
    verified = client.post(
        "/api/v1/draws/verify", data=manifest.data, content_type="application/json"
    )
    assert verified.get_json()["result_digest"] == drawn.result_digest


def test_personal_ids_are_masked_on_every_public_view(client, bureau):
    manifest = operations.freeze_manifest("inspection", "SJ-GT", actor="legal", **with_individual())
    drawn = operations.perform_draw(manifest, "07 13 22 31 45", SOURCE, "legal")
    db.session.commit()
    page = client.get(f"/public/draws/{drawn.id}").get_data(as_text=True)
    data = client.get(f"/public/draws/{drawn.id}.json").get_data(as_text=True)
    for text in (page, data):
        assert ID_CARD not in text and "4104**********1230" in text
    assert "个人信息已脱敏" in page and "不公开全文" in page
    assert json.loads(data)["manifest_url"] is None
    refused = client.get(f"/public/draws/{drawn.id}/manifest.json")
    assert refused.status_code == 404 and "含有个人信息" in refused.get_json()["error"]["message"]
    searched = client.get(f"/public/draws/{drawn.id}?q={ID_CARD[-8:]}").get_data(as_text=True)
    assert "暂无数据" in searched  # the hidden id cannot be found by searching for it


def test_a_redraw_and_its_reason_stay_public_with_the_first_draw(client, bureau):
    first, second = _redrawn(bureau)
    old = client.get(f"/public/draws/{first.id}").get_data(as_text=True)
    assert "本轮抽取已被第 2 轮重抽替代" in old and f'href="/public/draws/{second.id}"' in old
    new = client.get(f"/public/draws/{second.id}").get_data(as_text=True)
    assert (
        "本轮为重抽。重抽原因：随机数来源失效；理由：开奖号码录入有误；经局领导 leader 批准" in new
    )
    assert "已被重抽替代" in new and "现行" in new
    data = client.get(f"/public/draws/{second.id}.json").get_json()
    assert data["redraw"] == {
        "kind": "entropy_failure",
        "kind_label": "随机数来源失效",
        "reason": "开奖号码录入有误",
        "approved_by": "leader",
        "previous_draw_id": first.id,
        "manifest_changed": False,
        "previous_manifest_id": None,
        "changes": None,
    }
    assert [(r["round"], r["current"]) for r in data["rounds"]] == [(1, False), (2, True)]


def test_the_index_lists_draws_newest_first_with_filters(client, bureau):
    first, second = _redrawn(bureau)
    pending = lock(subject="PC-2026-H2", kind="review")
    page = client.get("/public/draws").get_data(as_text=True)
    assert page.index(f'href="/public/draws/{second.id}"') < page.index(
        f'href="/public/draws/{first.id}"'
    )
    assert "重抽" in page and f'href="/public/draws/manifests/{pending.id}"' in page
    assert page.count("已被重抽替代") == 1  # the first round, not the one in force
    reviews = client.get("/public/draws?kind=review").get_data(as_text=True)
    assert "暂无数据" in reviews and "PC-2026-H2" in reviews
    nothing = client.get("/public/draws?q=NO-SUCH-PLAN").get_data(as_text=True)
    assert nothing.count("暂无数据") == 2
    bad = client.get("/public/draws?kind=lottery")
    assert bad.status_code == 200 and "类型须为 双随机抽查、案卷评查 之一" in bad.get_data(
        as_text=True
    )


def test_a_locked_manifest_is_public_before_it_is_drawn(client, bureau):
    manifest = lock(subject="PC-2026-H2", kind="review")
    page = client.get(f"/public/draws/manifests/{manifest.id}").get_data(as_text=True)
    assert "案卷评查抽取清单：PC-2026-H2" in page and manifest.targets_digest in page
    assert "尚未抽取：等待录入锁定之后产生的公开随机数" in page and "每人最多 2 个案卷" in page


def test_the_selected_list_filters_by_stratum(client, bureau):
    drawn = draw(lock())
    page = client.get(f"/public/draws/{drawn.id}?stratum=A").get_data(as_text=True)
    assert "91410402MA44XXXX3C" in page and "92410402MA45YYYY1E" not in page


def test_the_spec_page_explains_the_algorithm_in_chinese(client):
    page = client.get("/public/draws/spec").get_data(as_text=True)
    assert "公开可核验的随机抽取算法 riskctl-draw/1" in page and "种子 S" in page


def test_an_unknown_draw_is_a_chinese_404_page(client):
    response = client.get("/public/draws/4242")
    assert response.status_code == 404 and "抽取编号 4242 不存在" in response.get_data(as_text=True)


def test_even_an_officer_finds_the_public_draws_in_the_menu(login, bureau):
    page = login("officer").get("/").get_data(as_text=True)
    assert re.search(r'<a href="/public/draws" class="[^"]*">公开抽查</a>', page)


def test_subject_modules_link_their_page_and_show_published_results(client, bureau, monkeypatch):
    monkeypatch.setattr(publication, "_HOOKS", {})
    publication.register_subject(
        "inspection",
        page=lambda subject: f"/public/inspection/plans/{subject}",
        results=lambda d: {"91410402MA44XXXX3C": "未发现问题"},
    )
    drawn = draw(lock())
    page = client.get(f"/public/draws/{drawn.id}").get_data(as_text=True)
    assert 'href="/public/inspection/plans/SJ-2026-11-001"' in page
    assert "<th>结果</th>" in page and "未发现问题" in page


@pytest.mark.browser
def test_the_browser_check_confirms_the_draw(live_server, browser, bureau):  # noqa: F811
    drawn = draw(lock())
    page = browser.new_page()
    page.goto(f"{live_server}/public/draws/{drawn.id}")
    page.click("#verify-button")
    page.wait_for_selector("#verify-output li:has-text('结果摘要')")
    lines = page.locator("#verify-output li").all_inner_texts()
    assert len(lines) == 5 and all(line.startswith("✓ 一致") for line in lines), lines


def test_a_long_list_pages_and_keeps_the_draw_in_its_links(client, bureau):
    sample = vector("medium-four-classes")
    drawn = draw(lock("medium-four-classes"), entropy=sample["manifest"]["entropy"])
    first = client.get(f"/public/draws/{drawn.id}?per_page=10").get_data(as_text=True)
    link = re.search(rf'href="(/public/draws/{drawn.id}\?[^"]*)">下一页</a>', first)
    second = client.get(html.unescape(link[1])).get_data(as_text=True)
    assert "第 2 / 4 页" in second
    assert sample["expected"]["selected"][10]["key"] in second
    assert sample["expected"]["selected"][0]["key"] not in second


def test_the_pending_manifests_sort_and_page_apart_from_the_draws(client, bureau):
    drawn = draw(lock())
    pending = [lock(subject=f"PC-2026-{n:02d}", kind="review") for n in range(23)]
    first = client.get("/public/draws?kind=review").get_data(as_text=True)
    # 20 a page, newest lock first, its own pager (pending_page) under its own anchor.
    assert "共 23 份 · 第 1 / 2 页" in first
    assert first.count("已锁定，尚未抽取") == 20
    assert "PC-2026-22" in first and "PC-2026-02" not in first
    nxt = re.search(r'href="([^"]*)">下一页</a>', first[first.index('id="pending"') :])
    link = html.unescape(nxt[1])
    assert "pending_page=2" in link and "kind=review" in link and link.endswith("#pending")
    second = client.get(link).get_data(as_text=True)
    assert second.count("已锁定，尚未抽取") == 3 and "PC-2026-00" in second
    # Sorting by subject ascending puts 00 first; the main list's sort is untouched.
    by_subject = client.get("/public/draws?pending_sort=subject&pending_dir=asc").get_data(
        as_text=True
    )
    rows = re.findall(r"<td>(PC-2026-\d\d)</td>", by_subject)
    assert rows == [f"PC-2026-{n:02d}" for n in range(20)]
    assert 'aria-sort="descending" class="sortable sorted"><a href="/public/draws?' in by_subject
    # Paging the pending list leaves the draws list on its first page (and not "filtered").
    assert f'href="/public/draws/{drawn.id}"' in client.get(
        "/public/draws?pending_page=2"
    ).get_data(as_text=True)
    bad = client.get("/public/draws?pending_page=abc")
    assert bad.status_code == 400 and "pending_page" in bad.get_data(as_text=True)
    # No dead link: every link of the pending rows answers, a locked plan says it is not drawn.
    for manifest in pending[-3:]:
        page = client.get(f"/public/draws/manifests/{manifest.id}")
        assert page.status_code == 200
        assert "尚未抽取" in page.get_data(as_text=True)
    for href in set(re.findall(r'href="(/public/[^"#]*)', html.unescape(first))):
        assert client.get(href).status_code == 200, href


def test_a_draws_rounds_sort_on_their_own(client, bureau):
    first, _ = _redrawn(bureau)
    page = client.get(f"/public/draws/{first.id}?rounds_sort=round&rounds_dir=desc")
    rounds = page.get_data(as_text=True).split('id="rounds"')[1]
    assert rounds.index("第 2 轮") < rounds.index("第 1 轮")
    assert "共 2 轮 · 第 1 / 1 页" in rounds
    manifest = client.get(f"/public/draws/manifests/{first.manifest_id}").get_data(as_text=True)
    listed = manifest.split('id="rounds"')[1]
    assert listed.index("第 1 轮") < listed.index("第 2 轮")
    assert listed.count("现行") == 1 and "rounds_sort=round&amp;rounds_dir=desc" in listed
