"""Who may review what (回避) and what goes into a campaign's draw manifest.

The draw itself is ``riskctl.draws``; this module only turns a campaign into the
manifest's rosters: targets are the eligible case files (stratum = their unit),
inspectors are the campaign's reviewers, and a conflict pair is a reviewer who
handled or approved the file or who belongs to its unit's branch of the tree.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import Text, cast, func, select

from riskctl.accounts.models import Unit
from riskctl.core.db import db
from riskctl.reviews.models import Campaign, CaseFile, Reviewer, ReviewFile


def _is_root(path: str) -> bool:
    return path.count("/") == 2


def units_related(a: str, b: str) -> bool:
    """Two unit paths on one branch (same unit, or one above the other), the bureau
    itself aside: a 支队 reviewer does not review the files of their own 中队."""
    if a == b:
        return True
    upper, lower = (a, b) if len(a) < len(b) else (b, a)
    return lower.startswith(upper) and not _is_root(upper)


def conflict_reason(reviewer: Reviewer, case_file: CaseFile) -> str | None:
    """Why ``reviewer`` must not review ``case_file`` (Chinese), or None."""
    badge, name = reviewer.badge_no, reviewer.user.display_name
    if badge in case_file.handlers:
        return f"评查人员 {name}（{badge}）是案卷 {case_file.case_no} 的承办人，应当回避"
    if badge == case_file.approver:
        return f"评查人员 {name}（{badge}）是案卷 {case_file.case_no} 的审批人，应当回避"
    unit = reviewer.user.unit
    if unit is not None and units_related(unit.path, case_file.unit.path):
        return (
            f"评查人员 {name} 所在单位（{unit.name}）与案卷 {case_file.case_no} 的承办单位"
            f"（{case_file.unit.name}）属同一单位，应当回避"
        )
    return None


@dataclass(frozen=True)
class ManifestInputs:
    targets: list[tuple[str, str]]
    quotas: dict[str, int]
    inspectors: list[tuple[str, str]]
    conflicts: list[tuple[str, str]]
    team_size: int
    cap: int
    eligible: dict[str, int]


def eligible_counts(campaign: Campaign) -> dict[str, int]:
    """Files per unit code that the campaign may draw (its period, not yet reviewed)."""
    query = (
        select(Unit.code, func.count())
        .select_from(CaseFile)
        .join(Unit, Unit.id == CaseFile.unit_id)
        .where(*_eligible(campaign))
        .group_by(Unit.code)
    )
    return dict(db.session.execute(query).all())


def _eligible(campaign: Campaign) -> list:
    reviewed = select(ReviewFile.case_file_id).where(
        ReviewFile.campaign_id != campaign.id, ReviewFile.superseded.is_(False)
    )
    return [
        CaseFile.closed_on >= campaign.period_start,
        CaseFile.closed_on <= campaign.period_end,
        CaseFile.id.not_in(reviewed),
    ]


def _eligible_rows(campaign: Campaign) -> list:
    """(case_no, unit code, unit path, handlers as JSON text, approver) of the strata's files.

    Handlers stay undecoded: only the few rows naming a reviewer's badge are parsed.
    """
    query = (
        select(
            CaseFile.case_no, Unit.code, Unit.path, cast(CaseFile.handlers, Text), CaseFile.approver
        )
        .join(Unit, Unit.id == CaseFile.unit_id)
        .where(*_eligible(campaign), Unit.code.in_(list(campaign.quotas)))
    )
    return db.session.execute(query).all()


def _badge_conflicts(rows: list, badges: set[str]) -> set[tuple[str, str]]:
    """(badge, case_no) for every reviewer who handled or approved a file."""
    found: set[tuple[str, str]] = set()
    if not badges:
        return found
    # A cheap text search over the undecoded JSON finds the candidates; decoding
    # then confirms whole ids ("ZF-1" must not match "ZF-10").
    mention = re.compile("|".join(re.escape(b) for b in sorted(badges)))
    for case_no, _, _, handlers_json, approver in rows:
        if approver in badges:
            found.add((approver, case_no))
        if mention.search(handlers_json):
            found.update((b, case_no) for b in badges.intersection(json.loads(handlers_json)))
    return found


def default_cap(team_size: int, selected: int, reviewers: int) -> int:
    """As for inspections: ceil(team_size × selected / reviewers) + 1."""
    return -(-team_size * selected // max(reviewers, 1)) + 1


def manifest_inputs(campaign: Campaign) -> ManifestInputs:
    """The rosters, quotas and conflict pairs of ``campaign``'s draw."""
    rows = _eligible_rows(campaign)
    reviewers = [r for r in campaign.reviewers if r.active]
    by_unit: dict[str, list[str]] = defaultdict(list)
    unit_paths: dict[str, str] = {}
    for case_no, code, path, _, _ in rows:
        by_unit[code].append(case_no)
        unit_paths[code] = path
    conflicts = _badge_conflicts(rows, {r.badge_no for r in reviewers})
    for reviewer in reviewers:
        unit = reviewer.user.unit
        if unit is None:
            continue
        for code, path in unit_paths.items():
            if units_related(unit.path, path):
                conflicts.update((reviewer.badge_no, case_no) for case_no in by_unit[code])
    selected = sum(campaign.quotas.values())
    return ManifestInputs(
        targets=[(case_no, code) for case_no, code, *_ in rows],
        quotas=dict(campaign.quotas),
        inspectors=[
            (r.badge_no, r.user.unit.code if r.user.unit else "未设单位") for r in reviewers
        ],
        conflicts=list(conflicts),
        team_size=campaign.team_size,
        cap=campaign.cap or default_cap(campaign.team_size, selected, len(reviewers)),
        eligible={code: len(ids) for code, ids in by_unit.items()},
    )
