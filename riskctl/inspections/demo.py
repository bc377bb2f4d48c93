"""Demo 双随机 data: item list, both rosters, 回避 records, three plans (drawn, locked, draft)."""

from __future__ import annotations

import csv
import io

from sqlalchemy import select

from riskctl.accounts.queries import user_by_username
from riskctl.core import clock
from riskctl.core.db import db
from riskctl.core.ids import credit_code_check_char
from riskctl.inspections import operations
from riskctl.inspections.models import InspectionItem, Plan, Task
from riskctl.inspections.plans import operations as plan_operations
from riskctl.inspections.results import operations as result_operations
from riskctl.inspections.rosters.imports import INSPECTORS, TARGETS

ITEMS = [
    (
        "SX-SR-01",
        "户外广告设施和招牌设置情况检查",
        "《城市市容和环境卫生管理条例》第十一条",
        "0.05",
        "每年 1 次",
        "key",
    ),
    (
        "SX-SR-02",
        "临时占道经营及门前三包落实情况检查",
        "《城市道路管理条例》第二十七条",
        "0.05",
        "每半年 1 次",
        "general",
    ),
    (
        "SX-HW-01",
        "建筑垃圾（渣土）运输处置情况检查",
        "《城市建筑垃圾管理规定》第十四条",
        "0.1",
        "每季度 1 次",
        "key",
    ),
    (
        "SX-HW-02",
        "餐饮服务单位油烟净化设施使用情况检查",
        "《大气污染防治法》第八十一条",
        "0.1",
        "每季度 1 次",
        "key",
    ),
    (
        "SX-YL-01",
        "城市绿地占用及树木砍伐审批落实情况检查",
        "《城市绿化条例》第二十条",
        "0.03",
        "每年 1 次",
        "general",
    ),
]
STREETS = ("人民路", "解放路", "建设路", "新华路", "中山路", "文化路", "胜利街", "和平路")
BRANDS = ("鑫源", "聚福", "顺达", "宏图", "金鼎", "佳美", "福满楼", "老王家", "德顺", "瑞丰")
TRADES = (
    ("餐饮有限公司", "enterprise"),
    ("广告装饰有限公司", "enterprise"),
    ("建筑工程有限公司", "enterprise"),
    ("渣土运输有限公司", "enterprise"),
    ("烧烤店", "individual"),
    ("便利店", "individual"),
    ("汽车维修店", "individual"),
)
SQUADS = ("ZD1-1", "ZD1-2", "ZD2-1", "ZD3-1")
CLASSES = "AAABBBBBBCCCCCDD"
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗"
GIVEN = ("伟", "芳", "强", "敏", "静", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "超", "霞")
ENTROPY = "2026-11-20 中国福利彩票双色球第 2026135 期开奖号码 03 09 14 22 27 31 + 08"


def _credit(n: int, individual: bool) -> str:
    first17 = ("92" if individual else "91") + f"4104020{n:09d}"[-15:]
    return first17 + credit_code_check_char(first17)


def _csv(headers: list[str], rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    writer.writerows(rows)
    return buffer.getvalue().encode()


def _targets() -> bytes:
    rows = []
    for n in range(1, 121):
        street = STREETS[n % len(STREETS)]
        trade, kind = TRADES[n % len(TRADES)]
        name = f"{street}{BRANDS[n % len(BRANDS)]}{trade}"
        label = "企业" if kind == "enterprise" else "个体工商户"
        rows.append(
            [
                f"DX-{n:04d}",
                name,
                _credit(n, kind == "individual"),
                label,
                f"{street}{n * 7 % 300 + 1}号",
                CLASSES[n % len(CLASSES)],
                SQUADS[n % 4],
            ]
        )
    for n, street in enumerate(STREETS, 1):
        rows.append([f"LD-{n:03d}", f"{street}（全段）", "", "路段", street, "C", SQUADS[n % 4]])
    rows.append(
        ["XM-001", "城东新区安置房二期建设项目", "", "项目", "城东新区建设路以北", "D", "ZD2-1"]
    )
    return _csv([c.header for c in TARGETS.columns if c.required], rows)


def _inspectors() -> bytes:
    rows = []
    for n in range(1, 29):
        unit = (*SQUADS, "FZK")[n % 5]
        name = (
            SURNAMES[n % len(SURNAMES)]
            + GIVEN[n % len(GIVEN)]
            + ("" if n % 3 else GIVEN[(n * 2) % 15])
        )
        rows.append(
            [
                f"ZF-{n:04d}",
                name,
                f"豫执{410402 + n:06d}",
                unit,
                "市容秩序、环境卫生" if n % 2 else "园林绿化、规划建设",
                "停用" if n == 28 else "在岗",
            ]
        )
    return _csv([c.header for c in INSPECTORS.columns], rows)


def _plan(code: str, name: str, items: list[str], **extra) -> Plan:
    data = {
        "code": code,
        "name": name,
        "items": items,
        "team_size": 2,
        "cap": None,
        "exclude_recent_months": 0,
        "lookback_months": 12,
        "cross_unit": False,
        "units": None,
        "quotas": None,
        "ratios": {"A": "0.05", "B": "0.1", "C": "0.3", "D": "0.7"},
        **extra,
    }
    return plan_operations.create_plan(data, "fazhi")


def _drawn_plan() -> None:
    legal = user_by_username("fazhi")
    plan = _plan(
        "SJ-2026-Q4-01",
        "2026 年第四季度市容环卫领域双随机抽查",
        ["SX-SR-01", "SX-HW-02"],
        cross_unit=True,
    )
    plan_operations.lock_plan(plan, legal)
    plan_operations.draw_plan(
        plan, ENTROPY, "中国福利彩票双色球第 2026135 期（2026-11-20 开奖）", legal
    )
    tasks = db.session.scalars(select(Task).where(Task.plan_id == plan.id).order_by(Task.position))
    outcomes = ["no_problem", "corrected", "no_problem", "not_publicised", "no_activity", "closed"]
    notes = {
        "corrected": "门头招牌破损，已当场责令整改，复查已修复。",
        "not_publicised": "未按规定公示油烟净化设施清洗记录，已责令限期整改。",
    }
    for task, code in zip(tasks, outcomes, strict=False):
        result_operations.record_result(task, code, clock.today(), notes.get(code, ""), "duiyuan")
    db.session.flush()
    entered = [
        t.id
        for t in db.session.scalars(
            select(Task)
            .where(Task.plan_id == plan.id, Task.result_code.is_not(None))
            .order_by(Task.position)
            .limit(3)
        )
    ]
    result_operations.publish_results(plan, entered, "fazhi")


def load() -> str | None:
    if db.session.scalar(select(InspectionItem.id).limit(1)):
        return None
    for code, name, basis, ratio, frequency, category in ITEMS:
        operations.create_item(
            {
                "code": code,
                "name": name,
                "legal_basis": basis,
                "ratio": ratio,
                "frequency": frequency,
                "category": category,
                "active": True,
            },
            "fazhi",
        )
    operations.import_roster("targets", _targets(), "检查对象名录库.csv", None, "fazhi")
    operations.import_roster("inspectors", _inspectors(), "执法检查人员名录库.csv", None, "fazhi")
    operations.declare_conflict(
        "ZF-0003", "DX-0015", "近亲属关系", "检查人员配偶系该公司股东", "fazhi"
    )
    operations.declare_conflict(
        "ZF-0011", "DX-0042", "曾处理该对象案件", "2025 年曾办理该对象行政处罚案件", "fazhi"
    )
    granted = operations.file_recusal(
        "ZF-0007",
        "DX-0033",
        "该店经营者 刘某",
        "认为检查人员曾与其发生纠纷",
        clock.today(),
        "fazhi",
    )
    operations.decide_recusal(granted, True, "经核实情况属实，同意回避", "lingdao")
    operations.file_recusal(
        "ZF-0009",
        "DX-0061",
        "该公司法定代表人 赵某",
        "检查人员系其亲属的同学",
        clock.today(),
        "fazhi",
    )
    _drawn_plan()
    locked = _plan(
        "SJ-2026-Q4-02",
        "2026 年第四季度渣土运输专项双随机抽查",
        ["SX-HW-01"],
        ratios={"B": "0.2", "C": "0.5", "D": "1"},
    )
    plan_operations.lock_plan(locked, user_by_username("fazhi"))
    _plan("SJ-2027-Q1-01", "2027 年第一季度园林绿化双随机抽查（草稿）", ["SX-YL-01"])
    return "5 个抽查事项、129 个检查对象、28 名检查人员、3 个抽查计划（已抽取、已锁定、草稿）"
