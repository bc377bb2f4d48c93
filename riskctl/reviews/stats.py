"""Review statistics as SQL aggregates: per campaign (results page) or per period
(quarterly report, warnings): grade shares and averages per unit, the most frequent
deductions, 不合格 files and referrals."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import selectinload

from riskctl.accounts.models import Unit
from riskctl.core.db import db
from riskctl.reviews.models import Campaign, CaseFile, Finding, ReviewFile
from riskctl.reviews.options import grade_bands
from riskctl.reviews.scoring import failing_grade

Scope = ColumnElement[bool]


def for_campaign(campaign: Campaign) -> Scope:
    return (ReviewFile.campaign_id == campaign.id) & ReviewFile.superseded.is_(False)


def for_period(start: date, end: date) -> Scope:
    """Files whose result was confirmed in [start, end] (e.g. a quarter)."""
    return and_(ReviewFile.confirmed_on >= start, ReviewFile.confirmed_on <= end)


def _confirmed(scope: Scope, unit_ids: Sequence[int] | None) -> list[ColumnElement[bool]]:
    clauses = [scope, ReviewFile.status == "confirmed"]
    if unit_ids is not None:
        clauses.append(CaseFile.unit_id.in_(unit_ids))
    return clauses


def progress(campaign: Campaign, unit_ids: Sequence[int] | None = None) -> dict[str, int]:
    """Drawn files by state: 待评分 assigned, 待确认 scored, 已确认 confirmed."""
    query = (
        select(ReviewFile.status, func.count())
        .join(CaseFile)
        .where(for_campaign(campaign))
        .group_by(ReviewFile.status)
    )
    if unit_ids is not None:
        query = query.where(CaseFile.unit_id.in_(unit_ids))
    counts = {"assigned": 0, "scored": 0, "confirmed": 0, **dict(db.session.execute(query).all())}
    counts["total"] = sum(counts.values())
    return counts


def grade_shares(scope: Scope, unit_ids: Sequence[int] | None = None) -> list[dict[str, Any]]:
    """Per unit: confirmed files, count per grade, share per grade, average score."""
    query = (
        select(
            Unit.code,
            Unit.name,
            Unit.path,
            ReviewFile.grade,
            func.count(),
            func.sum(ReviewFile.score),
        )
        .select_from(ReviewFile)
        .join(CaseFile)
        .join(Unit, Unit.id == CaseFile.unit_id)
        .where(*_confirmed(scope, unit_ids))
        .group_by(Unit.code, Unit.name, Unit.path, ReviewFile.grade)
    )
    grades = [name for name, _ in grade_bands()]
    units: dict[str, dict[str, Any]] = {}
    for code, name, path, grade, count, total in db.session.execute(query):
        row = units.setdefault(
            code,
            {
                "code": code,
                "name": name,
                "path": path,
                "files": 0,
                "total_score": 0.0,
                "grades": dict.fromkeys(grades, 0),
            },
        )
        row["files"] += count
        row["total_score"] += float(total or 0)
        row["grades"][grade] = row["grades"].get(grade, 0) + count
    result = []
    for row in sorted(units.values(), key=lambda r: r["path"]):
        files = row.pop("files")
        total = row.pop("total_score")
        row.pop("path")
        row.update(
            files=files,
            average=round(total / files, 1),
            shares={g: round(n / files, 4) for g, n in row["grades"].items()},
        )
        result.append(row)
    return result


def totals(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The bureau-wide line of ``grade_shares`` rows."""
    files = sum(r["files"] for r in rows)
    grades = {name: sum(r["grades"].get(name, 0) for r in rows) for name, _ in grade_bands()}
    average = round(sum(r["average"] * r["files"] for r in rows) / files, 1) if files else None
    return {
        "files": files,
        "grades": grades,
        "average": average,
        "shares": {g: round(n / files, 4) if files else 0 for g, n in grades.items()},
    }


def frequent_deductions(
    scope: Scope, limit: int = 10, unit_ids: Sequence[int] | None = None
) -> list[dict[str, Any]]:
    """The most frequent findings (常见问题): files concerned and points deducted."""
    query = (
        select(
            Finding.item_code,
            Finding.item_text,
            Finding.group_name,
            Finding.kind,
            func.count(func.distinct(Finding.review_file_id)).label("files"),
            func.sum(Finding.points).label("points"),
        )
        .join(ReviewFile, ReviewFile.id == Finding.review_file_id)
        .join(CaseFile)
        .where(*_confirmed(scope, unit_ids))
        .group_by(Finding.item_code, Finding.item_text, Finding.group_name, Finding.kind)
        .order_by(func.count(func.distinct(Finding.review_file_id)).desc(), Finding.item_code)
        .limit(limit)
    )
    return [
        {
            "code": code,
            "text": text,
            "group": group,
            "kind": kind,
            "files": files,
            "points": float(points or 0),
        }
        for code, text, group, kind, files, points in db.session.execute(query)
    ]


def failed_files(scope: Scope, unit_ids: Sequence[int] | None = None) -> list[ReviewFile]:
    """Confirmed files in the failing grade (默认 不合格), with their referral state."""
    query = (
        select(ReviewFile)
        .join(CaseFile)
        .where(*_confirmed(scope, unit_ids), ReviewFile.grade == failing_grade(grade_bands()))
        .options(
            selectinload(ReviewFile.case_file).selectinload(CaseFile.unit),
            selectinload(ReviewFile.campaign),
        )
        .order_by(ReviewFile.score, ReviewFile.id)
    )
    return list(db.session.scalars(query))


def files_reviewed(start: date, end: date) -> int:
    """Files whose review result was confirmed in [start, end]."""
    query = (
        select(func.count())
        .select_from(ReviewFile)
        .where(for_period(start, end), ReviewFile.status == "confirmed")
    )
    return db.session.scalar(query)


def period_summary(start: date, end: date, limit: int = 10) -> dict[str, Any]:
    """What the quarterly report needs of reviews, in one call."""
    scope = for_period(start, end)
    units = grade_shares(scope)
    failed = failed_files(scope)
    return {
        "files_reviewed": files_reviewed(start, end),
        "units": units,
        "totals": totals(units),
        "frequent_deductions": frequent_deductions(scope, limit),
        "failed_files": [
            {
                "case_no": f.case_file.case_no,
                "unit": f.case_file.unit.code,
                "campaign": f.campaign.code,
                "score": f.score,
                "referred": f.referred_at is not None,
            }
            for f in failed
        ],
    }
