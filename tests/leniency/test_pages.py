"""The pages: rendered with real data, forms posted with a CSRF token, errors shown in Chinese."""

from __future__ import annotations

import io

import openpyxl
from sqlalchemy import func, select

from riskctl.core.audit import AuditEntry
from riskctl.core.db import db
from riskctl.leniency.models import LeniencyItem, LeniencyRecord, LeniencyRefusal
from tests.conftest import csrf_token
from tests.leniency.conftest import body, credit_code, days_ago, id_card


def form(**overrides) -> dict:
    data = {
        "unit": "ZD1-1",
        "occurred_at": days_ago(1).strftime("%Y-%m-%dT%H:%M"),
        "place": "人民路128号门前",
        "item_code": "CG-001",
        "ground": "first_offence",
        "party_name": "老街坊烩面馆",
        "party_id": credit_code(),
        "officers": ["ZF1101", "ZF1102", ""],
        "facts": "门前堆放建材约 2 平方米",
        "education": "宣讲条例",
        "correction_deadline": "",
    }
    data.update(overrides)
    return data


def post(client, url: str, data: dict, **kw):
    return client.post(url, data={**data, "csrf_token": csrf_token(client)}, **kw)


def records() -> int:
    return db.session.scalar(select(func.count()).select_from(LeniencyRecord))


def test_the_list_shows_the_officers_unit_masked(login, make_record):
    make_record(party_name="老街坊烩面馆")
    make_record(unit="ZD2-1", party_id=id_card(), party_name="王建军")
    page = login("officer").get("/leniency").get_data(as_text=True)
    assert "老街坊烩面馆" in page and "王建军" not in page
    assert credit_code()[:4] + "**********" + credit_code()[-4:] in page
    assert credit_code() not in page
    everything = login("discipline").get("/leniency").get_data(as_text=True)
    assert "王建军" in everything and "录入免罚决定" not in everything


def test_an_empty_list_says_so(login, catalogue):
    page = login("legal").get("/leniency?ground=minor").get_data(as_text=True)
    assert "暂无数据" in page


def test_overdue_followups_are_flagged_in_working_days(login, make_record):
    make_record(occurred_at=days_ago(60))
    page = login("officer").get("/leniency?overdue=1").get_data(as_text=True)
    assert "复查逾期" in page and "个工作日" in page


def test_the_form_shows_items_with_their_legal_basis_and_the_wording_of_article_33(
    login, catalogue
):
    page = login("officer").get("/leniency/new").get_data(as_text=True)
    assert 'data-basis="《城市市容和环境卫生管理条例》第十四条"' in page
    assert "可以不予行政处罚" in page and "第三十三条第一款" in page
    assert "party-check" in page and 'name="csrf-token"' in page
    assert '<option value="ZF1101">队员1101</option>' in page  # the unit's roster
    assert "ZF2101" not in page and "ZF1199" not in page  # other units, retired


def test_an_officer_records_on_the_spot_through_the_form(login, catalogue):
    client = login("officer")
    response = post(client, "/leniency/new", form())
    assert response.status_code == 302, response.get_data(as_text=True)
    record = db.session.scalars(select(LeniencyRecord)).one()
    assert response.location.endswith(f"/leniency/records/{record.id}")
    assert record.officer_numbers == ["ZF1101", "ZF1102"] and record.unit.code == "ZD1-1"
    detail = client.get(response.location).get_data(as_text=True)
    assert "已录入免罚记录" in detail and "登记告知承诺书" in detail


def test_bad_input_is_shown_next_to_the_fields_and_nothing_is_written(login, catalogue):
    wrong = credit_code()[:-1] + ("0" if credit_code()[-1] != "0" else "1")
    response = post(
        login("officer"),
        "/leniency/new",
        form(party_id=wrong, officers=["ZF1101", "", ""], place=""),
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "校验位错误" in page and "不得少于 2 人" in page and "此项为必填项" in page
    assert 'value="老街坊烩面馆"' in page  # what was typed stays in the form
    assert records() == 0


def test_a_repeat_through_the_form_names_the_earlier_record(login, make_record):
    earlier = make_record(occurred_at=days_ago(30))
    response = post(login("officer"), "/leniency/new", form())
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert f"#{earlier.id}" in page and "不能适用首违不罚" in page
    assert records() == 1
    assert db.session.scalar(select(func.count()).select_from(LeniencyRefusal)) == 1


def test_an_officer_cannot_pick_another_unit(login, catalogue):
    response = post(login("officer"), "/leniency/new", form(unit="ZD2-1"))
    assert response.status_code == 403 and "只能为本单位" in response.get_data(as_text=True)
    assert records() == 0


def test_a_form_without_csrf_token_is_refused(login, catalogue):
    response = login("officer").post("/leniency/new", data=form())
    assert response.status_code == 400 and records() == 0


def test_the_party_id_is_validated_as_it_is_typed(login, catalogue):
    client = login("officer")
    token = csrf_token(client)

    def check(value: str):
        return client.post(
            "/leniency/party-check", json={"party_id": value}, headers={"X-CSRFToken": token}
        ).get_json()

    assert check(credit_code().lower()) == {
        "ok": True,
        "kind": "credit_code",
        "message": "统一社会信用代码，校验通过",
        "masked": credit_code()[:4] + "*" * 10 + credit_code()[-4:],
    }
    assert check("４１０１０５" + id_card()[6:])["kind"] == "id_card"
    assert check("9141") == {
        "ok": False,
        "message": "证件号码应为 18 位（统一社会信用代码或居民身份证号），实际为 4 位",
    }
    wrong = id_card()[:-1] + ("0" if id_card()[-1] != "0" else "1")
    assert "校验位" in check(wrong)["message"]
    assert client.post("/leniency/party-check", json={"party_id": "x"}).status_code == 400


def test_the_lifecycle_through_the_record_page(login, make_record):
    record = make_record(occurred_at=days_ago(20))
    officer, legal = login("officer"), login("legal")
    url = f"/leniency/records/{record.id}"
    assert (
        post(
            officer, f"{url}/commitment", {"signed_on": days_ago(19).date().isoformat()}
        ).status_code
        == 302
    )
    bad = post(
        officer,
        f"{url}/followup",
        {"checked_on": days_ago(30).date().isoformat(), "result": "passed", "officer": "ZF1101"},
    )
    assert bad.status_code == 422 and "不能早于违法行为发生日期" in bad.get_data(as_text=True)
    assert (
        post(
            officer,
            f"{url}/followup",
            {"checked_on": days_ago(2).date().isoformat(), "result": "passed", "officer": "ZF1101"},
        ).status_code
        == 302
    )
    early = post(officer, f"{url}/close", {})
    assert early.status_code == 409 and "法制科尚未审核" in early.get_data(as_text=True)
    assert post(legal, f"{url}/signoff", {"opinion": "同意免罚"}).status_code == 302
    assert post(legal, f"{url}/close", {"note": "按期改正"}).status_code == 302
    page = legal.get(url).get_data(as_text=True)
    assert "已结案" in page and "同意免罚" in page
    assert db.session.get(LeniencyRecord, record.id).status == "closed"


def test_attachments_through_the_record_page(login, make_record):
    record = make_record()
    client = login("officer")
    response = client.post(
        f"/leniency/records/{record.id}/attachments",
        data={
            "csrf_token": csrf_token(client),
            "kind": "evidence",
            "file": (io.BytesIO(b"\xff\xd8\xff\xe0JFIF"), "现场照片.jpg"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    page = client.get(f"/leniency/records/{record.id}").get_data(as_text=True)
    assert "现场照片.jpg" in page


def test_the_full_id_is_shown_once_on_request_and_audited(login, make_record):
    record = make_record()
    page = login("officer").get(f"/leniency/records/{record.id}").get_data(as_text=True)
    assert "查看完整证件号" not in page and credit_code() not in page
    legal = login("legal")
    assert credit_code() not in legal.get(f"/leniency/records/{record.id}").get_data(as_text=True)
    shown = post(legal, f"/leniency/records/{record.id}/party-id", {}).get_data(as_text=True)
    assert credit_code() in shown and "已记入审计日志" in shown
    assert (
        db.session.scalar(
            select(AuditEntry.actor).where(AuditEntry.action == "leniency.party_id.view")
        )
        == "legal"
    )
    assert post(login("officer"), f"/leniency/records/{record.id}/party-id", {}).status_code == 403


def test_legal_keeps_the_list_through_its_pages(login, catalogue):
    legal = login("legal")
    assert "CG-003" in legal.get("/leniency/items").get_data(as_text=True)
    item = {"name": "占道洗车", "legal_basis": "《城市道路管理条例》", "conditions": "当场改正"}
    created = post(legal, "/leniency/items", {"code": "cg-010", **item})
    assert created.status_code == 302
    duplicate = post(
        legal,
        "/leniency/items",
        {"code": "CG-010", "name": "x", "legal_basis": "y", "conditions": "z"},
    )
    assert duplicate.status_code == 409 and "已存在" in duplicate.get_data(as_text=True)
    changed = post(legal, "/leniency/items/CG-010", {**item, "reason": "停用"})
    assert changed.status_code == 302
    item = db.session.scalar(select(LeniencyItem).where(LeniencyItem.code == "CG-010"))
    assert (item.version, item.active) == (2, False)
    page = legal.get("/leniency/items/CG-010").get_data(as_text=True)
    assert "第 2 版" in page and "停用" in page
    assert login("officer").get("/leniency/items").status_code == 200
    assert post(login("officer"), "/leniency/items", {"code": "X"}).status_code == 403


def _xlsx(*rows) -> bytes:
    book = openpyxl.Workbook()
    book.active.append(["事项编号", "违法行为", "法律依据", "适用条件"])
    for row in rows:
        book.active.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_an_import_shows_its_problems_before_anything_is_written(login, catalogue):
    legal = login("legal")
    response = legal.post(
        "/leniency/items/import",
        data={
            "csrf_token": csrf_token(legal),
            "file": (io.BytesIO(_xlsx(("CG-040", "", "依据", "条件"))), "清单.xlsx"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "违法行为" in page and "不能为空" in page and "未导入任何数据" in page
    assert db.session.scalar(select(LeniencyItem).where(LeniencyItem.code == "CG-040")) is None


def test_an_import_is_previewed_then_confirmed(login, catalogue):
    legal = login("legal")
    preview = legal.post(
        "/leniency/items/import",
        data={
            "csrf_token": csrf_token(legal),
            "file": (io.BytesIO(_xlsx(("CG-040", "乱贴小广告", "条例", "当场清除"))), "清单.xlsx"),
        },
        content_type="multipart/form-data",
    )
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "新增" in page and "确认导入" in page
    assert db.session.scalar(select(LeniencyItem).where(LeniencyItem.code == "CG-040")) is None
    token = page.split('name="token" value="')[1].split('"')[0]
    confirmed = post(legal, "/leniency/items/import/confirm", {"token": token})
    assert confirmed.status_code == 302
    assert db.session.scalar(select(LeniencyItem).where(LeniencyItem.code == "CG-040")) is not None
    again = post(legal, "/leniency/items/import/confirm", {"token": token})
    assert again.status_code == 422 and "预览已失效" in again.get_data(as_text=True)
    assert post(legal, "/leniency/items/import/confirm", {"token": "../../etc"}).status_code == 422


def test_the_statistics_page_explains_its_rates(login, make_record):
    make_record()
    make_record(unit="ZD2-1", party_id=id_card(), officers=["ZF2101", "ZF2102"])
    page = login("legal").get("/leniency/stats").get_data(as_text=True)
    assert "单位免罚率 = " in page and "中位数" in page
    assert "市容秩序第一中队" in page and "环境卫生第一中队" in page and "ZF2101" in page
    assert login("officer").get("/leniency/stats").status_code == 403
    bad = login("leader").get("/leniency/stats?year=2026&quarter=9")
    assert bad.status_code == 200 and "季度应为 1 到 4" in bad.get_data(as_text=True)


def test_the_refusals_page_lists_refused_attempts(api, login, make_record):
    make_record(occurred_at=days_ago(10))
    api("officer").post("/api/v1/leniency/records", json=body())
    page = login("discipline").get("/leniency/refusals").get_data(as_text=True)
    assert "市容秩序第一中队" in page and credit_code() not in page and "**********" in page


def test_the_public_list_masks_ids_and_names_of_people(client, make_record):
    make_record(party_name="金水区老街坊烩面馆")
    make_record(party_id=id_card(), party_name="王建军", item_code="CG-002")
    page = client.get("/public/leniency").get_data(as_text=True)
    assert "金水区老街坊烩面馆" in page and "王**" in page and "王建军" not in page
    assert credit_code() not in page and id_card() not in page


def test_the_home_page_counts_overdue_followups(login, make_record):
    make_record(occurred_at=days_ago(60))
    page = login("officer").get("/").get_data(as_text=True)
    assert "首违不罚复查逾期" in page


def test_the_public_list_masks_an_individual_business_as_the_inspection_results_do(
    client, make_record
):
    from riskctl.inspections.public import mask_name as inspection_mask

    shop = credit_code("92410105MA44XXXX0"[:17])
    make_record(party_id=shop, party_name="张三烧烤店", item_code="CG-002")
    make_record(party_name="金水区老街坊烩面馆")  # a company (91…): shown in full
    page = client.get("/public/leniency").get_data(as_text=True)
    assert inspection_mask("张三烧烤店") == "张**烤店"
    assert "张**烤店" in page and "张三烧烤店" not in page
    assert "金水区老街坊烩面馆" in page and shop not in page
