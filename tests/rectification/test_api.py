"""The ledger API: filters, colours, closing and reopening, officers' unit scope."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from riskctl.core.audit import AuditEntry
from riskctl.core.db import db
from riskctl.rectification.models import RectificationItem
from tests.factories.rectification import make_item

# Dates count from the bureau's today: run at moments where UTC and Beijing disagree.
pytestmark = pytest.mark.usefixtures("instant")

URL = "/api/v1/rectification/items"


def _refs(response) -> list[str]:
    assert response.status_code == 200, response.get_json()
    return sorted(item["source_ref"] for item in response.get_json()["items"])


def test_legal_opens_an_item_through_the_api(api, bureau):
    body = {
        "source": "inspection_result",
        "source_ref": "SJ-2026-03/91350100MA2XK7Q81L",
        "title": "油烟净化设施未正常使用",
        "unit": "ZD2-1",
        "owner": "刘强",
        "deadline_days": 10,
    }
    response = api("legal").post(URL, json=body)
    assert response.status_code == 201, response.get_json()
    item = response.get_json()
    assert (item["unit"], item["status"], item["colour"], item["deadline_days"]) == (
        "ZD2-1",
        "open",
        "green",
        10,
    )
    assert item["events"][0]["kind"] == "open"


def test_bad_input_is_refused_in_chinese_and_nothing_is_written(api, bureau):
    cases = [
        ({"source": "x", "source_ref": "1", "title": "t", "unit": "ZD1"}, "source"),
        ({"source": "warning", "source_ref": "1", "title": "t", "unit": "NOPE"}, "unit"),
        (
            {
                "source": "warning",
                "source_ref": "1",
                "title": "t",
                "unit": "ZD1",
                "deadline_days": 0,
            },
            "deadline_days",
        ),
        ({"source": "warning", "source_ref": "1", "unit": "ZD1"}, "title"),
    ]
    for body, field in cases:
        response = api("legal").post(URL, json=body)
        assert response.status_code == 422
        error = response.get_json()["error"]
        assert field in error["details"] and any(
            "\u4e00" <= ch <= "\u9fff" for ch in error["message"]
        )
    assert db.session.scalar(select(func.count()).select_from(RectificationItem)) == 0


def test_filters_by_unit_subtree_status_colour_and_source(api, bureau):
    make_item(bureau, "ZD1-1", ref="A", overdue_days=2)
    make_item(bureau, "ZD1-2", ref="B", due_in=1, source="risk_measure")
    make_item(bureau, "ZD2-1", ref="C", due_in=20)
    reader = api("discipline")
    assert _refs(reader.get(URL)) == ["A", "B", "C"]
    assert _refs(reader.get(URL + "?unit=ZD1")) == ["A", "B"]
    assert _refs(reader.get(URL + "?colour=red")) == ["A"]
    assert _refs(reader.get(URL + "?colour=yellow")) == ["B"]
    assert _refs(reader.get(URL + "?colour=green")) == ["C"]
    assert _refs(reader.get(URL + "?source=risk_measure")) == ["B"]
    assert _refs(reader.get(URL + "?status=closed")) == []
    bad = reader.get(URL + "?colour=purple")
    assert bad.status_code == 422 and "颜色" in bad.get_json()["error"]["message"]
    assert reader.get(URL + "?unit=NOPE").status_code == 422


def test_officers_see_only_their_unit_subtree(api, bureau):
    mine = make_item(bureau, "ZD1-1", ref="MINE")
    other = make_item(bureau, "ZD2-1", ref="OTHER")
    officer = api("officer")  # ZD1-1
    assert _refs(officer.get(URL)) == ["MINE"]
    assert officer.get(f"{URL}/{other.id}").status_code == 404
    assert officer.get(f"{URL}/{mine.id}").status_code == 200
    assert officer.get("/api/v1/rectification/summary").get_json()["counts"]["green"] == 1


def test_an_officer_adds_evidence_but_cannot_close(api, bureau):
    item = make_item(bureau, "ZD1-1")
    officer = api("officer")
    response = officer.post(f"{URL}/{item.id}/evidence", json={"text": "整改报告（2026-11-20）"})
    assert response.status_code == 200 and "整改报告" in response.get_json()["evidence"]
    assert officer.post(f"{URL}/{item.id}/close", json={"note": "已整改"}).status_code == 403
    assert api("leader").post(URL, json={}).status_code == 403


def test_closing_without_a_note_is_refused_and_leaves_the_item_open(api, bureau):
    item = make_item(bureau)
    audits = db.session.scalar(select(func.count()).select_from(AuditEntry))
    response = api("legal").post(
        f"{URL}/{item.id}/close", json={"note": "  ", "evidence": "照片 3 张"}
    )
    assert response.status_code == 422
    assert response.get_json()["error"]["details"] == {"note": ["此项为必填项"]}
    db.session.expire_all()
    assert db.session.get(RectificationItem, item.id).status == "open"
    assert db.session.get(RectificationItem, item.id).evidence == ""
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == audits


def test_close_then_reopen_through_the_api(api, bureau):
    item = make_item(bureau, overdue_days=1)
    legal = api("legal")
    closed = legal.post(f"{URL}/{item.id}/close", json={"note": "已补正文书"}).get_json()
    assert (closed["status"], closed["colour"], closed["closing_note"]) == (
        "closed",
        "closed",
        "已补正文书",
    )
    assert legal.post(f"{URL}/{item.id}/close", json={"note": "再来"}).status_code == 409
    assert legal.post(f"{URL}/{item.id}/reopen", json={}).status_code == 422
    reopened = legal.post(f"{URL}/{item.id}/reopen", json={"reason": "复查未通过"}).get_json()
    assert reopened["status"] == "open" and reopened["colour"] == "green"
    assert [e["kind"] for e in reopened["events"]] == ["open", "close", "reopen"]
