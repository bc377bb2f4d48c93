"""案卷评查 rules: a case file graded 不合格, and a unit whose average score in a campaign
falls below the 合格 band."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from riskctl.core.db import db
from riskctl.reviews import stats
from riskctl.reviews.models import Campaign, ReviewFile
from riskctl.reviews.options import grade_bands
from riskctl.warnings.rules.base import (
    RED,
    YELLOW,
    Evidence,
    ScanContext,
    Signal,
    define_rule,
    lookback_days,
    whole,
)


@dataclass(frozen=True)
class FailedFile:
    review_file_id: int
    case_no: str
    unit: str
    unit_name: str
    campaign: str
    score: float
    grade: str
    referred: bool


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


def failed_signals(files: Sequence[FailedFile], params: Mapping[str, Any]) -> list[Signal]:
    """Each confirmed file in the failing grade is a red signal."""
    return [
        Signal(
            f"review_file:{f.review_file_id}",
            f.unit,
            RED,
            f"{f.unit_name}案卷 {f.case_no} 在评查活动 {f.campaign} 中"
            f"被评为{f.grade}（{f.score:g} 分）" + ("，已移送过错责任追究" if f.referred else ""),
            (
                Evidence(f"评查结果：案卷 {f.case_no}", "review_file", str(f.review_file_id)),
                Evidence(f"评查活动 {f.campaign}", "review_campaign", f.campaign),
            ),
        )
        for f in files
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


@dataclass(frozen=True)
class UnitAverage:
    campaign: str
    unit: str
    unit_name: str
    files: int
    average: float
    failed: int


@dataclass(frozen=True)
class Averages:
    pass_mark: float  # the lowest score of the band above the failing one (默认 合格 70)
    pass_grade: str
    rows: tuple[UnitAverage, ...]


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


def average_signals(data: Averages, params: Mapping[str, Any]) -> list[Signal]:
    """A unit with at least ``min_files`` confirmed files in a campaign averaging below the
    pass mark: yellow; red when half or more of those files failed."""
    signals = []
    for row in data.rows:
        if row.files < params["min_files"] or row.average >= data.pass_mark:
            continue
        signals.append(
            Signal(
                f"unit:{row.unit}:campaign:{row.campaign}",
                row.unit,
                RED if 2 * row.failed >= row.files else YELLOW,
                f"{row.unit_name}在评查活动 {row.campaign} 中 {row.files} 卷"
                f"平均 {row.average:g} 分，"
                f"低于{data.pass_grade}线 {data.pass_mark:g} 分（其中不合格 {row.failed} 卷）",
                (
                    Evidence(
                        f"评查活动 {row.campaign} 的评查结果",
                        "review_results",
                        row.campaign,
                        (("unit", row.unit),),
                    ),
                ),
            )
        )
    return signals


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
