"""Case-review audits (案卷评查): case files, reviewers, rubrics, campaigns, sheets, findings."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from riskctl.accounts.models import Unit, User
from riskctl.core import clock
from riskctl.core.db import UTCDateTime, db
from riskctl.draws.models import REDRAW_KINDS, REDRAW_STATUSES, RedrawRequestMixin

PROCEDURES = {"general": "一般程序", "simple": "简易程序"}
CAMPAIGN_STATUSES = {"draft": "筹备中", "locked": "已锁定，待抽取", "drawn": "已抽取，评查中"}
FILE_STATUSES = {"assigned": "待评分", "scored": "待确认", "confirmed": "已确认"}
FINDING_KINDS = {"veto": "否决项", "deduction": "扣分项"}


def yuan(fen: int) -> str:
    """An amount in fen as yuan with two decimals (``20000`` → ``"200.00"``)."""
    return f"{fen / 100:.2f}"


class CaseFile(db.Model):
    """A closed case file (结案案卷) in the register campaigns sample from."""

    __tablename__ = "case_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_no: Mapped[str] = mapped_column(String(80), unique=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    case_type: Mapped[str] = mapped_column(String(100))
    procedure: Mapped[str] = mapped_column(String(10))
    handlers: Mapped[list[str]] = mapped_column(JSON)  # 承办人执法证号
    handler_names: Mapped[str] = mapped_column(String(200), default="")
    approver: Mapped[str] = mapped_column(String(40))  # 审批人执法证号
    approver_name: Mapped[str] = mapped_column(String(60), default="")
    closed_on: Mapped[date] = mapped_column(Date)
    penalty_fen: Mapped[int | None] = mapped_column(BigInteger)  # 罚款金额（分）
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    imported_by: Mapped[str] = mapped_column(String(60))

    unit: Mapped[Unit] = relationship()

    __table_args__ = (
        CheckConstraint(f"procedure IN {tuple(PROCEDURES)}", name="procedure"),
        CheckConstraint("penalty_fen IS NULL OR penalty_fen >= 0", name="penalty"),
        Index("ix_case_files_unit_closed", "unit_id", "closed_on"),
    )

    @property
    def procedure_label(self) -> str:
        return PROCEDURES[self.procedure]

    @property
    def penalty_yuan(self) -> str:
        return "" if self.penalty_fen is None else yuan(self.penalty_fen)


class Reviewer(db.Model):
    """A user in the reviewer pool (评查人员库), with their 执法证号."""

    __tablename__ = "reviewers"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    badge_no: Mapped[str] = mapped_column(String(40), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    created_by: Mapped[str] = mapped_column(String(60))

    user: Mapped[User] = relationship()


class RubricVersion(db.Model):
    """One version of the rubric (评查标准); a sheet always names the version it used."""

    __tablename__ = "review_rubrics"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, unique=True)
    name: Mapped[str] = mapped_column(String(100))
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    created_by: Mapped[str] = mapped_column(String(60))


campaign_reviewers = db.Table(
    "review_campaign_reviewers",
    db.Column("campaign_id", ForeignKey("review_campaigns.id"), primary_key=True),
    db.Column("reviewer_id", ForeignKey("reviewers.id"), primary_key=True),
)


class Campaign(db.Model):
    """A review campaign (评查活动): period, per-unit quotas, reviewers, then one draw."""

    __tablename__ = "review_campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    quotas: Mapped[dict[str, int]] = mapped_column(JSON)  # unit code → files to draw
    team_size: Mapped[int] = mapped_column(Integer, default=2)
    cap: Mapped[int | None] = mapped_column(Integer)
    rubric_id: Mapped[int] = mapped_column(ForeignKey("review_rubrics.id"))
    status: Mapped[str] = mapped_column(String(10), default="draft")
    manifest_id: Mapped[int | None] = mapped_column(ForeignKey("draw_manifests.id"))
    draw_id: Mapped[int | None] = mapped_column(ForeignKey("draws.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    created_by: Mapped[str] = mapped_column(String(60))

    rubric: Mapped[RubricVersion] = relationship()
    reviewers: Mapped[list[Reviewer]] = relationship(
        secondary=campaign_reviewers, order_by=Reviewer.badge_no
    )

    __table_args__ = (
        CheckConstraint(f"status IN {tuple(CAMPAIGN_STATUSES)}", name="status"),
        CheckConstraint("period_start <= period_end", name="period"),
        CheckConstraint("team_size >= 1", name="team_size"),
        CheckConstraint("cap IS NULL OR cap >= 1", name="cap"),
    )

    @property
    def status_label(self) -> str:
        return CAMPAIGN_STATUSES[self.status]


class ReviewFile(db.Model):
    """A case file drawn into a campaign, with its confirmed result (评查结果).

    ``draw_id`` is the round that drew it; an approved re-draw of the campaign supersedes
    the files of the round before (kept, never scored: a re-draw is refused once a
    sheet exists).
    """

    __tablename__ = "review_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("review_campaigns.id"), index=True)
    # Set for every drawn file; NULL only for rows made by hand (test data, imports of history).
    draw_id: Mapped[int | None] = mapped_column(ForeignKey("draws.id"))
    superseded: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    case_file_id: Mapped[int] = mapped_column(ForeignKey("case_files.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    draw_key: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(10), default="assigned")
    score: Mapped[float | None] = mapped_column(Float)
    grade: Mapped[str | None] = mapped_column(String(20))
    vetoed: Mapped[bool | None] = mapped_column(Boolean)
    result_basis: Mapped[str | None] = mapped_column(String(120))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirmed_on: Mapped[date | None] = mapped_column(Date, index=True)
    confirmed_by: Mapped[str | None] = mapped_column(String(60))
    confirm_note: Mapped[str | None] = mapped_column(Text)
    referred_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    referred_by: Mapped[str | None] = mapped_column(String(60))
    referral_note: Mapped[str | None] = mapped_column(Text)
    # A veto overturned by the legal office in writing (the declared rule's one exception).
    veto_overturned_by: Mapped[str | None] = mapped_column(String(60))
    veto_overturn_reason: Mapped[str | None] = mapped_column(Text)

    campaign: Mapped[Campaign] = relationship()
    case_file: Mapped[CaseFile] = relationship()
    assignments: Mapped[list[Assignment]] = relationship(
        back_populates="review_file", order_by="Assignment.id"
    )
    sheets: Mapped[list[ScoreSheet]] = relationship(
        back_populates="review_file", order_by="ScoreSheet.id"
    )
    findings: Mapped[list[Finding]] = relationship(order_by="Finding.id")
    reviewer_draws: Mapped[list[ReviewerDraw]] = relationship(
        back_populates="review_file", order_by="ReviewerDraw.number"
    )

    __table_args__ = (
        UniqueConstraint("draw_id", "case_file_id"),
        UniqueConstraint("draw_id", "position"),
        CheckConstraint(f"status IN {tuple(FILE_STATUSES)}", name="status"),
        CheckConstraint("status != 'confirmed' OR grade IS NOT NULL", name="confirmed_graded"),
        CheckConstraint("referred_at IS NULL OR status = 'confirmed'", name="referral"),
    )

    @property
    def status_label(self) -> str:
        return FILE_STATUSES[self.status]

    @property
    def active_assignments(self) -> list[Assignment]:
        return [a for a in self.assignments if a.active]


class Assignment(db.Model):
    """A reviewer assigned to a drawn file, by the draw or by a recorded replacement."""

    __tablename__ = "review_assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_file_id: Mapped[int] = mapped_column(ForeignKey("review_files.id"))
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("reviewers.id"), index=True)
    by_draw: Mapped[bool] = mapped_column(Boolean, default=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    note: Mapped[str] = mapped_column(Text, default="")

    review_file: Mapped[ReviewFile] = relationship(back_populates="assignments")
    reviewer: Mapped[Reviewer] = relationship()

    __table_args__ = (UniqueConstraint("review_file_id", "reviewer_id"),)


class ScoreSheet(db.Model):
    """One reviewer's score sheet for one file (一卷一表); never edited once submitted."""

    __tablename__ = "review_sheets"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_file_id: Mapped[int] = mapped_column(ForeignKey("review_files.id"))
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("reviewers.id"))
    rubric_id: Mapped[int] = mapped_column(ForeignKey("review_rubrics.id"))
    vetoes: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    deductions: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    group_scores: Mapped[dict[str, float]] = mapped_column(JSON)
    score: Mapped[float] = mapped_column(Float)
    grade: Mapped[str] = mapped_column(String(20))
    vetoed: Mapped[bool] = mapped_column(Boolean)
    comment: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    review_file: Mapped[ReviewFile] = relationship(back_populates="sheets")
    reviewer: Mapped[Reviewer] = relationship()
    rubric: Mapped[RubricVersion] = relationship()

    __table_args__ = (
        UniqueConstraint("review_file_id", "reviewer_id"),
        CheckConstraint("score >= 0 AND score <= 100", name="score"),
    )


class Finding(db.Model):
    """A confirmed finding of a file (评查发现的问题): what rectification and statistics use."""

    __tablename__ = "review_findings"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_file_id: Mapped[int] = mapped_column(ForeignKey("review_files.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    item_code: Mapped[str] = mapped_column(String(20))
    item_text: Mapped[str] = mapped_column(String(200))
    group_name: Mapped[str | None] = mapped_column(String(20))
    points: Mapped[float] = mapped_column(Float, default=0)
    note: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (
        CheckConstraint(f"kind IN {tuple(FINDING_KINDS)}", name="kind"),
        Index("ix_review_findings_item", "item_code"),
    )


REVIEWER_DRAW_PURPOSES = {"replace": "更换评查人员", "third": "增抽第三名评查人员"}


class ReviewerDraw(db.Model):
    """A reviewer drawn for one file after the campaign's draw (评查人员补抽): a replacement
    for one withdrawn, or a third reviewer when the sheets differ too much.

    Never chosen by hand: a new public round of riskctl-draw/1 over the campaign's
    reviewers, minus everyone already on the file and those in conflict with it. The
    manifest is locked (and published) when the need is recorded; the draw runs once
    public entropy produced after that is entered.
    """

    __tablename__ = "review_reviewer_draws"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_file_id: Mapped[int] = mapped_column(ForeignKey("review_files.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    purpose: Mapped[str] = mapped_column(String(10))
    withdrawn_id: Mapped[int | None] = mapped_column(ForeignKey("review_assignments.id"))
    reason: Mapped[str] = mapped_column(Text)
    manifest_id: Mapped[int] = mapped_column(ForeignKey("draw_manifests.id"))
    draw_id: Mapped[int | None] = mapped_column(ForeignKey("draws.id"))
    assignment_id: Mapped[int | None] = mapped_column(ForeignKey("review_assignments.id"))
    requested_by: Mapped[str] = mapped_column(String(60))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    review_file: Mapped[ReviewFile] = relationship(back_populates="reviewer_draws")
    withdrawn: Mapped[Assignment | None] = relationship(foreign_keys=[withdrawn_id])
    assignment: Mapped[Assignment | None] = relationship(foreign_keys=[assignment_id])

    __table_args__ = (
        UniqueConstraint("review_file_id", "number"),
        CheckConstraint(f"purpose IN {tuple(REVIEWER_DRAW_PURPOSES)}", name="purpose"),
    )

    @property
    def purpose_label(self) -> str:
        return REVIEWER_DRAW_PURPOSES[self.purpose]


class CampaignRedraw(RedrawRequestMixin, db.Model):
    """A request to draw a campaign again (重抽), as for inspection plans."""

    __tablename__ = "review_redraws"

    campaign_id: Mapped[int] = mapped_column(ForeignKey("review_campaigns.id"), index=True)

    campaign: Mapped[Campaign] = relationship()

    __table_args__ = (
        CheckConstraint(f"status IN {tuple(REDRAW_STATUSES)}", name="status"),
        CheckConstraint(f"kind IN {tuple(REDRAW_KINDS)}", name="kind"),
    )
