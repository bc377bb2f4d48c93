"""Import previews list the rows an import adds, changes (old → new) and deactivates; the
staged file waits server-side under 待确认的导入 for the role that confirms it, reopens,
is confirmed or discarded (audited), and expires after a week."""

from __future__ import annotations

import html
import io
import json
import re
from datetime import timedelta

import openpyxl
from sqlalchemy import func, select

from riskctl.core.audit import AuditEntry
from riskctl.core.db import db
from riskctl.core.storage import staging
from riskctl.core.storage.models import StagedUpload
from riskctl.core.tabular.preview import SHOWN
from riskctl.inspections.models import Target
from riskctl.inspections.rosters.imports import import_roster
from riskctl.leniency.models import LeniencyItem
from riskctl.risks.models import RiskPoint
from tests.conftest import csrf_token
from tests.factories import make_user
from tests.inspections.conftest import TARGET_HEADER, csv_bytes, target_row
from tests.risks.conftest import make_point
from tests.risks.conftest import row as risk_row
from tests.risks.conftest import xlsx as risk_xlsx

TILE = re.compile(
    r'<a class="stat[^"]*"\s*href="([^"]*)">\s*<span class="value">(\d+)</span>'
    r'<span class="label">待确认的导入</span>'
)


def _book(header, rows) -> bytes:
    book = openpyxl.Workbook()
    book.active.append(list(header))
    for r in rows:
        book.active.append(list(r))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _upload(client, url: str, data: bytes, name: str):
    return client.post(
        url,
        content_type="multipart/form-data",
        data={"file": (io.BytesIO(data), name), "csrf_token": csrf_token(client)},
    )


def _section(page: str, kind: str) -> str:
    """The HTML of one preview section (new / changed / deactivated)."""
    start = page.index(f'id="preview-{kind}"')
    end = page.find('<h3 id="preview-', start + 1)
    return html.unescape(page[start : end if end > 0 else len(page)])


def _tile(client) -> tuple[str, int] | None:
    found = TILE.search(client.get("/").get_data(as_text=True))
    return (html.unescape(found[1]), int(found[2])) if found else None


def _roster(n: int) -> None:
    import_roster(
        "targets",
        csv_bytes(TARGET_HEADER, [target_row(i) for i in range(n)]),
        "t.csv",
        None,
        "legal",
    )
    db.session.commit()


def test_a_roster_preview_lists_new_changed_and_deactivated_rows(login, bureau):
    _roster(5)  # T00000 … T00004
    changed = target_row(1, klass="D")
    changed[1] = "新华路商户改名"
    rows = [target_row(0), changed, target_row(2), target_row(3), target_row(9)]  # T00004 gone
    client = login("legal")
    preview = _upload(
        client, "/inspections/targets/import", _book(TARGET_HEADER, rows), "名录.xlsx"
    )
    assert preview.status_code == 200
    page = preview.get_data(as_text=True)

    new = _section(page, "new")
    assert "新增 1 行" in new and "T00009" in new and "新华路商户00009" in new
    change = _section(page, "changed")
    assert "修改 1 行" in change and "T00001" in change
    assert "对象名称：新华路商户00001 → 新华路商户改名" in re.sub(r"<[^>]+>", "", change)
    assert f"信用风险等级：{target_row(1)[5]} → D" in re.sub(r"<[^>]+>", "", change)
    assert "T00000" not in change  # unchanged rows are counted, not listed
    gone = _section(page, "deactivated")
    assert "停用或移出 1 行" in gone and "T00004" in gone and "新华路商户00004" in gone
    assert "另有 3 行与现有记录相同" in html.unescape(page)
    assert (
        db.session.scalar(select(Target.name).where(Target.code == "T00001")) == "新华路商户00001"
    )


def test_a_long_preview_is_capped_and_counts_the_rest(login, bureau):
    client = login("legal")
    rows = [target_row(i) for i in range(SHOWN + 7)]
    page = _upload(client, "/inspections/targets/import", _book(TARGET_HEADER, rows), "大.xlsx")
    new = _section(page.get_data(as_text=True), "new")
    assert f"新增 {SHOWN + 7} 行" in new and "另有 7 行未列出" in new
    assert new.count("<tr>") == SHOWN + 1  # the header row and SHOWN rows


def test_a_risk_register_preview_shows_old_and_new_values(login, bureau):
    make_point(title="选择性执法", responsible="王芳")
    client = login("discipline")
    data = risk_xlsx(risk_row(), risk_row(**{"风险点": "新风险"}))
    page = _upload(client, "/risks/import", data, "登记表.xlsx").get_data(as_text=True)
    change = re.sub(r"<[^>]+>", "", _section(page, "changed"))
    assert "修改 1 行" in change and "选择性执法" in change
    assert "责任人：王芳 → 张勇" in change
    assert "新增 1 行" in _section(page, "new") and "新风险" in _section(page, "new")
    assert 'id="preview-deactivated"' not in page  # this import never deactivates
    assert db.session.scalar(select(func.count(RiskPoint.id))) == 1


def test_a_leniency_items_preview_lists_changes_and_deactivations(login, bureau):
    client = login("legal")
    header = ["事项编号", "违法行为", "法律依据", "适用条件", "状态"]
    first = [
        ("CG-001", "乱贴小广告", "条例第十条", "当场清除", "启用"),
        ("CG-002", "占道洗车", "条例第十一条", "首次", "启用"),
    ]
    token = _stage_and_token(client, "/leniency/items/import", _book(header, first))
    assert (
        client.post(
            "/leniency/items/import/confirm",
            data={"token": token, "csrf_token": csrf_token(client)},
        ).status_code
        == 302
    )
    second = [
        ("CG-001", "乱贴小广告", "条例第十条（修订）", "当场清除", "启用"),
        ("CG-002", "占道洗车", "条例第十一条", "首次", "停用"),
        ("CG-003", "乱扔垃圾", "条例第十二条", "首次", "启用"),
    ]
    page = _upload(client, "/leniency/items/import", _book(header, second), "清单.xlsx")
    text = page.get_data(as_text=True)
    change = re.sub(r"<[^>]+>", "", _section(text, "changed"))
    assert "法律依据：条例第十条 → 条例第十条（修订）" in change
    gone = re.sub(r"<[^>]+>", "", _section(text, "deactivated"))
    assert "CG-002" in gone and "状态：启用 → 停用" in gone
    assert "CG-003" in _section(text, "new")
    assert (
        db.session.scalar(select(LeniencyItem.legal_basis).where(LeniencyItem.code == "CG-001"))
        == "条例第十条"
    )


def _stage_and_token(client, url: str, data: bytes) -> str:
    page = _upload(client, url, data, "清单.xlsx").get_data(as_text=True)
    return re.search(r'name="token"[^>]* value="([0-9a-f]{32})"', page)[1]


def test_waiting_imports_tile_list_reopen_confirm_and_discard(login, bureau):
    _roster(3)
    make_user("fazhi_b", "legal", "FZK")
    uploader, colleague = login("legal"), login("fazhi_b")
    assert _tile(colleague) == ("/imports/waiting", 0)
    assert "没有待确认的导入" in colleague.get("/imports/waiting").get_data(as_text=True)

    rows = [target_row(0), target_row(1), target_row(7)]
    first = _stage_and_token(uploader, "/inspections/targets/import", _book(TARGET_HEADER, rows))
    second = _stage_and_token(
        uploader,
        "/inspections/inspectors/import",
        _book(
            ["人员编号", "姓名", "执法证号", "所属单位", "执法领域", "状态"],
            [["ZF-7001", "执法队员7001", "410407001", "ZD1-1", "市容秩序", "在岗"]],
        ),
    )

    # The colleague of the same office sees both on the home page and in the list.
    assert _tile(colleague) == ("/imports/waiting", 2)
    listing = html.unescape(colleague.get("/imports/waiting").get_data(as_text=True))
    assert "检查对象名录库" in listing and "执法检查人员名录库" in listing
    assert "新增 1，停用或移出 1" in listing and "名录.xlsx" not in listing
    assert "清单.xlsx" in listing
    # Discipline confirms no roster import: no tile count for these, and the page lists none.
    assert _tile(login("discipline")) == ("/imports/waiting", 0)
    assert login("officer").get("/imports/waiting").status_code == 403
    assert _tile(login("officer")) is None

    # Reopened from the list by the colleague: the same preview, then confirmed.
    href = f"/inspections/targets/import?staged={first}"
    assert href in listing
    reopened = colleague.get(href).get_data(as_text=True)
    assert "T00007" in _section(reopened, "new") and "T00002" in _section(reopened, "deactivated")
    done = colleague.post(
        "/inspections/targets/import/confirm",
        data={"token": first, "missing": "deactivate", "csrf_token": csrf_token(colleague)},
    )
    assert done.status_code == 302
    assert db.session.scalar(select(Target.active).where(Target.code == "T00002")) is False
    assert _tile(colleague) == ("/imports/waiting", 1)

    # Discarded from the list: audited, kept, gone from the list, no longer confirmable.
    discarded = colleague.post(
        f"/imports/waiting/{second}/discard", data={"csrf_token": csrf_token(colleague)}
    )
    assert discarded.status_code == 302
    assert "已放弃导入" in html.unescape(colleague.get("/imports/waiting").get_data(as_text=True))
    assert _tile(uploader) == ("/imports/waiting", 0)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "import.discard"))
    assert entry.actor == "fazhi_b" and json.loads(entry.summary)["label"] == "执法检查人员名录库"
    gone = uploader.get(f"/inspections/inspectors/import?staged={second}", follow_redirects=True)
    assert "不存在、已处理或已过期" in gone.get_data(as_text=True)
    again = colleague.post(
        f"/imports/waiting/{second}/discard",
        data={"csrf_token": csrf_token(colleague)},
        follow_redirects=True,
    )
    assert "待确认的导入文件不存在" in again.get_data(as_text=True)
    assert db.session.scalar(select(func.count(StagedUpload.id))) == 2  # nothing deleted


def test_a_staged_import_expires_after_a_week(login, bureau):
    client = login("legal")
    token = _stage_and_token(
        client, "/inspections/targets/import", _book(TARGET_HEADER, [target_row(1)])
    )
    row = db.session.scalar(select(StagedUpload).where(StagedUpload.token == token))
    row.created_at = row.created_at - staging.KEEP - timedelta(minutes=1)
    db.session.commit()
    assert _tile(client) == ("/imports/waiting", 0)
    stale = client.post(
        "/inspections/targets/import/confirm",
        data={"token": token, "missing": "keep", "csrf_token": csrf_token(client)},
        follow_redirects=True,
    )
    assert "已过期" in stale.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Target.id))) == 0


def test_an_inspectors_preview_names_the_status_and_unit_changes(login, bureau):
    from tests.inspections.conftest import INSPECTOR_HEADER, inspector_row

    import_roster(
        "inspectors",
        csv_bytes(INSPECTOR_HEADER, [inspector_row(i) for i in range(3)]),
        "i.csv",
        None,
        "legal",
    )
    db.session.commit()
    moved = inspector_row(1, unit="ZD2-1", status="停用")
    rows = [inspector_row(0), moved, inspector_row(2)]
    client = login("legal")
    page = _upload(
        client, "/inspections/inspectors/import", _book(INSPECTOR_HEADER, rows), "人.xlsx"
    )
    assert page.status_code == 200
    change = re.sub(r"<[^>]+>", "", _section(page.get_data(as_text=True), "changed"))
    assert "ZF-0001" in change and "状态：在岗 → 停用" in change
    assert "所属单位：市容秩序第二中队 → 环境卫生第一中队" in change


def test_a_case_file_preview_lists_changes_waits_and_is_confirmed(login, bureau):
    from riskctl.core.tabular.writing import write_xlsx
    from riskctl.reviews.models import CaseFile
    from riskctl.reviews.registry.imports import HEADERS

    def case(n: int, penalty: str = "", handler: str = "张勇") -> list:
        return [
            f"城管罚决字〔2026〕第{n}号",
            "ZD1-1",
            "占道经营",
            "一般",
            handler,
            "ZF-1101",
            "马建国",
            "ZF-1001",
            "2026-03-01",
            penalty,
        ]

    client = login("legal")
    first = write_xlsx(HEADERS, [case(1), case(2)], "案卷")
    direct = client.post(
        "/reviews/case-files",
        content_type="multipart/form-data",
        data={"file": (io.BytesIO(first), "案卷.xlsx"), "csrf_token": csrf_token(client)},
    )
    assert direct.status_code == 302
    second = write_xlsx(HEADERS, [case(1), case(2, "500", "李强"), case(3)], "案卷")
    page = client.post(
        "/reviews/case-files",
        content_type="multipart/form-data",
        data={
            "file": (io.BytesIO(second), "案卷.xlsx"),
            "dry_run": "1",
            "csrf_token": csrf_token(client),
        },
    )
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    change = re.sub(r"<[^>]+>", "", _section(text, "changed"))
    assert "城管罚决字〔2026〕第2号" in change
    assert "承办人：张勇 → 李强" in change and "罚款金额（元）：— → 500.00" in change
    assert "城管罚决字〔2026〕第3号" in _section(text, "new")
    assert db.session.scalar(select(func.count(CaseFile.id))) == 2
    assert _tile(client) == ("/imports/waiting", 1)
    token = re.search(r'name="token" value="([0-9a-f]{32})"', text)[1]
    reopened = client.get(f"/reviews/case-files?staged={token}").get_data(as_text=True)
    assert "城管罚决字〔2026〕第3号" in _section(reopened, "new")
    done = client.post(
        "/reviews/case-files/confirm", data={"token": token, "csrf_token": csrf_token(client)}
    )
    assert done.status_code == 302
    assert db.session.scalar(select(func.count(CaseFile.id))) == 3
    assert _tile(client) == ("/imports/waiting", 0)
