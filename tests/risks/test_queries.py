"""Overdue reviews and measures, quality problems and aggregates, all computed in SQL."""

from datetime import date

from riskctl.accounts.queries import visible_unit_ids
from riskctl.core.db import db
from riskctl.risks import operations, queries
from riskctl.risks.filters import RiskFilter, list_query
from tests.risks.conftest import make_point

DAY = date(2026, 6, 1)


def measure(text, owner="张勇", deadline="2026-05-01", status="planned"):
    return {"text": text, "owner": owner, "deadline": deadline, "status": status}


def register(bureau):
    """Five points on 2026-06-01: two overdue reviews, one overdue measure, one retired."""
    late_review = make_point(
        title="审批拖延", unit="ZD2-1", likelihood=2, impact=2, next_review="2026-05-20"
    )
    late_measure = make_point(
        title="罚款截留",
        unit="ZD1-2",
        measures=[
            measure("当日上缴", deadline="2026-05-15"),
            measure("已办结的措施", deadline="2026-04-01", status="done"),
            measure("尚未到期", deadline="2026-07-01"),
        ],
    )
    no_owner = make_point(
        title="暂扣物品私分",
        unit="ZD1-1",
        measures=[measure("双人清点", owner="", deadline=None)],
        responsible="",
        next_review="2026-06-30",
    )
    fine = make_point(
        title="选择性执法",
        unit="ZD1-1",
        likelihood=1,
        impact=1,
        measures=[],
        next_review="2026-09-01",
    )
    retired = make_point(title="纸质票据", unit="ZD1-1", next_review="2026-01-01", responsible="")
    operations.retire_point(retired, "停用纸质票据")
    db.session.commit()
    return late_review, late_measure, no_owner, fine


def test_overdue_reviews_are_active_points_past_their_date(bureau):
    late_review, *_ = register(bureau)
    rows = queries.overdue_reviews(DAY)
    overdue_ids = [r.point_id for r in rows]
    assert late_review.id in overdue_ids
    assert all(r.next_review < DAY for r in rows)
    first = next(r for r in rows if r.point_id == late_review.id)
    assert (first.unit_code, first.days_overdue, first.responsible) == ("ZD2-1", 12, "张勇")


def test_overdue_measures_are_unfinished_and_past_their_deadline(bureau):
    _, late_measure, *_ = register(bureau)
    rows = [r for r in queries.overdue_measures(DAY) if r.point_id == late_measure.id]
    assert [(r.measure, r.deadline, r.days_overdue) for r in rows] == [
        ("当日上缴", date(2026, 5, 15), 17)
    ]


def test_overdue_counts_match_the_lists_and_ignore_retired_points(bureau):
    register(bureau)
    reviews, measures = queries.overdue_counts(DAY)
    assert reviews == len(queries.overdue_reviews(DAY))
    assert measures == len(queries.overdue_measures(DAY))
    assert "纸质票据" not in [r.title for r in queries.overdue_reviews(DAY)]


def test_quality_lists_each_broken_rule_with_its_reason(bureau):
    late_review, late_measure, no_owner, fine = register(bureau)
    problems = queries.quality_problems(DAY)
    found = {(p.point_id, p.rule): p.reason for p in problems}
    assert found[(late_review.id, "review_overdue")] == "应于 2026-05-20 评估，已逾期 12 天"
    assert found[(late_measure.id, "measure_overdue")] == (
        "防控措施“当日上缴”应于 2026-05-15 完成，已逾期 17 天"
    )
    assert "没有一条同时写明责任人和完成时限" in found[(no_owner.id, "high_without_measure")]
    assert found[(no_owner.id, "no_responsible")] == "未填写责任人"
    assert not [p for p in problems if p.point_id == fine.id]
    assert "纸质票据" not in {p.title for p in problems}
    assert queries.quality_counts(DAY) == {
        "high_without_measure": 1,
        "review_overdue": 1,
        "measure_overdue": 1,
        "no_responsible": 1,
    }


def test_quality_can_be_narrowed_to_one_rule_and_paged(bureau):
    register(bureau)
    only = queries.quality_problems(DAY, rule="no_responsible")
    assert [p.rule for p in only] == ["no_responsible"]
    assert len(queries.quality_problems(DAY, limit=2)) == 2
    assert len(queries.quality_problems(DAY, limit=2, offset=2)) == 2


def test_a_high_point_with_a_complete_measure_is_fine(bureau):
    make_point(measures=[measure("全程记录", deadline="2026-12-31")], next_review="2026-12-31")
    assert queries.quality_problems(DAY) == []


def test_an_officer_sees_only_their_subtree(bureau):
    register(bureau)
    officer = visible_unit_ids(bureau.users["officer"])  # ZD1-1
    assert {p.unit_code for p in queries.quality_problems(DAY, officer)} == {"ZD1-1"}
    assert queries.overdue_reviews(DAY, officer) == []
    assert queries.overdue_measures(DAY, officer) == []


def test_counts_by_level_and_unit_and_heat_map(bureau):
    register(bureau)
    counts = {(c.unit_code, c.level): c.count for c in queries.counts_by_level_and_unit()}
    assert counts == {
        ("ZD1-1", "高"): 1,
        ("ZD1-1", "低"): 1,
        ("ZD1-2", "高"): 1,
        ("ZD2-1", "中"): 1,
    }
    heat = queries.heat_map()
    assert heat.total == 4
    assert heat.counts[2][2] == 2 and heat.counts[1][1] == 1 and heat.counts[0][0] == 1
    assert heat.levels[2][2] == "高"
    zd1 = queries.heat_map("ZD1")  # the detachment with its squads
    assert zd1.total == 3
    officer = queries.heat_map(unit_ids=visible_unit_ids(bureau.users["officer"]))
    assert officer.total == 2


def test_list_filters_by_unit_subtree_level_status_overdue_and_text(bureau):
    late_review, late_measure, no_owner, fine = register(bureau)

    def ids(**args):
        flt = RiskFilter.from_args(args)
        return {p.id for p in db.session.scalars(list_query(flt, None, DAY))}

    assert ids(unit="ZD1") == {late_measure.id, no_owner.id, fine.id}
    assert ids(level="低") == {fine.id}
    assert ids(level="一级") == {late_measure.id, no_owner.id}
    assert ids(overdue="review") == {late_review.id}
    assert ids(overdue="measure") == {late_measure.id}
    assert ids(overdue="any") == {late_review.id, late_measure.id}
    assert ids(q="截留") == {late_measure.id}
    assert ids(q="100%") == set()  # LIKE wildcards are taken literally
    assert len(ids(status="retired")) == 1
    assert len(ids(status="all")) == 5
    assert ids(unit="ZD1", level="高", q="暂扣") == {no_owner.id}
    assert late_review.id in ids(status="active")
