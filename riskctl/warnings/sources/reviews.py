"""案卷评查 rules: what they read (confirmed review results, per campaign) and their settings."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from riskctl.core.db import db
from riskctl.reviews import stats
from riskctl.reviews.models import Campaign, ReviewFile
from riskctl.reviews.options import grade_bands
from riskctl.warnings.rules.reviews import (
    Averages,
    FailedFile,
    UnitAverage,
    average_signals,
    failed_signals,
)
from riskctl.warnings.sources.base import ScanContext, define_rule, lookback_days, whole


def _gather_failed(ctx: ScanContext, params: Mapping[str, Any]) -> list[FailedFile]:
    scope = stats.for_period(ctx.today - timedelta(days=params["days"]), ctx.today)
    return [
        FailedFile(
            f.id,
            f.case_file.case_no,
            f.case_file.unit.code,
            f.case_file.unit.name,
            f.campaign.code,
            f.score,
            f.grade,
            f.referred_at is not None,
        )
        for f in stats.failed_files(scope)
    ]


FAILED_FILE = define_rule(
    "review_failed_file",
    "不合格案卷",
    "统计期间内确认评查结果为不合格（含否决项）的案卷，每卷一条红色预警。",
    gather=_gather_failed,
    evaluate=failed_signals,
    thresholds={"days": lookback_days("统计期间（按评查结果确认日期）")},
    proposal="案件办理程序不规范、证据不充分即作出处罚决定（职权：行政处罚；环节：承办）",
)


def _gather_averages(ctx: ScanContext, params: Mapping[str, Any]) -> Averages:
    bands = grade_bands()
    failing = bands[-1][0]
    since = ctx.today - timedelta(days=params["days"])
    campaigns = db.session.scalars(
        select(Campaign)
        .where(
            Campaign.id.in_(select(ReviewFile.campaign_id).where(ReviewFile.confirmed_on >= since))
        )
        .order_by(Campaign.code)
    )
    rows = [
        UnitAverage(
            campaign.code,
            row["code"],
            row["name"],
            row["files"],
            row["average"],
            row["grades"].get(failing, 0),
        )
        for campaign in campaigns
        for row in stats.grade_shares(stats.for_campaign(campaign))
    ]
    return Averages(float(bands[-2][1]), bands[-2][0], tuple(rows))


UNIT_AVERAGE = define_rule(
    "review_unit_average",
    "单位评查平均分低于合格线",
    "单位在一次评查活动中已确认的案卷达到设定卷数、平均分低于合格等级的最低分为黄色；其中半数以上"
    "不合格为红色。",
    gather=_gather_averages,
    evaluate=average_signals,
    thresholds={
        "min_files": ("单位参与计算的最少案卷数", 3, whole(1, 10000, "卷")),
        "days": lookback_days("统计期间（按评查结果确认日期）"),
    },
    proposal="单位执法办案质量整体偏低、案件审核把关不严（职权：行政处罚；环节：审查）",
)
