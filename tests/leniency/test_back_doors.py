"""Issue 12 §4–§6 walked through: a refused 首违 switched to 轻微不罚, co-officers from
another squad, and the full party id as a search oracle."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from riskctl.core.audit import AuditEntry
from riskctl.core.db import db
from riskctl.leniency.models import LeniencyRecord
from riskctl.warnings.models import Warning
from riskctl.warnings.scan import run_scan
from riskctl.warnings.sources import leniency as leniency_rules
from tests.leniency.conftest import body, credit_code, days_ago

pytestmark = pytest.mark.usefixtures("instant")

URL = "/api/v1/leniency/records"


def _count() -> int:
    return db.session.scalar(select(func.count(LeniencyRecord.id)))


def test_a_refused_first_offence_cannot_be_walked_around_as_minor(api, catalogue, login):
    officer, legal = api("officer"), api("legal")
    first = officer.post(URL, json=body(occurred_at=days_ago(60).isoformat()))
    assert first.status_code == 201
    earlier = first.get_json()["id"]

    refused = officer.post(URL, json=body())
    assert refused.status_code == 409
    error = refused.get_json()["error"]
    # The refusal names the earlier record (with its link) and the rule, and nothing else.
    assert f"#{earlier}" in error["message"] and "只适用于初次违法" in error["message"]
    assert "轻微" not in error["message"] and "可按" not in error["message"]
    assert error["details"]["earlier_record"]["url"] == f"/leniency/records/{earlier}"

    switched = officer.post(URL, json=body(ground="minor"))
    assert switched.status_code == 201, switched.get_json()
    record = switched.get_json()
    assert record["status"] == "pending_review" and record["status_label"] == "待法制审核"
    assert record["review"]["earlier_record"] == earlier
    # Not effective: nothing can follow until the legal office has approved it.
    step = officer.post(
        f"{URL}/{record['id']}/commitment", json={"signed_on": days_ago(0).date().isoformat()}
    )
    assert step.status_code == 409 and "待法制审核" in step.get_json()["error"]["message"]

    # On the legal office's to-do list and its home page ...
    browser = login("legal")
    todo = browser.get("/leniency/pending-review")
    assert todo.status_code == 200
    assert f"/leniency/records/{record['id']}" in todo.get_data(as_text=True)
    home = browser.get("/").get_data(as_text=True)
    assert "待法制审核的免罚记录" in home
    # ... and a warning: repeat leniency under another ground, red after a refusal.
    run_scan(rules=(leniency_rules.OTHER_GROUND,))
    warning = db.session.scalar(select(Warning).where(Warning.rule == "leniency_other_ground"))
    assert warning is not None and warning.colour == "red"
    assert f"#{record['id']}" in warning.title and f"#{earlier}" in warning.title

    no_reason = legal.post(f"{URL}/{record['id']}/review", json={"approve": True, "note": " "})
    assert no_reason.status_code == 422
    assert (
        officer.post(
            f"{URL}/{record['id']}/review", json={"approve": True, "note": "x"}
        ).status_code
        == 403
    )
    approved = legal.post(
        f"{URL}/{record['id']}/review",
        json={"approve": True, "note": "违法行为轻微，已当场改正，无危害后果"},
    )
    assert approved.status_code == 200, approved.get_json()
    assert approved.get_json()["status"] == "recorded"
    assert approved.get_json()["review"]["reviewed_by"] == "legal"
    entry = db.session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
    assert entry.action == "leniency.review" and "违法行为轻微" in entry.summary


def test_a_minor_record_not_approved_never_takes_effect(api, catalogue, make_record):
    make_record(occurred_at=days_ago(30), ground="minor")
    held = api("officer").post(URL, json=body(ground="minor")).get_json()
    assert held["status"] == "pending_review"
    refused = api("legal").post(
        f"{URL}/{held['id']}/review", json={"approve": False, "note": "两月内三次违法，不属于轻微"}
    )
    assert refused.get_json()["status"] == "review_refused"
    again = api("legal").post(
        f"{URL}/{held['id']}/review", json={"approve": True, "note": "改变主意"}
    )
    assert again.status_code == 409


def test_a_minor_record_without_history_takes_effect_at_once(api, catalogue):
    response = api("officer").post(URL, json=body(ground="minor"))
    assert response.status_code == 201 and response.get_json()["status"] == "recorded"


def test_facts_and_education_are_required(api, catalogue):
    data = body()
    del data["facts"]
    data["education"] = "  "
    response = api("officer").post(URL, json=data)
    assert response.status_code == 422
    assert set(response.get_json()["error"]["details"]) == {"facts", "education"}
    assert _count() == 0


def test_handling_officers_from_another_squad_are_refused_by_name(api, catalogue):
    response = api("officer").post(URL, json=body(officers=["ZF1101", "ZF2101", "ZF2102"]))
    assert response.status_code == 422
    message = response.get_json()["error"]["details"]["officers"][0]
    assert "ZF2101" in message and "ZF2102" in message and "ZF1101" not in message
    assert "环境卫生第一中队" in message and "市容秩序第一中队" in message
    assert _count() == 0


def test_officers_of_a_squad_under_the_recording_unit_may_handle(app, catalogue):
    from riskctl.accounts import operations as accounts
    from tests.factories import PASSWORD, ApiClient

    accounts.create_user("zhidui", "支队队员", "officer", PASSWORD, "ZD1")
    token = accounts.issue_token("zhidui")
    db.session.commit()
    detachment = ApiClient(app.test_client(), token)
    response = detachment.post(URL, json=body(unit="ZD1", officers=["ZF1101", "ZF1201"]))
    assert response.status_code == 201, response.get_json()


def test_searching_by_full_party_id_is_forbidden_to_roles_that_see_masked_ids(
    api, make_record, login
):
    make_record()
    guess = credit_code()
    for role in ("leader", "officer"):
        assert api(role).get(f"{URL}?party_id={guess}").status_code == 403
        assert api(role).get(f"{URL}/export.xlsx?party_id={guess}").status_code == 403
        # A malformed guess gets the same answer: nothing at all is learnt.
        assert api(role).get(f"{URL}?party_id=123").status_code == 403
    assert login("leader").get(f"/leniency?party_id={guess}").status_code == 403
    searches = select(func.count(AuditEntry.seq)).where(
        AuditEntry.action == "leniency.party_id.search"
    )
    assert db.session.scalar(searches) == 0


def test_a_full_id_search_by_the_legal_office_is_audited(api, make_record):
    make_record()
    response = api("legal").get(f"{URL}?party_id={credit_code()}")
    assert response.status_code == 200 and response.get_json()["total"] == 1
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "leniency.party_id.search")
    )
    assert entry.actor == "legal" and credit_code() not in entry.summary
    assert "**" in entry.summary  # the masked id names what was searched
    api("discipline").get(f"{URL}?party_id={credit_code()}")
    assert (
        db.session.scalar(
            select(func.count(AuditEntry.seq)).where(
                AuditEntry.action == "leniency.party_id.search"
            )
        )
        == 2
    )
