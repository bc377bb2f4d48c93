"""End-to-end scans over the other modules' tables: the SQL step finds what the pure rule
needs, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from riskctl.core import audit, clock
from riskctl.core.db import db
from riskctl.warnings import scan
from riskctl.warnings.models import Warning
from riskctl.warnings.sources import draws, inspections, leniency, register, reviews
from tests.factories.draws import manifest
from tests.factories.inspections import roster, single_task_plan
from tests.factories.leniency import leniency_item
from tests.factories.leniency import leniency_record as _record
from tests.factories.reviews import review_campaign, reviewed_file
from tests.factories.risks import held_post

# Dates count from the bureau's today: run at moments where UTC and Beijing disagree.
pytestmark = pytest.mark.usefixtures("instant")


def leniency_record(
    item, *, unit="ZD1-1", party="P1", officers=("ZF-0101", "ZF-0102"), days_ago=10
):
    """A decision ``days_ago`` days before the bureau's today, the party keyed ``key-<party>``."""
    day = clock.today() - timedelta(days=days_ago)
    return _record(item, unit, day, party=f"key-{party}", officers=officers)


def _scan(*rules) -> list[Warning]:
    report = scan.run_scan(rules=rules)
    db.session.commit()
    assert all(o.state == "ran" for o in report.outcomes), report.lines()
    return list(db.session.scalars(select(Warning).order_by(Warning.id)))


def test_the_same_party_three_times_by_one_officer_is_found(bureau):
    item = leniency_item()
    for days in (5, 50):
        leniency_record(item, party="P1", days_ago=days)
    assert _scan(leniency.SAME_PARTY) == []
    leniency_record(item, party="P1", days_ago=400)  # outside 12 months
    assert _scan(leniency.SAME_PARTY) == []
    leniency_record(item, party="P1", days_ago=100)
    found = _scan(leniency.SAME_PARTY)
    assert sorted(w.subject_key for w in found) == [
        "officer:ZF-0101:party:key-P1",
        "officer:ZF-0102:party:key-P1",
    ]
    assert [w.unit.code for w in found] == ["ZD1-1", "ZD1-1"]
    assert len(found[0].evidence) == 3


def test_a_unit_rate_far_above_the_median_is_found(bureau):
    item = leniency_item()
    for n in range(12):
        leniency_record(item, unit="ZD1-1", party=f"A{n}", days_ago=0)
    for unit in ("ZD1-2", "ZD2-1"):
        for n in range(2):
            leniency_record(
                item,
                unit=unit,
                party=f"{unit}{n}",
                days_ago=0,
                officers=(f"{unit}-1", f"{unit}-2"),
            )
    found = _scan(leniency.UNIT_RATE, leniency.OFFICER_RATE)
    assert [(w.subject_key.rsplit(":", 1)[0], w.colour) for w in found] == [
        ("unit:ZD1-1", "red"),
        ("officer:ZF-0101", "red"),
        ("officer:ZF-0102", "red"),
    ]
    assert "人均 6 件，为全局中位数 1 件的 6.0 倍" in found[0].title
    assert "（市容秩序第一中队）" in found[1].title and "参与首违不罚决定 12 件" in found[1].title
    assert [e["kind"] for e in found[1].evidence] == ["leniency_record"] * 12 + ["leniency_list"]


def test_an_inspector_sent_back_to_the_same_target_is_found(bureau):
    target, first, second = roster()
    for n in range(2):
        single_task_plan(target, (first, second), plan_code=f"CC-{n}", days_ago=30 * n)
    assert _scan(inspections.SAME_TARGET) == []
    single_task_plan(target, (first,), plan_code="CC-9", days_ago=90)
    found = _scan(inspections.SAME_TARGET)
    assert [w.subject_key for w in found] == ["inspector:ZF-0101:target:DX-001"]
    assert [e["kind"] for e in found[0].evidence] == ["inspection_task"] * 3


def test_results_published_late_or_not_at_all_are_found(bureau):
    target, first, second = roster()
    single_task_plan(target, (first, second), plan_code="CC-1", due_days_ago=-3)
    assert _scan(inspections.LATE_PUBLICATION) == []  # still within the deadline
    single_task_plan(target, (first, second), plan_code="CC-2", due_days_ago=5, published_late=True)
    single_task_plan(target, (first, second), plan_code="CC-3", due_days_ago=2)
    found = _scan(inspections.LATE_PUBLICATION)
    assert [(w.subject_key, w.colour) for w in found] == [
        ("plan:CC-2:unit:ZD1-1", "yellow"),
        ("plan:CC-3:unit:ZD1-1", "red"),
    ]


def test_failed_files_and_a_low_unit_average_are_found(bureau):
    campaign = review_campaign()
    reviewed_file(campaign, "ZD1-1", 0.0, "不合格")
    reviewed_file(campaign, "ZD1-1", 72.0, "合格")
    reviewed_file(campaign, "ZD1-1", 75.0, "合格")
    reviewed_file(campaign, "ZD2-1", 95.0, "优秀")
    found = _scan(reviews.FAILED_FILE, reviews.UNIT_AVERAGE)
    assert [(w.rule, w.unit.code, w.colour) for w in found] == [
        ("review_failed_file", "ZD1-1", "red"),
        ("review_unit_average", "ZD1-1", "yellow"),
    ]
    assert "3 卷平均 49 分，低于合格线 70 分（其中不合格 1 卷）" in found[1].title


def test_a_redrawn_plan_and_a_recusal_lifted_before_the_lock_are_found(bureau):
    manifest("CC-ONCE")
    manifest("CC-AGAIN", rounds=2)
    audit.record("inspection.conflict.end", "inspection_conflict", 7, {}, actor="legal")
    db.session.commit()
    manifest("CC-LOCKED", locked_at=clock.now() + timedelta(hours=1))
    found = _scan(draws.REDRAWN, draws.CHANGED_BEFORE_LOCK)
    assert [(w.subject_key, w.colour) for w in found] == [
        ("draw:inspection:CC-AGAIN", "yellow"),
        ("lock:inspection:CC-LOCKED", "red"),
    ]
    assert found[1].evidence[0]["args"] == {"object_type": "inspection_conflict", "object_id": "7"}


def test_register_warnings_are_linked_to_their_risk_point(bureau):
    due = held_post(title="逾期未评估", next_review=clock.today() - timedelta(days=40))
    held_post(title="按期评估", next_review=clock.today())
    found = _scan(register.REVIEW_OVERDUE)
    assert [(w.risk_point_id, w.colour, w.proposal) for w in found] == [(due.id, "red", None)]


def test_a_long_holder_of_a_high_risk_post_is_found_from_the_versions(bureau):
    long_held = held_post(
        title="暂扣物品处置",
        responsible="张三",
        holders=(("李四", 3000), ("张三", 2000), ("张三", 300)),
    )
    held_post(
        title="罚没物品保管",
        responsible="王五",
        holders=(("王五", 2500), ("赵六", 700), ("王五", 200)),
    )
    held_post(
        title="低风险岗位",
        responsible="钱七",
        likelihood=1,
        impact=1,
        holders=(("钱七", 4000),),
    )
    found = _scan(register.TENURE)
    assert [(w.subject_key, w.risk_point_id) for w in found] == [
        ("post:ZD1-1:暂扣物品保管员:张三", long_held.id)
    ]
    assert found[0].colour == "yellow"  # 2000 days: more than 5 years, less than 6
