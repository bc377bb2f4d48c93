"""Demo case-review data: a register of closed cases, a reviewer pool, and one campaign
drawn, partly scored and confirmed (its findings reach the rectification ledger)."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import insert, select

from riskctl.accounts import operations as accounts
from riskctl.accounts.queries import unit_by_code, user_by_username
from riskctl.core import clock
from riskctl.core.db import db
from riskctl.reviews import operations, scoresheets
from riskctl.reviews.models import Campaign, CaseFile, Reviewer, ReviewFile

# username, display name, unit, 执法证号 (the first three are the foundation's demo users)
REVIEWERS = [
    ("fazhi", None, None, "ZF-FZK-0101"),
    ("jiwei", None, None, "ZF-JW-0102"),
    ("duiyuan", None, None, "ZF-ZD11-0103"),
    ("zhaomin", "环卫一中队 赵敏", "ZD2-1", "ZF-ZD21-0204"),
    ("sunli", "园林一中队 孙立", "ZD3-1", "ZF-ZD31-0305"),
]
OFFICERS = {
    "ZD1-1": [("张勇", "ZF-ZD11-0103"), ("王磊", "ZF-ZD11-0111"), ("陈晨", "ZF-ZD11-0112")],
    "ZD1-2": [("周敏", "ZF-ZD12-0121"), ("吴刚", "ZF-ZD12-0122"), ("郑洁", "ZF-ZD12-0123")],
    "ZD2-1": [("刘强", "ZF-ZD21-0211"), ("杨帆", "ZF-ZD21-0212"), ("黄莉", "ZF-ZD21-0213")],
    "ZD3-1": [("何平", "ZF-ZD31-0311"), ("林涛", "ZF-ZD31-0312"), ("罗静", "ZF-ZD31-0313")],
}
APPROVERS = {
    "ZD1-1": ("马建国", "ZF-ZD1-0001"),
    "ZD1-2": ("马建国", "ZF-ZD1-0001"),
    "ZD2-1": ("高志远", "ZF-ZD2-0001"),
    "ZD3-1": ("宋文华", "ZF-ZD3-0001"),
}
CASE_TYPES = {
    "ZD1-1": ["占道经营", "擅自占用城市道路堆放物料", "违规设置户外广告"],
    "ZD1-2": ["占道经营", "店外经营", "擅自设置大型户外广告"],
    "ZD2-1": ["餐饮油烟超标排放", "未按规定倾倒建筑垃圾", "运输车辆带泥上路"],
    "ZD3-1": ["损坏城市绿地", "擅自砍伐城市树木", "擅自占用城市绿地"],
}
FILES_PER_UNIT = 15
CAMPAIGN = "PC-DEMO-H2"
# Sheets the demo fills in: (deductions, vetoes) per drawn file, by position.
MARKS = [
    ([("CX1", 3, "立案审批表晚于受理登记 9 个工作日"), ("WS2", 1, "决定书两处错别字")], []),
    (
        [
            ("SZ4", 2, "询问笔录未逐页签名"),
            ("FL1", 1, "引用《城市市容和环境卫生管理条例》未到款项"),
        ],
        [],
    ),
    ([], []),
    ([("CL1", 5, "决定书未说明裁量理由"), ("CL2", 4, "罚款幅度明显高于裁量基准同档")], []),
    ([("WS3", 1, "送达回证缺少受送达人签名")], [("F03", "现场检查笔录仅一名执法人员签名")]),
    ([("LJ2", 1, "卷内目录缺页码")], []),
]


def _reviewers() -> None:
    for username, display, unit, badge in REVIEWERS:
        user = user_by_username(username)
        if user is None and display:
            password = accounts.generate_password()  # reviewers the demo scores for
            user = accounts.create_user(username, display, "officer", password, unit)
        if user and not db.session.scalar(select(Reviewer.id).where(Reviewer.user_id == user.id)):
            operations.add_reviewer(username, badge, user_by_username("fazhi"))


def _case_files(rng: random.Random) -> None:
    if db.session.scalar(select(CaseFile.id).limit(1)):
        return
    rows, today = [], clock.today()
    for unit_code, officers in OFFICERS.items():
        unit = unit_by_code(unit_code)
        approver = APPROVERS[unit_code]
        for n in range(1, FILES_PER_UNIT + 1):
            pair = rng.sample(officers, 2)
            closed = today - timedelta(days=rng.randint(20, 170))
            rows.append(
                {
                    "case_no": f"城管罚决字〔{closed.year}〕{unit_code}第{n:04d}号",
                    "unit_id": unit.id,
                    "case_type": rng.choice(CASE_TYPES[unit_code]),
                    "procedure": "simple" if n % 7 == 0 else "general",
                    "handlers": [b for _, b in pair],
                    "handler_names": "、".join(p for p, _ in pair),
                    "approver": approver[1],
                    "approver_name": approver[0],
                    "closed_on": closed,
                    "penalty_fen": rng.choice([50000, 100000, 200000, 500000, 1000000]),
                    "imported_at": clock.now(),
                    "imported_by": "fazhi",
                }
            )
    db.session.execute(insert(CaseFile), rows)


def _campaign() -> Campaign:
    today = clock.today()
    data = {
        "code": CAMPAIGN,
        "name": f"{today.year}年下半年行政处罚案卷评查",
        "period_start": today - timedelta(days=180),
        "period_end": today - timedelta(days=10),
        "team_size": 2,
        "quotas": dict.fromkeys(OFFICERS, 3),
        "reviewers": [r[0] for r in REVIEWERS],
    }
    legal = user_by_username("fazhi")
    campaign = operations.create_campaign(data, legal)
    operations.lock_campaign(campaign, legal)
    operations.draw_campaign(
        campaign, f"{today.isoformat()} 福彩3D开奖号码 3 8 1", "福利彩票开奖公告", legal
    )
    return campaign


def _score(campaign: Campaign) -> int:
    legal = user_by_username("fazhi")
    files = db.session.scalars(
        select(ReviewFile)
        .where(ReviewFile.campaign_id == campaign.id)
        .order_by(ReviewFile.position)
    ).all()
    for review_file, (deductions, vetoes) in zip(files, MARKS, strict=False):
        for assignment in review_file.active_assignments:
            scoresheets.submit_sheet(
                review_file,
                assignment.reviewer.user,
                [{"code": c, "note": n} for c, n in vetoes],
                [{"code": c, "points": p, "note": n} for c, p, n in deductions],
            )
        if any(a.reviewer.user_id == legal.id for a in review_file.assignments):
            continue  # nobody confirms a file they reviewed: left 待确认 for another clerk
        scoresheets.confirm_file(review_file, legal)
        if review_file.vetoed:
            scoresheets.refer_file(review_file, "移送机关纪委，追究承办人员过错责任", legal)
    return min(len(files), len(MARKS))


def load() -> str | None:
    if db.session.scalar(select(Campaign.id).where(Campaign.code == CAMPAIGN)):
        return None
    rng = random.Random(20261121)
    _reviewers()
    _case_files(rng)
    campaign = _campaign()
    scored = _score(campaign)
    files = len(OFFICERS) * FILES_PER_UNIT
    return f"{files} 件结案案卷，评查活动 {CAMPAIGN}（已评分并确认 {scored} 件）"
