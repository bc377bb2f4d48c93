"""Reading the case-file register, reviewers, rubrics, campaigns and drawn files."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import joinedload, selectinload

from riskctl.accounts.models import Unit, User
from riskctl.accounts.queries import visible_unit_ids
from riskctl.accounts.roles import DISCIPLINE, LEADER, LEGAL
from riskctl.core.db import db
from riskctl.core.errors import NotFound
from riskctl.reviews.models import (
    Assignment,
    Campaign,
    CampaignRedraw,
    CaseFile,
    Reviewer,
    ReviewFile,
    RubricVersion,
    ScoreSheet,
)

OVERSEERS = (LEGAL, DISCIPLINE, LEADER)


def case_files_query(user: User | None, **filters: Any) -> Select:
    """:func:`case_files_in` of the units the user may see."""
    return case_files_in(visible_unit_ids(user), **filters)


def case_files_in(
    ids: list[int] | None,
    *,
    unit: Unit | None = None,
    start: date | None = None,
    end: date | None = None,
    q: str | None = None,
    load: bool = True,
) -> Select:
    """The register of the units ``ids`` (None: the whole bureau), newest first;
    ``load=False`` for a lean page (no loader option)."""
    query = select(CaseFile)
    if load:
        query = query.options(joinedload(CaseFile.unit))
    if ids is not None:
        query = query.where(CaseFile.unit_id.in_(ids))
    if unit is not None:
        query = query.join(Unit, Unit.id == CaseFile.unit_id).where(Unit.path.startswith(unit.path))
    if start:
        query = query.where(CaseFile.closed_on >= start)
    if end:
        query = query.where(CaseFile.closed_on <= end)
    if q:
        query = query.where(or_(CaseFile.case_no.like(f"%{q}%"), CaseFile.case_type.like(f"%{q}%")))
    return query.order_by(CaseFile.closed_on.desc(), CaseFile.case_no)


def reviewers() -> list[Reviewer]:
    query = select(Reviewer).options(selectinload(Reviewer.user).selectinload(User.unit))
    return list(db.session.scalars(query.order_by(Reviewer.active.desc(), Reviewer.badge_no)))


def reviewer_candidates() -> list[User]:
    """Users who may join the pool and are not in it yet."""
    pooled = select(Reviewer.user_id)
    query = select(User).where(
        User.active.is_(True),
        User.role.in_(("legal", "discipline", "officer")),
        User.id.not_in(pooled),
    )
    return list(db.session.scalars(query.order_by(User.username)))


def rubric_versions() -> list[RubricVersion]:
    return list(db.session.scalars(select(RubricVersion).order_by(RubricVersion.version.desc())))


def rubric_by_version(version: int) -> RubricVersion:
    rubric = db.session.scalar(select(RubricVersion).where(RubricVersion.version == version))
    if rubric is None:
        raise NotFound(f"评查标准第 {version} 版不存在")
    return rubric


def campaigns_query() -> Select:
    return select(Campaign).order_by(Campaign.period_start.desc(), Campaign.code)


def campaigns() -> list[Campaign]:
    return list(db.session.scalars(campaigns_query()))


def campaign_by_code(code: str) -> Campaign:
    campaign = db.session.scalar(select(Campaign).where(Campaign.code == code))
    if campaign is None:
        raise NotFound(f"评查活动 {code} 不存在")
    return campaign


def _assigned_to(user: User):
    return select(Assignment.review_file_id).join(Reviewer).where(Reviewer.user_id == user.id)


def files_query(
    campaign: Campaign, user: User | None, *, unit: Unit | None = None, status: str | None = None
) -> Select:
    """Drawn files of a campaign: officers see their unit's and those assigned to them."""
    query = (
        select(ReviewFile)
        .join(CaseFile, CaseFile.id == ReviewFile.case_file_id)
        .where(ReviewFile.campaign_id == campaign.id, ReviewFile.superseded.is_(False))
        .options(
            selectinload(ReviewFile.case_file).selectinload(CaseFile.unit),
            selectinload(ReviewFile.assignments)
            .selectinload(Assignment.reviewer)
            .selectinload(Reviewer.user),
        )
    )
    ids = visible_unit_ids(user)
    if ids is not None:
        query = query.where(or_(CaseFile.unit_id.in_(ids), ReviewFile.id.in_(_assigned_to(user))))
    if unit is not None:
        query = query.join(Unit, Unit.id == CaseFile.unit_id).where(Unit.path.startswith(unit.path))
    if status:
        query = query.where(ReviewFile.status == status)
    return query.order_by(ReviewFile.position)


def review_file_for(file_id: int, user: User | None) -> ReviewFile:
    """A drawn file the user may see (404 otherwise: its existence is not revealed)."""
    review_file = db.session.get(ReviewFile, file_id)
    if review_file is None or not may_see_file(user, review_file):
        raise NotFound(f"评查案卷 {file_id} 不存在")
    return review_file


def is_assigned(user: User | None, review_file: ReviewFile) -> bool:
    return user is not None and any(
        a.reviewer.user_id == user.id for a in review_file.active_assignments
    )


def may_see_file(user: User | None, review_file: ReviewFile) -> bool:
    ids = visible_unit_ids(user)
    return ids is None or review_file.case_file.unit_id in ids or is_assigned(user, review_file)


def visible_sheets(user: User | None, review_file: ReviewFile) -> list[ScoreSheet]:
    """Every sheet for the overseeing roles; a reviewer sees their own only."""
    if user is not None and user.role in OVERSEERS:
        return list(review_file.sheets)
    return [s for s in review_file.sheets if user is not None and s.reviewer.user_id == user.id]


def my_assignments(user: User) -> list[ReviewFile]:
    return list(db.session.scalars(my_assignments_query(user)))


def my_assignments_query(user: User) -> Select:
    """Files the user must still score (assigned, sheet not yet submitted)."""
    mine = select(Reviewer.id).where(Reviewer.user_id == user.id).scalar_subquery()
    done = select(ScoreSheet.review_file_id).where(ScoreSheet.reviewer_id == mine)
    return (
        select(ReviewFile)
        .join(Assignment)
        .where(
            Assignment.reviewer_id == mine,
            Assignment.active.is_(True),
            ReviewFile.status != "confirmed",
            ReviewFile.id.not_in(done),
        )
        .options(
            selectinload(ReviewFile.case_file).selectinload(CaseFile.unit),
            selectinload(ReviewFile.campaign),
        )
        .order_by(ReviewFile.campaign_id, ReviewFile.position)
    )


def reviewer_for_user(user: User) -> Reviewer | None:
    return db.session.scalar(
        select(Reviewer).where(Reviewer.user_id == user.id, Reviewer.active.is_(True))
    )


def files_to_confirm() -> Select:
    """Scored files waiting for the legal office to confirm their result (待确认的评分)."""
    return (
        select(ReviewFile)
        .where(ReviewFile.status == "scored", ReviewFile.superseded.is_(False))
        .order_by(ReviewFile.campaign_id, ReviewFile.position)
    )


def campaigns_with_pending_redraw() -> Select:
    """Campaigns with a re-draw request awaiting a leader's decision."""
    waiting = select(CampaignRedraw.campaign_id).where(CampaignRedraw.status == "pending")
    return select(Campaign).where(Campaign.id.in_(waiting)).order_by(Campaign.id.desc())
