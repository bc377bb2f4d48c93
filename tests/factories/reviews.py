"""案卷评查: a drawn campaign and confirmed review files, as rows."""

from __future__ import annotations

from datetime import date, timedelta

from riskctl.core import clock
from riskctl.core.db import db
from riskctl.reviews.models import Campaign, CaseFile, Finding, ReviewFile, RubricVersion
from tests.factories.common import at, seq, unit


def review_campaign(
    code: str = "PC-2026-H2", start: date = date(2026, 1, 1), end: date = date(2026, 6, 30)
) -> Campaign:
    rubric = db.session.query(RubricVersion).first() or RubricVersion(
        version=1, name="行政处罚案卷评查标准", body={}, created_by="legal"
    )
    campaign = Campaign(
        code=code,
        name=f"{code} 行政处罚案卷评查",
        period_start=start,
        period_end=end,
        quotas={},
        rubric=rubric,
        status="drawn",
        created_by="legal",
    )
    db.session.add(campaign)
    db.session.commit()
    return campaign


def reviewed_file(
    campaign: Campaign,
    unit_code: str,
    score: float,
    grade: str,
    confirmed: date | None = None,
    findings: list[tuple[str, str, str | None, float]] = (),
    referred: bool = False,
) -> ReviewFile:
    """A confirmed file of ``unit_code``; ``confirmed`` defaults to five days ago."""
    confirmed = confirmed or clock.today() - timedelta(days=5)
    number = next(seq)
    case = CaseFile(
        case_no=f"城管罚字〔2026〕第{number:04d}号",
        unit_id=unit(unit_code).id,
        case_type="占道经营",
        procedure="general",
        handlers=["ZF-0001", "ZF-0002"],
        approver="ZF-0100",
        closed_on=confirmed - timedelta(days=30),
        imported_by="legal",
    )
    db.session.add(case)
    db.session.flush()
    row = ReviewFile(
        campaign_id=campaign.id,
        case_file_id=case.id,
        position=number,
        draw_key=f"{number:064x}",
        status="confirmed",
        score=score,
        grade=grade,
        vetoed=score == 0,
        confirmed_at=at(confirmed),
        confirmed_on=confirmed,
        confirmed_by="legal",
        referred_at=at(confirmed) if referred else None,
    )
    db.session.add(row)
    db.session.flush()
    for code, text, group, points in findings:
        db.session.add(
            Finding(
                review_file_id=row.id,
                kind="deduction" if group else "veto",
                item_code=code,
                item_text=text,
                group_name=group,
                points=points,
            )
        )
    db.session.commit()
    return row
