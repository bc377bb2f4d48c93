"""Recording decisions through the API: the fields, the bad input, the repeat rule, the scoping."""

from __future__ import annotations

import io
from datetime import timedelta

import openpyxl
import pytest
from sqlalchemy import func, select

from riskctl.core import clock, settings
from riskctl.core.audit import AuditEntry, verify_chain
from riskctl.core.calendar import current_calendar
from riskctl.core.db import db
from riskctl.leniency.models import LeniencyRecord, LeniencyRefusal, RecordOfficer
from tests.leniency.conftest import body, credit_code, days_ago, id_card

URL = "/api/v1/leniency/records"


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def actions() -> list[str]:
    return list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.seq)))


def test_an_officer_records_a_decision_and_sees_it_masked(api, catalogue):
    response = api("officer").post(URL, json=body())
    assert response.status_code == 201, response.get_json()
    record = response.get_json()
    assert record["party_id"] == credit_code()[:4] + "*" * 10 + credit_code()[-4:]
    assert record["unit"] == "ZD1-1" and record["status"] == "recorded"
    assert record["item_code"] == "CG-001" and record["item_version"] == 1
    assert record["officers"] == ["ZF1101", "ZF1102"]
    assert record["ground_label"] == "首违可以不罚"
    assert record["legal_basis"] == "《城市市容和环境卫生管理条例》第十四条"
    # without a deadline given: 10 working days after the occurrence
    assert record["correction_deadline"] > record["occurred_at"][:10]
    assert actions()[-1] == "leniency.record"


def test_the_clear_party_id_is_stored_nowhere(api, catalogue):
    party = credit_code()
    api("officer").post(URL, json=body(party_id=party))
    row = db.session.execute(select(LeniencyRecord.__table__)).one()
    assert all(party not in str(value) for value in row)
    audit_text = " ".join(db.session.scalars(select(AuditEntry.summary)))
    assert party not in audit_text


def test_a_bad_check_digit_is_refused_naming_the_field(api, catalogue):
    good = credit_code()
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    response = api("officer").post(URL, json=body(party_id=bad))
    assert response.status_code == 422
    assert "校验位错误" in response.get_json()["error"]["details"]["party_id"][0]
    wrong_card = id_card()[:-1] + ("0" if id_card()[-1] != "0" else "1")
    response = api("officer").post(URL, json=body(party_id=wrong_card))
    assert "居民身份证号校验位错误" in response.get_json()["error"]["details"]["party_id"][0]
    assert count(LeniencyRecord) == 0


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("officers", ["ZF1101"], "不得少于 2 人"),
        ("officers", ["ZF1101", "zf1101"], "重复"),
        ("officers", ["ZF1101", "ZF9999"], "ZF9999 不在执法检查人员名录库中"),
        ("officers", ["ZF1101", "ZF1199"], "ZF1199（退休队员）已停用"),
        ("item_code", "CG-404", "没有编号为 CG-404 的事项"),
        ("ground", "mercy", "first_offence"),
        ("occurred_at", "2026-13-01T10:00", "时间"),
        ("place", "   ", "必填"),
    ],
)
def test_bad_fields_get_chinese_messages_and_nothing_is_written(
    api, catalogue, field, value, message
):
    response = api("officer").post(URL, json=body(**{field: value}))
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert message in " ".join(
        error["details"][field]
        if isinstance(error["details"][field], list)
        else map(str, error["details"][field].values())
    )
    assert count(LeniencyRecord) == 0 and count(RecordOfficer) == 0
    assert "leniency.record" not in actions()


def test_officers_are_matched_to_the_roster_ignoring_case_and_width(api, catalogue):
    response = api("officer").post(URL, json=body(officers=["zf1101", "ＺＦ１１０２"]))
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["officers"] == ["ZF1101", "ZF1102"]


def test_an_inactive_item_cannot_be_used(api, catalogue):
    assert (
        api("legal")
        .patch("/api/v1/leniency/items/CG-002", json={"active": False, "reason": "移出清单"})
        .status_code
        == 200
    )
    response = api("officer").post(URL, json=body(item_code="CG-002"))
    assert response.status_code == 422
    assert "已停用" in response.get_json()["error"]["details"]["item_code"][0]


def test_an_occurrence_in_the_future_is_refused(api, catalogue):
    tomorrow = (days_ago(-1)).isoformat()
    response = api("officer").post(URL, json=body(occurred_at=tomorrow))
    assert response.status_code == 422
    assert "不能晚于当前时间" in response.get_json()["error"]["details"]["occurred_at"][0]


def test_a_deadline_before_the_occurrence_is_refused(api, catalogue):
    occurred = days_ago(3)
    response = api("officer").post(
        URL,
        json=body(
            occurred_at=occurred.isoformat(),
            correction_deadline=(occurred.date() - timedelta(days=1)).isoformat(),
        ),
    )
    assert response.status_code == 422
    details = response.get_json()["error"]["details"]
    assert "早于违法行为发生日期" in details["correction_deadline"][0]
    assert count(LeniencyRecord) == 0


def test_an_officer_cannot_record_for_another_unit(api, catalogue):
    response = api("officer").post(URL, json=body(unit="ZD2-1"))
    assert response.status_code == 403
    message = response.get_json()["error"]["message"]
    assert "市容秩序第一中队" in message and "环境卫生第一中队" in message
    assert count(LeniencyRecord) == 0


def test_an_unknown_unit_is_named(api, catalogue):
    response = api("officer").post(URL, json=body(unit="NOPE"))
    assert response.status_code == 422
    assert "NOPE" in response.get_json()["error"]["details"]["unit"][0]


@pytest.mark.parametrize("role", ["legal", "discipline", "leader", "admin"])
def test_only_officers_record(api, catalogue, role):
    assert api(role).post(URL, json=body()).status_code == 403


def test_a_second_first_offence_is_refused_naming_the_earlier_record(api, catalogue, make_record):
    earlier = make_record(occurred_at=days_ago(200))
    response = api("officer").post(URL, json=body())
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["details"]["earlier_record"] == {
        "id": earlier.id,
        "occurred_on": earlier.occurred_on.isoformat(),
        "unit": "ZD1-1",
        "unit_name": "市容秩序第一中队",
        "party_id": earlier.party_masked,
        "ground": "first_offence",
        "url": f"/leniency/records/{earlier.id}",
    }
    assert earlier.occurred_on.isoformat() in error["message"]
    assert "市容秩序第一中队" in error["message"]
    assert count(LeniencyRecord) == 1


def test_the_refused_attempt_survives_the_409_and_is_audited(api, catalogue, make_record):
    earlier = make_record(occurred_at=days_ago(30))
    api("officer").post(URL, json=body())
    refusal = db.session.scalars(select(LeniencyRefusal)).one()
    assert refusal.earlier_record_id == earlier.id and refusal.attempted_by == "officer"
    assert refusal.officers == "ZF1101,ZF1102"
    assert actions()[-1] == "leniency.repeat_refused"
    assert verify_chain()[1] is None


@pytest.mark.parametrize(
    "typed",
    [
        lambda code: code.lower(),
        lambda code: " ".join(code[i : i + 4] for i in range(0, 18, 4)),
        lambda code: code.translate({ord(c): ord(c) + 0xFEE0 for c in code}),
    ],
)
def test_the_same_party_typed_differently_is_still_the_same_party(
    api, catalogue, make_record, typed
):
    make_record(occurred_at=days_ago(30))
    response = api("officer").post(URL, json=body(party_id=typed(credit_code())))
    assert response.status_code == 409


def test_a_full_width_lowercase_id_is_accepted_and_stored_normalised(api, catalogue):
    typed = "４１０１０５" + id_card()[6:-1] + id_card()[-1].lower()
    response = api("officer").post(URL, json=body(party_id=typed))
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["party_id"] == id_card()[:4] + "*" * 10 + id_card()[-4:]


def test_minor_leniency_is_allowed_after_an_earlier_record(api, catalogue, make_record):
    make_record(occurred_at=days_ago(30))
    assert api("officer").post(URL, json=body(ground="minor")).status_code == 201


def test_another_item_or_party_or_an_old_record_does_not_bar(api, catalogue, make_record):
    make_record(occurred_at=days_ago(30), item_code="CG-002")
    make_record(occurred_at=days_ago(30), party_id=id_card())
    make_record(occurred_at=days_ago(800))
    assert api("officer").post(URL, json=body()).status_code == 201


def test_the_lookback_is_a_setting(api, catalogue, make_record):
    make_record(occurred_at=days_ago(400))
    assert api("officer").post(URL, json=body()).status_code == 409
    settings.change("leniency.lookback_months", 12, "admin")
    db.session.commit()
    assert api("officer").post(URL, json=body()).status_code == 201


def test_records_of_other_units_are_invisible_to_an_officer(api, catalogue, make_record):
    own = make_record()
    other = make_record(unit="ZD2-1", party_id=id_card())
    listed = api("officer").get(URL).get_json()
    assert [r["id"] for r in listed["items"]] == [own.id] and listed["total"] == 1
    assert api("officer").get(f"{URL}/{other.id}").status_code == 404
    everything = api("discipline").get(URL).get_json()
    assert {r["id"] for r in everything["items"]} == {own.id, other.id}


def test_list_filters(api, catalogue, make_record):
    first = make_record(occurred_at=days_ago(40))
    minor = make_record(occurred_at=days_ago(20), ground="minor", item_code="CG-002")
    zd2 = make_record(unit="ZD2-1", party_id=id_card(), party_name="王建军")
    legal = api("legal")

    def ids(query: str) -> list[int]:
        return sorted(r["id"] for r in legal.get(f"{URL}?{query}").get_json()["items"])

    assert ids("ground=minor") == [minor.id]
    assert ids("item=cg-002") == [minor.id]
    assert ids("unit=ZD1") == [first.id, minor.id]
    assert ids("q=王建") == [zd2.id]
    assert ids(f"party_id={id_card().lower()}") == [zd2.id]
    assert ids(f"from={days_ago(25).date()}") == [minor.id, zd2.id]
    assert legal.get(f"{URL}?ground=mercy").status_code == 422
    assert legal.get(f"{URL}?party_id=123").status_code == 422


def test_list_items_are_masked_for_every_role(api, catalogue, make_record):
    make_record()
    for role in ("officer", "legal", "discipline", "leader"):
        item = api(role).get(URL).get_json()["items"][0]
        assert "*" in item["party_id"] and credit_code() not in str(item)


def test_the_full_id_is_for_legal_and_discipline_and_every_view_is_audited(
    api, catalogue, make_record
):
    record = make_record()
    for role in ("legal", "discipline"):
        response = api(role).get(f"{URL}/{record.id}/party-id")
        assert response.get_json() == {"id": record.id, "party_id": credit_code()}
    views = db.session.scalars(
        select(AuditEntry)
        .where(AuditEntry.action == "leniency.party_id.view")
        .order_by(AuditEntry.seq)
    ).all()
    assert [(v.actor, v.object_id) for v in views] == [
        ("legal", str(record.id)),
        ("discipline", str(record.id)),
    ]
    for role in ("officer", "leader", "admin"):
        assert api(role).get(f"{URL}/{record.id}/party-id").status_code == 403


def test_detail_never_carries_the_full_id(api, catalogue, make_record):
    record = make_record()
    detail = api("legal").get(f"{URL}/{record.id}").get_json()
    assert credit_code() not in str(detail)
    assert detail["party_kind_label"] == "统一社会信用代码"


def test_export_is_masked_and_scoped(api, catalogue, make_record):
    make_record()
    make_record(unit="ZD2-1", party_id=id_card())
    content = api("officer").get(f"{URL}/export.xlsx").data
    rows = list(openpyxl.load_workbook(io.BytesIO(content)).active.values)
    assert rows[0][5] == "证件号码（已脱敏）" and len(rows) == 2
    assert credit_code() not in str(rows) and "*" in rows[1][5]


def test_followup_is_flagged_overdue_in_working_days(api, catalogue, make_record):
    late = make_record(occurred_at=days_ago(60))
    make_record(party_id=id_card())
    listed = api("officer").get(f"{URL}?overdue=1").get_json()
    assert [r["id"] for r in listed["items"]] == [late.id]
    expected = current_calendar().working_days_between(late.followup_due, clock.today())
    assert listed["items"][0]["followup_overdue_working_days"] == expected > 0
    fresh = api("officer").get(URL).get_json()["items"][0]
    assert fresh["followup_overdue_working_days"] is None


def test_the_list_answers_each_records_officers_in_their_order(api, catalogue, make_record):
    """The page's statement reads the officer numbers (a list column): in position order,
    not the numbers' or the rows' order, and none for a record that has none."""
    first = make_record()
    second = make_record(unit="ZD2-1", party_id=id_card())
    given = [
        o.number
        for o in db.session.scalars(
            select(RecordOfficer).filter_by(record_id=first.id).order_by(RecordOfficer.position)
        )
    ]
    for position, number in ((7, "ZF0009"), (3, "ZF9000"), (5, "ZF0001")):
        db.session.add(RecordOfficer(record_id=first.id, position=position, number=number))
    for officer in db.session.scalars(select(RecordOfficer).filter_by(record_id=second.id)):
        db.session.delete(officer)  # a test's own fixture: a record without officers
    db.session.commit()
    listed = api("discipline").get(f"{URL}?per_page=5").get_json()["items"]
    officers = {r["id"]: r["officers"] for r in listed}
    assert officers == {first.id: [*given, "ZF9000", "ZF0001", "ZF0009"], second.id: []}
