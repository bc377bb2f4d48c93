"""Chinese names of audit actions and audited objects, for the pages people read.

The chain stores stable English keys (``login.success``); people see 登录成功. An action
without its own name is named by its longest named prefix (``review.reviewer_draw.third``
→ 评查人员补抽), so a new action never shows as a key.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import case, literal

ACTIONS: dict[str, str] = {
    "login.success": "登录成功",
    "login.failure": "登录失败",
    "login.lock": "登录锁定",
    "login.unlock": "解除登录锁定",
    "logout": "退出登录",
    "token.issue": "签发 API 令牌",
    "token.revoke": "吊销 API 令牌",
    "user.create": "新建用户",
    "user.update": "修改用户",
    "user.active": "启用或停用用户",
    "user.password_change": "修改密码",
    "user.password_reset": "重置密码",
    "unit.create": "新建单位",
    "unit.update": "修改单位",
    "unit.deactivate": "停用单位",
    "unit.activate": "启用单位",
    "setting.change": "修改参数设置",
    "calendar.load": "载入节假日安排",
    "audit.checkpoint": "记录审计检查点",
    "risk_point": "风险点",
    "risk_point.create": "登记风险点",
    "risk_point.update": "修改风险点",
    "risk_point.review": "评估风险点",
    "risk_point.retire": "停用风险点",
    "risk_point.import": "导入风险点",
    "draw.lock": "锁定抽取清单",
    "draw.run": "执行抽取",
    "draw.full_view": "查看抽取清单全文",
    "inspection": "双随机抽查",
    "inspection.item.create": "新增抽查事项",
    "inspection.item.update": "修改抽查事项",
    "inspection.targets.import": "导入检查对象名录",
    "inspection.inspectors.import": "导入检查人员名录",
    "inspection.conflict.declare": "登记回避关系",
    "inspection.conflict.end": "终止回避关系",
    "inspection.recusal.file": "提出回避申请",
    "inspection.recusal.decide": "审批回避申请",
    "inspection.plan.create": "新建抽查计划",
    "inspection.plan.update": "修改抽查计划",
    "inspection.plan.cancel": "撤销抽查计划",
    "inspection.plan.lock": "锁定抽查计划",
    "inspection.plan.draw": "抽查计划抽取",
    "inspection.redraw.request": "提出重抽申请",
    "inspection.redraw.decide": "审批重抽申请",
    "inspection.redraw.relock": "重抽：重新锁定清单",
    "inspection.redraw.run": "执行重抽",
    "inspection.result.record": "录入检查结果",
    "inspection.result.publish": "公示检查结果",
    "inspection.attachment.add": "上传检查附件",
    "review": "案卷评查",
    "review.reviewer.add": "新增评查人员",
    "review.reviewer.active": "启用或停用评查人员",
    "review.rubric.create": "新建评查标准",
    "review.case_files.import": "导入结案案卷",
    "review.campaign.create": "新建评查活动",
    "review.campaign.update": "修改评查活动",
    "review.campaign.rubric": "更换评查标准版本",
    "review.campaign.lock": "锁定评查抽取清单",
    "review.campaign.draw": "评查活动抽取",
    "review.sheet.submit": "提交评分表",
    "review.file.confirm": "确认评查结果",
    "review.file.refer": "评查移送",
    "review.file.veto_overturned": "推翻否决项",
    "review.reviewer_draw": "评查人员补抽",
    "review.reviewer_draw.run": "执行评查人员补抽",
    "review_redraw.request": "提出评查重抽申请",
    "review_redraw.decide": "审批评查重抽申请",
    "review_redraw.relock": "评查重抽：重新锁定清单",
    "review_redraw.run": "执行评查重抽",
    "rectification.open": "新增整改事项",
    "rectification.evidence": "提交整改佐证",
    "rectification.attachment": "上传整改佐证文件",
    "rectification.close": "整改销号",
    "rectification.reopen": "重新打开整改事项",
    "leniency": "首违不罚",
    "leniency.item.create": "新增免罚事项",
    "leniency.item.change": "修改免罚事项",
    "leniency.item.import": "导入免罚清单",
    "leniency.record": "录入免罚决定",
    "leniency.commitment": "登记承诺书",
    "leniency.followup": "登记复查结果",
    "leniency.signoff": "法制科审核签字",
    "leniency.close": "免罚结案",
    "leniency.referral": "转一般程序",
    "leniency.review": "法制审核",
    "leniency.repeat_refused": "拒绝重复免罚申请",
    "leniency.attachment": "上传免罚附件",
    "leniency.party_id.view": "查看当事人证件号",
    "leniency.party_id.search": "按证件号查询当事人",
    "warning": "预警",
    "warning.raise": "产生预警",
    "warning.scan": "预警扫描",
    "warning.acknowledge": "确认预警",
    "warning.handle": "处置预警",
    "warning.close": "关闭预警",
    "warning.link": "关联预警",
    "report": "季度报告",
    "report.issue": "签发季度报告",
    "report.download": "下载季度报告",
    "report.data_hash": "核对报告数据",
    "import.discard": "放弃待确认的导入",
}

OBJECTS: dict[str, str] = {
    "user": "用户",
    "unit": "单位",
    "address": "客户端地址",
    "setting": "参数设置",
    "calendar_year": "节假日安排",
    "audit_checkpoint": "审计检查点",
    "risk_point": "风险点",
    "risk_register": "风险点登记册",
    "draw": "抽取",
    "draw_manifest": "抽取清单",
    "inspection_item": "抽查事项",
    "inspection_conflict": "回避关系",
    "inspection_recusal": "回避申请",
    "inspection_plan": "抽查计划",
    "inspection_redraw": "重抽申请",
    "inspection_task": "检查任务",
    "roster_import": "名录导入",
    "case_files": "结案案卷",
    "review_campaign": "评查活动",
    "review_file": "评查案卷",
    "review_redraw": "评查重抽申请",
    "review_rubric": "评查标准",
    "reviewer": "评查人员",
    "rectification_item": "整改事项",
    "leniency_item": "免罚事项",
    "leniency_record": "免罚决定",
    "leniency_refusal": "被拒绝的重复申请",
    "leniency_party": "当事人",
    "warning": "预警",
    "warning_rule": "预警规则",
    "warning_scan": "预警扫描",
    "quarterly_report": "季度报告",
    "staged_import": "待确认的导入",
}


def action_label(action: str) -> str:
    """登录成功 for ``login.success``; the longest named prefix otherwise; never the key."""
    parts = action.split(".")
    for end in range(len(parts), 0, -1):
        label = ACTIONS.get(".".join(parts[:end]))
        if label is not None:
            return label if end == len(parts) else f"{label}（其他操作）"
    return "其他操作"


def action_order(action: Any) -> Any:
    """SQL sort key for a column of action keys: the name ``action_label`` gives it.

    Exact keys first, then the longest named prefix (``startswith`` escaped: ``_`` is
    literal), so a list sorted by 操作 follows the Chinese names people read.
    """
    exact = [(action == key, literal(label)) for key, label in ACTIONS.items()]
    longest_first = sorted(ACTIONS.items(), key=lambda kv: kv[0].count("."), reverse=True)
    prefixed = [
        (action.startswith(f"{key}.", autoescape=True), literal(f"{label}（其他操作）"))
        for key, label in longest_first
    ]
    return case(*exact, *prefixed, else_=literal("其他操作"))


def object_label(object_type: str) -> str:
    return OBJECTS.get(object_type, "其他对象")


def action_choices() -> list[tuple[str, str]]:
    """(key, 中文名) of every named action, for the audit log's filter."""
    return sorted(
        ((k, v) for k, v in ACTIONS.items() if "." in k or k == "logout"), key=lambda kv: kv[0]
    )


# The filter's groups: a prefix finds every action under it ("登录" finds every login.*).
ACTION_GROUPS: list[tuple[str, str]] = [
    ("login", "登录（全部）"),
    ("user", "用户（全部）"),
    ("risk_point", "风险点（全部）"),
    ("inspection", "双随机抽查（全部）"),
    ("draw", "抽取（全部）"),
    ("review", "案卷评查（全部）"),
    ("rectification", "整改（全部）"),
    ("leniency", "首违不罚（全部）"),
    ("warning", "预警（全部）"),
    ("report", "季度报告（全部）"),
]

# Where an audited object is shown: (endpoint, argument name, argument type).
_PAGES: dict[str, tuple[str, str, type]] = {
    "risk_point": ("risks.detail", "point_id", int),
    "inspection_plan": ("inspection_pages.plan", "code", str),
    "inspection_task": ("inspection_results.task", "task_id", int),
    "review_campaign": ("reviews.campaign", "code", str),
    "review_file": ("review_files.review_file", "file_id", int),
    "rectification_item": ("rectification.item", "item_id", int),
    "leniency_record": ("leniency.record", "record_id", int),
    "warning": ("warnings.detail", "warning_id", int),
    "draw": ("draws.show", "draw_id", int),
    "draw_manifest": ("draws.manifest", "manifest_id", int),
}


def object_url(object_type: str, object_id: str) -> str | None:
    """The page of an audited object, when it has one."""
    from flask import url_for
    from werkzeug.routing import BuildError

    page = _PAGES.get(object_type)
    if page is None or not object_id:
        return None
    endpoint, name, kind = page
    if kind is int and not str(object_id).isdigit():
        return None
    from riskctl.core.auth.policy import current_actor, policy_of

    actor = current_actor()
    policy = policy_of(endpoint)
    if actor is None or policy is None or not policy.allows(actor.role):
        return None  # the reader may not open that page: named, not linked
    try:
        return url_for(endpoint, **{name: kind(object_id)})
    except BuildError:
        return None
