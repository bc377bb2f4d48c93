"""Importing the case-file register: .xlsx or .csv (UTF-8 or GBK), all rows or none."""

from __future__ import annotations

import io

from sqlalchemy import func, select

from riskctl.core.db import db
from riskctl.core.tabular.writing import write_csv, write_xlsx
from riskctl.reviews.models import CaseFile
from riskctl.reviews.registry.imports import HEADERS
from tests.reviews.conftest import make_campaign, make_pool, make_register

URL = "/api/v1/reviews/case-files/import"
GOOD = [
    [
        "城管罚决字〔2026〕第0101号",
        "ZD1-1",
        "占道经营",
        "一般",
        "张勇、王磊",
        "ZF-1101、ZF-1102",
        "马建国",
        "ZF-1001",
        "2026-03-02",
        "2000",
    ],
    [
        "城管罚决字〔2026〕第0102号",
        "环境卫生第一中队",
        "餐饮油烟超标排放",
        "简易程序",
        "刘强",
        "ZF-2101",
        "高志远",
        "ZF-2001",
        "2026/4/18",
        "500.50",
    ],
]


def _upload(api, data: bytes, name: str, query: str = ""):
    return api("legal").post(
        URL + query, data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data"
    )


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(CaseFile))


def test_an_xlsx_register_imports_and_reimports_unchanged(api, bureau):
    data = write_xlsx(HEADERS, GOOD, "案卷登记")
    response = _upload(api, data, "案卷.xlsx")
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"created": 2, "updated": 0, "unchanged": 0, "dry_run": False}
    case = db.session.scalar(select(CaseFile).where(CaseFile.case_no.like("%0102号")))
    assert (case.unit.code, case.procedure, case.handlers, case.penalty_fen) == (
        "ZD2-1",
        "simple",
        ["ZF-2101"],
        50050,
    )
    assert case.closed_on.isoformat() == "2026-04-18"
    again = _upload(api, data, "案卷.xlsx").get_json()
    assert (again["created"], again["unchanged"]) == (0, 2)


def test_a_gbk_csv_imports_and_a_changed_row_updates(api, bureau):
    _upload(api, write_xlsx(HEADERS, GOOD, "案卷登记"), "案卷.xlsx")
    rows = [[*GOOD[0][:2], "店外经营", *GOOD[0][3:]], GOOD[1]]
    text = ",".join(HEADERS) + "\n" + "\n".join(",".join(r) for r in rows)
    response = _upload(api, text.encode("gbk"), "案卷.csv")
    assert response.get_json() == {"created": 0, "updated": 1, "unchanged": 1, "dry_run": False}
    assert (
        db.session.scalar(select(CaseFile.case_type).where(CaseFile.case_no == GOOD[0][0]))
        == "店外经营"
    )


def test_every_bad_cell_is_reported_and_nothing_is_imported(api, bureau):
    bad = [
        GOOD[0],
        [
            "城管罚决字〔2026〕第0103号",
            "NOPE",
            "占道经营",
            "普通",
            "张勇",
            "ZF 1101!",
            "马建国",
            "ZF-1001、ZF-1002",
            "2026-02-30",
            "-5",
        ],
        list(GOOD[0]),
        ["", "ZD1-1", "", "一般", "", "", "", "", "", ""],
    ]
    response = _upload(api, write_csv(HEADERS, bad), "案卷.csv")
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["message"] == "共 12 处问题，未导入任何数据"
    found = {(p["row"], p["column"]) for p in error["details"]["rows"]}
    assert found == {
        (3, "承办单位"),
        (3, "程序类型"),
        (3, "承办人执法证号"),
        (3, "审批人执法证号"),
        (3, "结案日期"),
        (3, "罚款金额（元）"),
        (4, "案件编号"),
        (5, "案件编号"),
        (5, "案由"),
        (5, "承办人执法证号"),
        (5, "审批人执法证号"),
        (5, "结案日期"),
    }
    messages = {(p["row"], p["column"]): p["message"] for p in error["details"]["rows"]}
    assert messages[(4, "案件编号")] == "与第 2 行案件编号重复"
    assert "单位“NOPE”不存在" in messages[(3, "承办单位")]
    assert _count() == 0


def test_a_missing_column_is_named(api, bureau):
    response = _upload(api, write_xlsx(HEADERS[:3], [GOOD[0][:3]], "x"), "x.xlsx")
    assert response.status_code == 422
    assert "缺少列" in response.get_json()["error"]["message"]
    assert _upload(api, b"", "x.xlsx").status_code == 422
    assert _upload(api, b"abc", "x.pdf").status_code == 422


def test_dry_run_checks_without_writing(api, bureau):
    response = _upload(api, write_xlsx(HEADERS, GOOD, "x"), "x.xlsx", "?dry_run=1")
    assert response.get_json() == {"created": 2, "updated": 0, "unchanged": 0, "dry_run": True}
    assert _count() == 0


def test_a_drawn_file_cannot_be_changed_by_import(api, bureau):
    make_register(bureau)
    make_pool(bureau)
    campaign = make_campaign(bureau)
    from riskctl.reviews.models import ReviewFile

    drawn = db.session.scalar(select(ReviewFile).where(ReviewFile.campaign_id == campaign.id))
    case = drawn.case_file
    row = [
        case.case_no,
        case.unit.code,
        "改过的案由",
        "一般",
        "张勇",
        "、".join(case.handlers),
        "马建国",
        case.approver,
        case.closed_on.isoformat(),
        "2000",
    ]
    response = _upload(api, write_xlsx(HEADERS, [row], "x"), "x.xlsx")
    assert response.status_code == 422
    assert "已被评查活动抽中" in response.get_json()["error"]["details"]["rows"][0]["message"]


def test_only_legal_imports(api, bureau):
    data = write_xlsx(HEADERS, GOOD, "x")
    response = api("officer").post(
        URL, data={"file": (io.BytesIO(data), "x.xlsx")}, content_type="multipart/form-data"
    )
    assert response.status_code == 403


def test_the_register_lists_with_filters_and_officer_scope(api, bureau):
    _upload(api, write_xlsx(HEADERS, GOOD, "x"), "x.xlsx")
    listed = api("discipline").get("/api/v1/reviews/case-files?unit=ZD2").get_json()
    assert [c["case_no"] for c in listed["items"]] == [GOOD[1][0]]
    assert listed["items"][0]["penalty"] == "500.50"
    assert (
        api("discipline").get("/api/v1/reviews/case-files?start=2026-04-01").get_json()["total"]
        == 1
    )
    assert api("discipline").get("/api/v1/reviews/case-files?start=不是日期").status_code == 422
    officer = api("officer").get("/api/v1/reviews/case-files").get_json()
    assert [c["unit"] for c in officer["items"]] == ["ZD1-1"]
