"""下载完整预览: every row an import adds, changes (old → new per field) and deactivates, as
.xlsx with Chinese headers and escaped cells, for the roles that may confirm that import."""

from __future__ import annotations

import html
import io
import re

import openpyxl

from riskctl.core.tabular.preview import SHOWN
from tests.conftest import csrf_token
from tests.factories import make_user
from tests.inspections.conftest import TARGET_HEADER, target_row
from tests.risks.conftest import HEADERS
from tests.risks.conftest import row as risk_row
from tests.risks.conftest import xlsx as risk_xlsx
from tests.web.test_import_previews import _book, _roster, _section, _upload

LINK = re.compile(r'<a class="button" href="([^"]+)" download>下载完整预览（.xlsx）</a>')


def _sheet(response) -> list[tuple]:
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.mimetype.endswith("spreadsheetml.sheet")
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    return list(book.active.iter_rows(values_only=True))


def test_the_full_preview_lists_every_row_the_page_leaves_out(login, bureau):
    _roster(SHOWN + 5)  # T00000 … T00204
    rows = [target_row(n) for n in range(1, SHOWN + 5)]
    for r in rows:
        r[1] = r[1].replace("新华路商户", "改名商户")  # every kept row changes its name
    formula = target_row(900)
    formula[1] = "@SUM(1+1)*cmd|' /C calc'!A0"
    rows += [target_row(901), formula]  # two new rows; T00000 is left out
    legal = login("legal")
    page = _upload(legal, "/inspections/targets/import", _book(TARGET_HEADER, rows), "名录.xlsx")
    text = page.get_data(as_text=True)
    assert page.status_code == 200, re.sub(r"<[^>]+>", " ", text)[-3000:]
    changed = _section(text, "changed")
    assert f"修改 {SHOWN + 4} 行" in changed and "另有 4 行未列出，见完整预览" in re.sub(
        r"<[^>]+>", "", changed
    )
    url = html.unescape(LINK.search(text)[1])
    assert re.fullmatch(r"/imports/waiting/[0-9a-f]{32}/preview\.xlsx", url)

    lines = _sheet(legal.get(url))
    assert lines[0] == ("类别", "文件行号", "编号", "名称", "字段", "原值", "新值")
    by_kind: dict[str, list[tuple]] = {}
    for line in lines[1:]:
        by_kind.setdefault(line[0], []).append(line)
    assert {k: len(v) for k, v in by_kind.items()} == {
        "新增": 2,
        "修改": SHOWN + 4,
        "停用或移出": 1,
    }
    last = next(line for line in by_kind["修改"] if line[2] == f"T{SHOWN + 4:05d}")
    assert last[4:] == ("对象名称", f"新华路商户{SHOWN + 4:05d}", f"改名商户{SHOWN + 4:05d}")
    assert by_kind["停用或移出"][0][2:4] == ("T00000", "新华路商户00000")
    # A name that a spreadsheet would run as a formula stays text, escaped by safe_cell.
    assert {line[3] for line in by_kind["新增"]} == {
        "新华路商户00901",
        "'@SUM(1+1)*cmd|' /C calc'!A0",
    }

    # Another user of the role that confirms it downloads it too; the reopened page links it.
    token = url.split("/")[3]
    make_user("legal2", "legal")
    other = login("legal2")
    assert len(_sheet(other.get(url))) == len(lines)
    reopened = other.get(f"/inspections/targets/import?staged={token}").get_data(as_text=True)
    assert html.unescape(LINK.search(reopened)[1]) == url
    # A role that does not confirm roster imports gets neither the link nor the file (the
    # staged upload is not even revealed to it, as on the list of imports waiting).
    assert login("discipline").get(url).status_code == 404
    assert login("officer").get(url).status_code == 403
    # Once confirmed, the staged file is gone: 404.
    done = legal.post(
        "/inspections/targets/import/confirm",
        data={"token": token, "missing": "keep", "csrf_token": csrf_token(legal)},
    )
    assert done.status_code == 302
    assert legal.get(url).status_code == 404


def test_only_the_roles_confirming_an_import_see_its_download(login, bureau):
    discipline = login("discipline")
    data = risk_xlsx(risk_row(), risk_row(**{"风险点": "新风险"}))
    text = _upload(discipline, "/risks/import", data, "登记表.xlsx").get_data(as_text=True)
    url = html.unescape(LINK.search(text)[1])
    lines = _sheet(discipline.get(url))
    assert lines[0][2:4] == ("单位 / 岗位", "风险点")
    titles = sorted(line[3] for line in lines[1:])
    assert titles == sorted([risk_row()[HEADERS.index("风险点")], "新风险"])
    assert {line[0] for line in lines[1:]} == {"新增"}
    # 法制科 confirms rosters, not the risk register: not found for it.
    assert login("legal").get(url).status_code == 404
    assert discipline.get("/imports/waiting/" + "0" * 32 + "/preview.xlsx").status_code == 404
