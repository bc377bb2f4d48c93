"""Opening, closing (销号) and reopening ledger items; every change audited."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from riskctl.core import clock, settings
from riskctl.core.audit import AuditEntry
from riskctl.core.calendar import add_working_days
from riskctl.core.db import db
from riskctl.core.errors import Conflict, ValidationFailed
from riskctl.rectification import operations, queries
from riskctl.rectification.models import RectificationItem
from tests.factories.rectification import make_item

# Dates count from the bureau's today: run at moments where UTC and Beijing disagree.
pytestmark = pytest.mark.usefixtures("instant")


def _audits(action: str) -> int:
    return db.session.scalar(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action)
    )


def test_an_item_is_due_in_working_days_and_its_opening_is_audited(bureau):
    item = operations.open_item(
        "review_finding",
        "PC-2026-1/城管罚字〔2026〕12号",
        "立案审批不及时",
        bureau.units["ZD1-1"].id,
        "张勇",
        15,
        "立案审批晚于受理 9 日",
    )
    expected = add_working_days(clock.today(), 15)
    assert (item.deadline, item.deadline_provisional) == (expected.date, expected.provisional)
    assert item.status == "open" and item.opened_on == clock.today()
    assert [e.kind for e in item.events] == ["open"]
    assert _audits("rectification.open") == 1


def test_the_default_deadline_comes_from_the_settings(bureau):
    settings.change("rectification.default_days", 7, "admin")
    item = operations.open_item("warning", "YJ-9", "预警核查", bureau.units["ZD2"].id, None)
    assert item.deadline_days == 7
    assert item.deadline == add_working_days(clock.today(), 7).date


def test_opening_the_same_source_record_twice_returns_the_open_item(bureau):
    first = make_item(bureau, ref="YJ-1")
    again = operations.open_item("warning", "YJ-1", "另一个标题", bureau.units["ZD2"].id, None, 5)
    assert again.id == first.id and again.title == first.title
    assert db.session.scalar(select(func.count()).select_from(RectificationItem)) == 1


def test_the_database_refuses_a_second_open_item_for_one_source_record(bureau):
    item = make_item(bureau, ref="YJ-1")
    twin = RectificationItem(
        source="warning",
        source_ref="YJ-1",
        title="重复",
        detail="",
        unit_id=item.unit_id,
        opened_on=clock.today(),
        deadline_days=5,
        deadline=clock.today(),
        status="open",
        evidence="",
        created_by="x",
    )
    db.session.add(twin)
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


@pytest.mark.parametrize("note", ["", "   "])
def test_closing_needs_a_note(bureau, note):
    item = make_item(bureau)
    with pytest.raises(ValidationFailed) as caught:
        operations.close_item(item, note)
    assert caught.value.details == {"note": ["销号必须填写销号说明（整改情况）"]}
    assert item.status == "open" and _audits("rectification.close") == 0


def test_closing_records_who_when_and_the_note(bureau):
    item = make_item(bureau)
    operations.close_item(item, "已补正立案审批表并组织学习", "补正后的立案审批表", actor="legal")
    assert (item.status, item.closing_note, item.closed_by) == (
        "closed",
        "已补正立案审批表并组织学习",
        "legal",
    )
    assert item.evidence == "补正后的立案审批表"
    assert [e.kind for e in item.events] == ["open", "evidence", "close"]
    assert _audits("rectification.close") == 1
    with pytest.raises(Conflict):
        operations.close_item(item, "再次销号")


def test_a_closed_item_reopens_with_a_reason_and_a_fresh_deadline(bureau):
    item = make_item(bureau, days=10, overdue_days=20)
    operations.close_item(item, "已整改")
    with pytest.raises(ValidationFailed) as caught:
        operations.reopen_item(item, " ")
    assert "原因" in caught.value.message
    operations.reopen_item(item, "复查发现问题仍然存在", 5, actor="discipline")
    assert item.status == "open" and item.closing_note is None and item.closed_at is None
    assert item.deadline == add_working_days(clock.today(), 5).date
    assert item.events[-1].kind == "reopen" and item.events[-1].note == "复查发现问题仍然存在"
    assert _audits("rectification.reopen") == 1


def test_an_open_item_cannot_be_reopened(bureau):
    with pytest.raises(Conflict):
        operations.reopen_item(make_item(bureau), "无理由")


def test_reopening_is_refused_while_another_item_for_the_record_is_open(bureau):
    old = make_item(bureau, ref="YJ-1")
    operations.close_item(old, "已整改")
    operations.open_item("warning", "YJ-1", "再次预警", bureau.units["ZD1-1"].id, None, 5)
    with pytest.raises(Conflict) as caught:
        operations.reopen_item(old, "复查未通过")
    assert "YJ-1" in caught.value.message


def test_evidence_cannot_be_added_to_a_closed_item(bureau):
    item = make_item(bureau)
    operations.close_item(item, "已整改")
    with pytest.raises(Conflict):
        operations.add_evidence(item, "补充照片")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"source": "gossip"}, "source"),
        ({"title": " "}, "title"),
        ({"days": 0}, "deadline_days"),
        ({"days": 999}, "deadline_days"),
        ({"unit_id": 999_999}, "unit"),
    ],
)
def test_bad_input_names_the_field(bureau, kwargs, field):
    args = {"source": "warning", "title": "标题", "days": 5, "unit_id": bureau.units["ZD1"].id}
    args.update(kwargs)
    with pytest.raises(ValidationFailed) as caught:
        operations.open_item(
            args["source"], "R-1", args["title"], args["unit_id"], None, args["days"]
        )
    assert field in caught.value.details


def test_sql_colours_agree_with_the_item_colours(bureau):
    today = clock.today()
    items = [
        make_item(bureau, ref="R", overdue_days=3),
        make_item(bureau, ref="Y", due_in=2),
        make_item(bureau, ref="Y0", due_in=0),
        make_item(bureau, ref="G", due_in=4),
        make_item(bureau, ref="C"),
    ]
    operations.close_item(items[-1], "已整改")
    db.session.commit()
    assert [queries.colour(i, today) for i in items] == [
        "red",
        "yellow",
        "yellow",
        "green",
        "closed",
    ]
    assert queries.colour_counts(today) == {"red": 1, "yellow": 2, "green": 1, "closed": 1}
    for name in ("red", "yellow", "green", "closed"):
        found = db.session.scalars(
            select(RectificationItem.source_ref).where(queries.colour_clause(name, today))
        ).all()
        assert sorted(found) == sorted(
            i.source_ref for i in items if queries.colour(i, today) == name
        )


def test_counts_by_unit_and_progress(bureau):
    make_item(bureau, "ZD1-1", ref="A", overdue_days=1)
    closed = make_item(bureau, "ZD2-1", ref="B")
    operations.close_item(closed, "已整改")
    db.session.commit()
    rows = {r["code"]: r for r in queries.colour_counts_by_unit(clock.today())}
    assert (rows["ZD1-1"]["red"], rows["ZD2-1"]["closed"]) == (1, 1)
    today = clock.today()
    assert queries.progress(today, today) == {"opened": 2, "closed": 1, "closed_on_time": 1}
