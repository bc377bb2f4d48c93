"""Demo register: a dozen risk points of the demo bureau, with edits, reviews and one retired."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select

from riskctl.accounts.models import Unit
from riskctl.core import clock
from riskctl.core.db import db
from riskctl.risks import operations
from riskctl.risks.models import RiskPoint

ACTOR = "jiwei"
LEADER = "陈明"


def _points(today: date) -> list[dict[str, Any]]:
    def m(text: str, owner: str = "", days: int | None = None, status: str = "planned"):
        deadline = today + timedelta(days=days) if days is not None else None
        return {"text": text, "owner": owner, "deadline": deadline, "status": status}

    return [
        dict(
            unit="ZD1-1",
            post="现场执法岗",
            power="行政处罚",
            stage="承办",
            title="对占道经营等违法行为选择性执法、以罚代管",
            description="对熟人、关系户不予查处或从轻处理；同类违法行为处罚标准不一",
            category="岗位职责风险",
            likelihood=3,
            impact=3,
            responsible="张勇",
            indicator="同一当事人一年内被从轻处罚的次数；执法记录仪开启率",
            measures=[
                m("执法全过程佩戴执法记录仪，音视频留存不少于 6 个月", "张勇", 60, "in_progress"),
                m("同类案件处罚结果每月比对并在队务会通报", "李明", 30),
            ],
        ),
        dict(
            unit="ZD1-1",
            post="案件审核岗",
            power="行政处罚",
            stage="决定",
            title="滥用自由裁量权，随意减免罚款",
            description="不按裁量基准确定罚款数额；未经集体讨论减免罚款",
            category="制度机制风险",
            likelihood=3,
            impact=2,
            responsible="王芳",
            indicator="减免罚款案件占比；未经集体讨论的减免件数",
            measures=[m("严格执行《行政处罚自由裁量基准》，减免须经案审会集体讨论", "王芳", 90)],
        ),
        dict(
            unit="ZD1-2",
            post="暂扣物品保管岗",
            power="暂扣物品处置",
            stage="执行",
            title="暂扣物品登记不全、私自处置或占用",
            description="暂扣物品清单与实物不符；超期未处理物品去向不明",
            category="岗位职责风险",
            likelihood=2,
            impact=3,
            responsible="赵磊",
            indicator="暂扣物品台账与实物抽盘差异数",
            measures=[m("暂扣物品入库双人清点、拍照登记")],
        ),
        dict(
            unit="ZD2-1",
            post="罚没款收缴岗",
            power="罚没款管理",
            stage="执行",
            title="当场收缴罚款不开具票据、截留坐支罚没款",
            description="收缴罚款不开具财政票据；罚没款未按时上缴国库",
            category="岗位职责风险",
            likelihood=2,
            impact=3,
            responsible="刘洋",
            indicator="罚没款上缴时限；票据核销差异",
            measures=[
                m("全面推行非现场缴款，当场收缴须两人在场并当日上缴", "刘洋", -15),
                m("每月核对票据存根与上缴记录", "孙丽", 20, "in_progress"),
            ],
        ),
        dict(
            unit="FZK",
            post="法制审核岗",
            power="行政处罚",
            stage="审查",
            title="重大执法决定法制审核流于形式",
            description="审核意见照抄承办意见；应审未审即作出决定",
            category="制度机制风险",
            likelihood=2,
            impact=2,
            responsible="李法",
            indicator="重大执法决定法制审核率",
            measures=[m("落实《重大执法决定法制审核制度》，审核意见须逐项写明依据", "李法", 120)],
        ),
        dict(
            unit="BGS",
            post="采购管理岗",
            power="政府采购",
            stage="决定",
            title="规避公开招标、指定招标代理机构",
            description="化整为零规避招标；与代理机构或供应商私下接触",
            category="外部环境风险",
            likelihood=2,
            impact=3,
            responsible="周静",
            indicator="单一来源与询价采购金额占比",
            measures=[m("落实招标代理机构“黑名单”制度，采购需求集体决策", "周静", 45)],
        ),
        dict(
            unit="ZD2",
            post="审批服务岗",
            power="行政许可",
            stage="受理",
            title="临时占道设置摊点审批中吃拿卡要、故意拖延",
            description="不一次性告知材料；超时限办理；收受申请人财物",
            category="思想道德风险",
            likelihood=2,
            impact=2,
            responsible="吴刚",
            indicator="审批超时件数；投诉举报件数",
            next_review=today - timedelta(days=20),
            measures=[m("推行网上办理与“1 个工作日办结”承诺，办理进度公开", "吴刚", 30)],
        ),
        dict(
            unit="ZD3-1",
            post="巡查岗",
            power="行政处罚",
            stage="受理",
            title="巡查发现违法建设不报告、不制止，通风报信",
            description="对巡查发现的问题瞒报、迟报；向当事人泄露执法行动信息",
            category="思想道德风险",
            likelihood=1,
            impact=3,
            responsible="郑伟",
            indicator="网格巡查上报及时率",
        ),
        dict(
            unit="BGS",
            post="人事管理岗",
            power="人事",
            stage="决定",
            title="干部选拔任用中违反程序、任人唯亲",
            description="不按规定程序酝酿、考察；考察材料失真",
            category="制度机制风险",
            likelihood=1,
            impact=3,
            responsible="周静",
            indicator="选拔任用全程纪实完整率",
        ),
        dict(
            unit="ZD1",
            post="渣土监管岗",
            power="行政许可",
            stage="执行",
            title="工程建设（渣土）保证金应退不退或违规退还",
            description="保证金清退拖延；未经核查即退还",
            category="岗位职责风险",
            likelihood=2,
            impact=1,
            responsible="陈晨",
            indicator="保证金清退平均时长",
            measures=[m("保证金清退实行台账管理，逐笔公示", "陈晨", 60, "done")],
        ),
        dict(
            unit="ZD2-1",
            post="执法辅助岗",
            power="行政强制",
            stage="执行",
            title="协管人员越权执法、违规参与暂扣",
            category="岗位职责风险",
            description="协管人员单独开展执法、实施暂扣",
            likelihood=1,
            impact=2,
            indicator="协管人员单独执法投诉件数",
        ),
        dict(
            unit="FZK",
            post="双随机抽查岗",
            power="行政检查",
            stage="决定",
            title="人为干预“双随机”抽查对象和检查人员",
            description="抽取前修改名录库；抽取后私自调换检查人员",
            category="制度机制风险",
            likelihood=1,
            impact=3,
            responsible="李法",
            indicator="抽取结果与实际检查人员一致率",
            measures=[m("抽取全程留痕，抽取结果与验证数据公开", "李法", 30, "in_progress")],
        ),
        dict(
            unit="ZD1-2",
            post="罚没票据管理岗",
            power="罚没款管理",
            stage="执行",
            title="纸质罚没款票据领用、核销管理不规范",
            category="制度机制风险",
            description="票据领用无登记；作废票据未收回",
            likelihood=1,
            impact=2,
            responsible="赵磊",
            indicator="票据核销差异数",
        ),
    ]


def load_demo() -> str | None:
    """Add the demo register unless there already is one."""
    if db.session.scalar(select(func.count(RiskPoint.id))):
        return None
    known = set(db.session.scalars(select(Unit.code)))
    today = clock.today()
    points = []
    for data in _points(today):
        if data["unit"] in known:
            data.setdefault("supervisor", LEADER)
            points.append(operations.create_point(data, actor=ACTOR, today=today))
    by_title = {p.title: p for p in points}
    _history(by_title)
    return f"已登记 {len(points)} 个风险点（含修改、评估与停用记录）"


def _history(by_title: dict[str, RiskPoint]) -> None:
    first = by_title.get("对占道经营等违法行为选择性执法、以罚代管")
    if first is not None:
        operations.update_point(
            first, {"responsible": "张勇、李明"}, "2026 年度廉政风险排查后补充责任人", actor=ACTOR
        )
    second = by_title.get("滥用自由裁量权，随意减免罚款")
    if second is not None:
        operations.record_review(
            second, "季度评估：减免案件均经集体讨论，风险可控，维持原等级", actor=ACTOR
        )
    old = by_title.get("纸质罚没款票据领用、核销管理不规范")
    if old is not None:
        operations.retire_point(old, "已全面推行电子票据，纸质票据停止使用", actor=ACTOR)
