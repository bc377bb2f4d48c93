"""Demo ledger items from warnings, risk measures and inspections (评查问题由案卷评查演示生成)."""

from __future__ import annotations

from datetime import timedelta

from riskctl.accounts.queries import unit_by_code
from riskctl.core import clock
from riskctl.core.calendar import add_working_days
from riskctl.rectification import operations
from riskctl.rectification.queries import items_for_source

# (source, ref, title, detail, unit, owner, working days, opened days ago, closing note)
ITEMS = [
    (
        "warning",
        "YJ-2026-007",
        "首违不罚适用率明显高于全局中位数",
        "三季度市容秩序第一中队首违不罚适用率 41%，全局中位数 18%；需逐案复核适用条件。",
        "ZD1-1",
        "一中队 张勇",
        10,
        21,
        None,
    ),
    (
        "risk_measure",
        "FX-ZD2-03/2",
        "暂扣物品处置台账未按月盘点",
        "暂扣物品库 9 月、10 月未盘点，出入库登记与实物不符 3 件。",
        "ZD2-1",
        "环卫一中队 刘强",
        15,
        17,
        None,
    ),
    (
        "inspection_result",
        "SJ-2026-03/91350100MA2XK7Q81L",
        "油烟净化设施未正常使用",
        "双随机抽查发现：餐饮店油烟净化设施未开启，已责令改正，需跟踪复查。",
        "ZD2-1",
        "环卫一中队 刘强",
        20,
        2,
        None,
    ),
    (
        "warning",
        "YJ-2026-004",
        "同一执法人员反复处理同一当事人",
        "二季度同一执法人员对同一当事人作出首违不罚 3 次，已约谈并调整办案组合。",
        "ZD1-2",
        "二中队 周敏",
        10,
        40,
        "已约谈相关人员，调整办案组合，复核 3 起案件均符合条件。",
    ),
]


def load() -> str | None:
    created = 0
    for source, ref, title, detail, unit, owner, days, ago, closing in ITEMS:
        if items_for_source(source, ref):
            continue
        item = operations.open_item(
            source, ref, title, unit_by_code(unit).id, owner, days, detail, "fazhi"
        )
        # Demo items look as if opened weeks ago, so the ledger shows every colour.
        item.opened_on = clock.today() - timedelta(days=ago)
        due = add_working_days(item.opened_on, days)
        item.deadline, item.deadline_provisional = due.date, due.provisional
        if closing:
            operations.close_item(item, closing, actor="fazhi")
        created += 1
    return f"新增 {created} 条整改事项" if created else None
