"""案卷评查 rules: a case file graded 不合格, and a unit whose average score in a campaign
falls below the 合格 band."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from riskctl.warnings.rules.base import RED, YELLOW, Evidence, Signal


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
