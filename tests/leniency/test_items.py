"""The 免罚清单: create, change as versions, import .xlsx (all rows or none), export."""

from __future__ import annotations

import io

import openpyxl
import pytest
from sqlalchemy import func, select

from riskctl.core.db import db
from riskctl.leniency.models import LeniencyItem, LeniencyItemVersion
from tests.leniency.conftest import REGULATION, body

URL = "/api/v1/leniency/items"
HEADERS = ["事项编号", "违法行为", "法律依据", "适用条件", "状态"]


def workbook(*rows, headers=HEADERS) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(client, content: bytes, name: str = "清单.xlsx"):
    return client.post(
        f"{URL}/import",
        data={"file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def versions() -> int:
    return db.session.scalar(select(func.count()).select_from(LeniencyItemVersion))


def test_legal_adds_an_item_and_everyone_reads_the_list(api, bureau):
    item = {
        "code": "cg-010",
        "name": "占道洗车",
        "legal_basis": "《城市道路管理条例》第二十七条",
        "conditions": "首次被发现；当场改正",
    }
    response = api("legal").post(URL, json=item)
    assert response.status_code == 201
    assert response.get_json() == {**item, "code": "CG-010", "active": True, "version": 1}
    assert api("officer").get(URL).get_json()["items"][0]["code"] == "CG-010"
    assert api("officer").post(URL, json=item).status_code == 403


def test_a_duplicate_code_is_a_conflict(api, catalogue):
    response = api("legal").post(
        URL, json={"code": "CG-001", "name": "x", "legal_basis": "y", "conditions": "z"}
    )
    assert response.status_code == 409 and "CG-001" in response.get_json()["error"]["message"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("code", "CG 001/", "只能由字母、数字"),
        ("name", "", "必填"),
        ("legal_basis", "x" * 2001, "2000"),
    ],
)
def test_bad_items_are_refused_by_field(api, bureau, field, value, message):
    item = {
        "code": "CG-010",
        "name": "占道洗车",
        "legal_basis": "依据",
        "conditions": "条件",
        field: value,
    }
    response = api("legal").post(URL, json=item)
    assert response.status_code == 422
    assert message in response.get_json()["error"]["details"][field][0]


def test_a_change_is_a_new_version_and_records_keep_theirs(api, catalogue, make_record):
    before = make_record()
    response = api("legal").patch(f"{URL}/CG-001", json={"conditions": "新条件", "reason": "修订"})
    assert response.get_json()["version"] == 2
    detail = api("officer").get(f"{URL}/CG-001").get_json()
    assert [(v["version"], v["conditions"]) for v in detail["versions"]] == [
        (1, "首次被发现；当场清理"),
        (2, "新条件"),
    ]
    assert detail["versions"][1]["reason"] == "修订"
    old = api("legal").get(f"/api/v1/leniency/records/{before.id}").get_json()
    assert (old["item_version"], old["conditions"]) == (1, "首次被发现；当场清理")
    new = (
        api("officer")
        .post("/api/v1/leniency/records", json=body(item_code="CG-001", ground="minor"))
        .get_json()
    )
    assert (new["item_version"], new["conditions"]) == (2, "新条件")


def test_a_change_needs_a_reason_and_a_difference(api, catalogue):
    assert api("legal").patch(f"{URL}/CG-001", json={"name": "x"}).status_code == 422
    same = api("legal").patch(f"{URL}/CG-001", json={"name": "擅自堆放物料", "reason": "r"})
    assert same.status_code == 422 and "没有任何修改" in same.get_json()["error"]["message"]
    assert api("legal").patch(f"{URL}/CG-404", json={"name": "x", "reason": "r"}).status_code == 404


def test_an_import_creates_changes_and_skips_unchanged_items(api, catalogue):
    content = workbook(
        ("CG-001", "擅自堆放物料", f"{REGULATION}第十四条", "首次被发现；当场清理", "启用"),
        ("CG-002", "超出门窗外墙经营", f"{REGULATION}第十四条", "新的条件", "停用"),
        ("ｃｇ－０２０", "乱贴小广告", "条例第十七条", "当场清除", ""),
    )
    response = upload(api("legal"), content)
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"create": 1, "change": 1, "same": 1}
    cg2 = db.session.scalar(select(LeniencyItem).where(LeniencyItem.code == "CG-002"))
    assert (cg2.version, cg2.active, cg2.conditions) == (2, False, "新的条件")
    assert db.session.scalar(select(LeniencyItem).where(LeniencyItem.code == "CG-020")).active


def test_an_import_with_bad_rows_imports_nothing_and_lists_every_problem(api, catalogue):
    before = versions()
    content = workbook(
        ("CG-030", "新事项", "依据", "条件", "启用"),
        ("CG 031!", "", "依据", "条件", "启用"),
        ("CG-030", "重复", "依据", "条件", "也许"),
    )
    response = upload(api("legal"), content)
    assert response.status_code == 422
    rows = response.get_json()["error"]["details"]["rows"]
    assert {(r["row"], r["column"]) for r in rows} == {
        (3, "事项编号"),
        (3, "违法行为"),
        (4, "事项编号"),
        (4, "状态"),
    }
    assert versions() == before
    assert db.session.scalar(select(LeniencyItem).where(LeniencyItem.code == "CG-030")) is None


def test_an_import_without_the_headers_says_which_are_missing(api, bureau):
    response = upload(api("legal"), workbook(("a", "b"), headers=["编号", "名称"]))
    assert response.status_code == 422
    assert "缺少列" in response.get_json()["error"]["details"]["rows"][0]["message"]
    assert upload(api("legal"), b"not a workbook", "x.docx").status_code == 422


def test_the_export_reimports_unchanged(api, catalogue):
    exported = api("officer").get(f"{URL}/export.xlsx")
    assert exported.status_code == 200
    response = upload(api("legal"), exported.data, "export.xlsx")
    assert response.get_json() == {"create": 0, "change": 0, "same": 3}
