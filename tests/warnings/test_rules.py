"""Each rule as a pure function: data that triggers it, and data that just misses it."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta, timezone

from dateutil.relativedelta import relativedelta

from riskctl.risks.queries import OverdueMeasure, OverdueReview
from riskctl.warnings.rules import draws, inspections, leniency, rectification, register, reviews
from riskctl.warnings.rules.base import RED, YELLOW, doubling, shown

TODAY = date(2026, 11, 20)
# Gathered moments reach the rules in the bureau's time (Beijing, UTC+8).
BEIJING = timezone(timedelta(hours=8))


def _colours(signals) -> dict[str, str]:
    return {s.subject_key: s.colour for s in signals}


# 首违不罚 ---------------------------------------------------------------------


def _period(rows, median=2.0):
    return leniency.PeriodRates(
        "2026-Q4", "2026年第4季度", date(2026, 10, 1), date(2026, 12, 31), median, tuple(rows)
    )


RATE = {"factor": 2.0, "min_decisions": 10}


def test_a_unit_rate_more_than_twice_the_median_with_enough_decisions_is_a_warning():
    rows = [
        leniency.RateRow("ZD1-1", "ZD1-1", "市容秩序第一中队", 10, 4.1),  # 2.05 × median
        leniency.RateRow("ZD1-2", "ZD1-2", "市容秩序第二中队", 40, 8.2),  # 4.1 × median
        leniency.RateRow("ZD2-1", "ZD2-1", "环境卫生第一中队", 12, 4.0),  # exactly twice: misses
        leniency.RateRow("ZD3-1", "ZD3-1", "园林绿化第一中队", 9, 10.0),  # 9 decisions: misses
    ]
    signals = leniency.rate_signals([_period(rows)], RATE, "unit")
    assert _colours(signals) == {"unit:ZD1-1:2026-Q4": "yellow", "unit:ZD1-2:2026-Q4": "red"}
    first = signals[0]
    assert first.title == (
        "市容秩序第一中队2026年第4季度首违不罚决定 10 件，人均 4.1 件，为全局中位数 2 件的 2.0 倍"
    )
    listing = first.evidence[-1]
    assert listing.kind == "leniency_list"
    assert dict(listing.args) == {"unit": "ZD1-1", "from": "2026-10-01", "to": "2026-12-31"}


def test_no_rate_warning_without_a_median():
    rows = [leniency.RateRow("ZD1-1", "ZD1-1", "一中队", 30, 30.0)]
    assert leniency.rate_signals([_period(rows, median=None)], RATE, "unit") == []


def test_an_officer_rate_names_the_officer_and_their_decisions():
    decisions = tuple((rid, TODAY - timedelta(days=rid)) for rid in (31, 30, 29))
    row = leniency.RateRow("ZF-0101", "ZD1-1", "市容秩序第一中队", 11, 11.0, decisions)
    signals = leniency.rate_signals([_period([row], median=5.0)], RATE, "officer")
    assert _colours(signals) == {"officer:ZF-0101:2026-Q4": "yellow"}
    assert signals[0].title == (
        "执法人员 ZF-0101（市容秩序第一中队）2026年第4季度参与首违不罚决定 11 件，"
        "为全局中位数 5 件的 2.2 倍"
    )
    assert [e.ref for e in signals[0].evidence[:3]] == ["31", "30", "29"]
    assert leniency.rate_signals([_period([row], median=5.5)], RATE, "officer") == []


def test_an_officer_rate_warning_names_the_officer_by_name_when_the_roster_knows_them():
    row = leniency.RateRow("ZF-0101", "ZD1-1", "市容秩序第一中队", 11, 11.0, person="张明")
    signals = leniency.rate_signals([_period([row], median=5.0)], RATE, "officer")
    assert signals[0].title.startswith("执法人员张明（市容秩序第一中队）2026年第4季度")
    assert "ZF-0101" not in signals[0].title


def _party(n: int, officer: str = "ZF-0101") -> leniency.PartyRepeat:
    records = tuple((100 + i, TODAY - timedelta(days=30 * i)) for i in range(n))
    return leniency.PartyRepeat(
        officer, f"key-{officer}-{n}", "4101**********1234 张某", "ZD1-1", records
    )


def test_one_officer_deciding_for_the_same_party_three_times_is_a_warning():
    params = {"times": 3, "months": 12}
    signals = leniency.repeat_signals([_party(2, "A"), _party(3, "B"), _party(6, "C")], params)
    assert _colours(signals) == {
        "officer:B:party:key-B-3": "yellow",
        "officer:C:party:key-C-6": "red",
    }
    assert "12 个月内 3 次对同一当事人（4101**********1234 张某）" in signals[0].title
    assert [e.kind for e in signals[0].evidence] == ["leniency_record"] * 3


def _other_ground(refusals: tuple[int, ...]) -> leniency.OtherGround:
    return leniency.OtherGround(
        41,
        date(2026, 11, 2),
        "decided",
        "ZD1-1",
        "4101**********1234 张某",
        7,
        date(2026, 3, 5),
        refusals,
    )


def test_leniency_again_under_the_other_ground_is_yellow_and_red_after_a_refused_attempt():
    params = {"months": 24}
    plain, switched = _other_ground(()), replace(_other_ground((3,)), record_id=42)
    signals = leniency.other_ground_signals([plain, switched], params)
    assert _colours(signals) == {"record:41": "yellow", "record:42": "red"}
    assert signals[0].title == (
        "当事人 4101**********1234 张某 在 24 个月内就同一事项再次获得免罚，"
        "改按轻微不罚作出（记录 #41，在先记录 #7）"
    )
    assert signals[1].title.endswith("，此前同一事项的首违申请曾被拒绝")
    assert [(e.kind, e.ref) for e in signals[0].evidence] == [
        ("leniency_record", "41"),
        ("leniency_record", "7"),
    ]
    assert signals[1].evidence[-1].kind == "leniency_refusals"
    assert leniency.other_ground_signals([], params) == []


def test_a_count_is_yellow_from_its_threshold_and_red_from_twice_it():
    assert [doubling(n, 3) for n in (2, 3, 5, 6, 9)] == [None, YELLOW, YELLOW, RED, RED]
    assert doubling(2.9, 1.5) == YELLOW
    assert doubling(3.0, 1.5) == RED


# 双随机 ------------------------------------------------------------------------


def _target(n: int, inspector: str) -> inspections.TargetRepeat:
    tasks = tuple((i, f"CC-2026-0{i}") for i in range(1, n + 1))
    return inspections.TargetRepeat(inspector, "王五", "DX-001", "某某餐饮店", "ZD1-1", tasks)


def test_an_inspector_sent_to_the_same_target_three_times_is_a_warning():
    params = {"times": 3, "months": 12}
    signals = inspections.repeat_signals(
        [_target(2, "A"), _target(3, "B"), _target(6, "C")], params
    )
    assert _colours(signals) == {
        "inspector:B:target:DX-001": "yellow",
        "inspector:C:target:DX-001": "red",
    }


def _late(late: int, overdue: int) -> inspections.LatePublication:
    tasks = tuple((i, TODAY - timedelta(days=i)) for i in range(1, late + overdue + 1))
    return inspections.LatePublication(
        "CC-2026-01", "ZD1-1", "市容秩序第一中队", late, overdue, tasks
    )


def test_results_published_late_are_yellow_and_unpublished_ones_red():
    signals = inspections.late_signals([_late(2, 0)], {"min_tasks": 1, "months": 12})
    assert _colours(signals) == {"plan:CC-2026-01:unit:ZD1-1": "yellow"}
    assert "2 项公示超期" in signals[0].title
    signals = inspections.late_signals([_late(1, 1)], {"min_tasks": 1, "months": 12})
    assert signals[0].colour == "red" and "1 项逾期未公示、1 项公示超期" in signals[0].title
    assert inspections.late_signals([_late(1, 1)], {"min_tasks": 3, "months": 12}) == []


# 案卷评查 ----------------------------------------------------------------------


def test_a_failed_case_file_is_a_red_warning():
    failed = reviews.FailedFile(
        7, "城管罚字〔2026〕18号", "ZD1-1", "市容秩序第一中队", "PC-2026-H2", 0.0, "不合格", True
    )
    signals = reviews.failed_signals([failed], {"days": 365})
    assert _colours(signals) == {"review_file:7": "red"}
    assert "被评为不合格（0 分），已移送过错责任追究" in signals[0].title
    assert reviews.failed_signals([], {"days": 365}) == []


def _average(files: int, average: float, failed: int = 0, unit: str = "ZD1-1"):
    return reviews.UnitAverage("PC-2026-H2", unit, unit, files, average, failed)


def test_a_unit_averaging_below_the_pass_mark_is_a_warning():
    data = reviews.Averages(
        70.0,
        "合格",
        (
            _average(3, 69.5, unit="A"),  # just below
            _average(3, 70.0, unit="B"),  # on the mark: misses
            _average(2, 40.0, 1, unit="C"),  # too few files: misses
            _average(4, 50.0, 2, unit="D"),  # half failed: red
        ),
    )
    signals = reviews.average_signals(data, {"min_files": 3, "days": 365})
    assert _colours(signals) == {
        "unit:A:campaign:PC-2026-H2": "yellow",
        "unit:D:campaign:PC-2026-H2": "red",
    }
    assert "平均 69.5 分，低于合格线 70 分" in signals[0].title


# 整改台账与风险点台账 -------------------------------------------------------------


def test_a_unit_with_overdue_rectification_items_is_a_red_warning():
    unit = rectification.OverdueUnit(
        "ZD1-1", "市容秩序第一中队", 2, ((3, "文书不规范", TODAY), (4, "照片缺失", TODAY))
    )
    assert _colours(rectification.evaluate([unit], {"min_items": 2})) == {"unit:ZD1-1": "red"}
    assert rectification.evaluate([unit], {"min_items": 3}) == []


def _review(days: int, point: int = 1) -> OverdueReview:
    due = TODAY - timedelta(days=days)
    return OverdueReview(
        point, "ZD1-1", "市容秩序第一中队", "执法队员", "暂扣物品处置不规范", "张勇", due, days
    )


def test_an_overdue_review_warns_from_the_set_days_and_turns_red_later():
    params = {"min_days": 7, "red_days": 30}
    signals = register.review_signals([_review(6, 1), _review(7, 2), _review(30, 3)], params)
    assert [(s.risk_point_id, s.colour) for s in signals] == [(2, "yellow"), (3, "red")]
    assert (
        signals[0].subject_key == f"risk_point:2:review:{(TODAY - timedelta(days=7)).isoformat()}"
    )


def test_overdue_measures_are_one_warning_per_risk_point():
    def measure(point: int, text: str, days: int) -> OverdueMeasure:
        return OverdueMeasure(
            point,
            "ZD1-1",
            "市容秩序第一中队",
            "罚没款管理",
            text,
            "李会计",
            TODAY - timedelta(days=days),
            days,
        )

    rows = [measure(1, "建立台账", 3), measure(1, "双人复核", 40), measure(2, "公示", 1)]
    signals = register.measure_signals(rows, {"min_days": 2, "red_days": 30})
    assert [(s.subject_key, s.colour, len(s.evidence)) for s in signals] == [
        ("risk_point:1:measures", "red", 2)
    ]
    assert "有 2 项防控措施逾期未落实，最长逾期 40 天" in signals[0].title


def test_holding_a_high_risk_post_past_the_tenure_is_a_warning():
    def holding(months: int, person: str) -> register.Holding:
        return register.Holding(
            "ZD1-1",
            "市容秩序第一中队",
            "暂扣物品保管员",
            person,
            TODAY - relativedelta(months=months),
            ((5, "暂扣物品处置"),),
        )

    data = register.Holdings(TODAY, (holding(59, "甲"), holding(60, "乙"), holding(72, "丙")))
    signals = register.tenure_signals(data, {"months": 60})
    assert _colours(signals) == {
        "post:ZD1-1:暂扣物品保管员:乙": "yellow",
        "post:ZD1-1:暂扣物品保管员:丙": "red",
    }
    assert "已 5 年 0 个月，超过轮岗期限 60 个月" in signals[0].title
    assert signals[0].risk_point_id == 5


# 公开随机抽取 --------------------------------------------------------------------


def _rounds(n: int) -> draws.Redrawn:
    moment = datetime(2026, 11, 1, 10, tzinfo=BEIJING)
    return draws.Redrawn(
        "inspection",
        f"CC-{n}",
        tuple(
            draws.DrawRound(
                10 + r,
                r,
                moment,
                None if r == 1 else "抽中对象已注销",
                None if r == 1 else "lingdao",
            )
            for r in range(1, n + 1)
        ),
    )


def test_a_redrawn_plan_is_a_warning_and_redrawing_twice_is_red():
    signals = draws.redraw_signals(
        [_rounds(1), _rounds(2), _rounds(3)], {"redraws": 1, "months": 12}
    )
    assert _colours(signals) == {"draw:inspection:CC-2": "yellow", "draw:inspection:CC-3": "red"}
    assert "已重抽 1 次（最近一次理由：抽中对象已注销）" in signals[0].title
    assert [e.kind for e in signals[0].evidence] == ["draw", "draw", "inspection_plan"]


def _locked(*actions: str) -> draws.Locked:
    at = datetime(2026, 11, 1, 16, tzinfo=BEIJING)
    changes = tuple(
        draws.Change(n, at - timedelta(hours=1), "fazhi", action, "x", str(n))
        for n, action in enumerate(actions, 1)
    )
    return draws.Locked("inspection", f"CC-{len(actions)}-{actions[:1]}", at, changes)


def test_inputs_changed_just_before_the_lock_are_a_warning_and_a_lifted_recusal_red():
    params = {"hours": 24, "min_changes": 1, "months": 12}
    imported = _locked("inspection.targets.import")
    lifted = _locked("inspection.conflict.end")
    signals = draws.lock_signals([_locked(), imported, lifted], params)
    assert [s.colour for s in signals] == ["yellow", "red"]
    assert (
        "锁定（2026-11-01 16:00）前 24 小时内抽取依据被改动 1 次：导入检查对象名录"
        in signals[0].title
    )
    assert draws.lock_signals([imported], {**params, "min_changes": 2}) == []


def test_a_change_concerns_every_manifest_of_its_kind_or_only_its_own_subject():
    def change(action: str, object_id: str = "x") -> draws.Change:
        return draws.Change(
            1, datetime(2026, 11, 1, 15, tzinfo=BEIJING), "fazhi", action, "o", object_id
        )

    assert draws.concerns(change("inspection.conflict.end"), "inspection", "CC-1")
    assert not draws.concerns(change("inspection.conflict.end"), "review", "PC-1")
    rubric = change("review.campaign.rubric", "PC-1")
    assert draws.concerns(rubric, "review", "PC-1")
    assert not draws.concerns(rubric, "review", "PC-2")
    assert not draws.concerns(rubric, "inspection", "PC-1")


def test_a_gathered_moment_is_shown_as_the_bureau_reads_it():
    assert shown(datetime(2026, 12, 4, 1, 35, 59, tzinfo=BEIJING)) == "2026-12-04 01:35"


def test_a_same_party_warning_names_the_officer_by_name_when_the_roster_knows_them():
    repeat = replace(_party(3), person="张明")
    signals = leniency.repeat_signals([repeat], {"times": 3, "months": 12})
    assert signals and signals[0].title.startswith("执法人员张明在 12 个月内 3 次")
    assert "ZF-0101" not in signals[0].title
