"""Factories for case-review tests: a register, a reviewer pool, a drawn campaign."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from riskctl.accounts.queries import user_by_username
from riskctl.core import clock
from riskctl.core.db import db
from riskctl.reviews import operations, scoresheets
from riskctl.reviews.models import Campaign, CaseFile, ReviewFile
from tests.factories import make_user

CLOSED = date(2026, 3, 15)
# unit → (handlers, approver) of its case files
HANDLERS = {
    "ZD1-1": (["ZF-1101", "ZF-1102"], "ZF-1001"),
    "ZD1-2": (["ZF-1201", "ZF-1202"], "ZF-1001"),
    "ZD2-1": (["ZF-2101", "ZF-2102"], "ZF-2001"),
}
# username → (role, unit, 执法证号); "officer" (ZD1-1) handled the ZD1-1 files.
REVIEWERS = {
    "legal": ("legal", "FZK", "ZF-0901"),
    "discipline": ("discipline", "JW", "ZF-0902"),
    "officer": ("officer", "ZD1-1", "ZF-1101"),
    "rev_zd12": ("officer", "ZD1-2", "ZF-1299"),
    "rev_zd21": ("officer", "ZD2-1", "ZF-2199"),
}


def make_case(bureau, unit: str, n: int, *, closed: date = CLOSED, **extra) -> CaseFile:
    handlers, approver = HANDLERS[unit]
    case = CaseFile(
        case_no=f"城管罚决字〔2026〕{unit}第{n:04d}号",
        unit_id=bureau.units[unit].id,
        case_type="占道经营",
        procedure="general",
        handlers=list(handlers),
        handler_names="张勇、王磊",
        approver=approver,
        approver_name="马建国",
        closed_on=closed,
        penalty_fen=200000,
        imported_at=clock.now(),
        imported_by="legal",
    )
    for key, value in extra.items():
        setattr(case, key, value)
    db.session.add(case)
    db.session.commit()
    return case


def make_register(bureau, per_unit: int = 4) -> None:
    for unit in HANDLERS:
        for n in range(1, per_unit + 1):
            make_case(bureau, unit, n)


# A second 法制科 clerk outside the reviewer pool: who confirms results (nobody confirms a
# file they reviewed, and "legal" is in the pool).
CLERK = "fazhi2"


def make_pool(bureau, names=tuple(REVIEWERS)) -> None:
    legal = bureau.users["legal"]
    if user_by_username(CLERK) is None:
        make_user(CLERK, "legal", "FZK")
    for name in names:
        role, unit, badge = REVIEWERS[name]
        if user_by_username(name) is None:
            make_user(name, role, unit)
        operations.add_reviewer(name, badge, legal)
    db.session.commit()


def make_campaign(
    bureau,
    code: str = "PC-2026-H1",
    *,
    quotas=None,
    reviewers=None,
    draw: bool = True,
    team_size: int = 2,
) -> Campaign:
    """A campaign over the register, locked and drawn through the shared draw flow."""
    legal = bureau.users["legal"]
    campaign = operations.create_campaign(
        {
            "code": code,
            "name": "2026年上半年案卷评查",
            "period_start": date(2026, 1, 1),
            "period_end": date(2026, 6, 30),
            "team_size": team_size,
            "quotas": quotas or {"ZD1-1": 2, "ZD1-2": 2, "ZD2-1": 2},
            "reviewers": list(reviewers or REVIEWERS),
        },
        legal,
    )
    if draw:
        operations.lock_campaign(campaign, legal)
        operations.draw_campaign(campaign, "2026-07-01 福彩3D 3 8 1", "福利彩票开奖公告", legal)
    db.session.commit()
    return campaign


@dataclass
class Drawn:
    campaign: Campaign

    def files(self) -> list[ReviewFile]:
        return sorted(
            (f for f in db.session.query(ReviewFile).filter_by(campaign_id=self.campaign.id)),
            key=lambda f: f.position,
        )

    def file_of(self, unit: str) -> ReviewFile:
        return next(f for f in self.files() if f.case_file.unit.code == unit)

    def reviewers_of(self, review_file: ReviewFile) -> list:
        return [a.reviewer.user for a in review_file.active_assignments]


@pytest.fixture
def drawn(bureau) -> Drawn:
    make_register(bureau)
    make_pool(bureau)
    return Drawn(make_campaign(bureau))


def score_all(review_file: ReviewFile, deductions=(), vetoes=()) -> None:
    """Every assigned reviewer submits the same sheet."""
    for assignment in review_file.active_assignments:
        scoresheets.submit_sheet(
            review_file, assignment.reviewer.user, list(vetoes), list(deductions)
        )
    db.session.commit()
