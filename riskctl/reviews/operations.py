"""Reviewer pool, rubric versions and the campaign life cycle (筹备 → 锁定 → 抽取).

Verbs flush and audit; they never commit. The draw goes through riskctl.draws.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, insert, select

from riskctl.accounts.models import Unit, User
from riskctl.accounts.queries import inactive_codes, user_by_username
from riskctl.accounts.roles import DISCIPLINE, LEGAL, OFFICER
from riskctl.core import audit
from riskctl.core.db import db
from riskctl.core.errors import Conflict, ValidationFailed
from riskctl.reviews import defaults
from riskctl.reviews.campaign_manifest import eligible_counts, manifest_inputs
from riskctl.reviews.models import (
    Assignment,
    Campaign,
    CaseFile,
    Reviewer,
    ReviewFile,
    RubricVersion,
    ScoreSheet,
)
from riskctl.reviews.scoring import ScoringError, parse_rubric

REVIEWER_ROLES = (LEGAL, DISCIPLINE, OFFICER)
MAX_TEAM = 5


# Reviewer pool (评查人员库) -------------------------------------------------------


def add_reviewer(username: str, badge_no: str, actor: User) -> Reviewer:
    user = user_by_username(username)
    if user is None or not user.active:
        raise ValidationFailed.field("username", f"用户 {username} 不存在或已停用")
    if user.role not in REVIEWER_ROLES:
        raise ValidationFailed.field("username", "只有法制科、机关纪委和执法队员可以担任评查人员")
    badge_no = badge_no.strip()
    if not badge_no:
        raise ValidationFailed.field("badge_no", "请填写执法证号")
    if db.session.scalar(select(Reviewer.id).where(Reviewer.user_id == user.id)):
        raise Conflict(f"{user.display_name} 已在评查人员库中")
    if db.session.scalar(select(Reviewer.id).where(Reviewer.badge_no == badge_no)):
        raise Conflict(f"执法证号 {badge_no} 已被其他评查人员使用")
    reviewer = Reviewer(user=user, badge_no=badge_no, active=True, created_by=actor.username)
    db.session.add(reviewer)
    db.session.flush()
    audit.record(
        "review.reviewer.add", "reviewer", reviewer.id, {"username": username, "badge_no": badge_no}
    )
    return reviewer


def set_reviewer_active(reviewer: Reviewer, active: bool, actor: User) -> None:
    reviewer.active = active
    db.session.flush()
    audit.record(
        "review.reviewer.active", "reviewer", reviewer.id, {"active": active}, actor=actor.username
    )


# Rubric versions (评查标准) --------------------------------------------------------


def current_rubric() -> RubricVersion | None:
    return db.session.scalar(select(RubricVersion).order_by(RubricVersion.version.desc()).limit(1))


def ensure_rubric(actor: User | None = None) -> RubricVersion:
    """The rubric in force; version 1 is the default of domain.md until one is saved."""
    return current_rubric() or create_rubric_version(
        defaults.default_rubric_body(), defaults.NAME, "默认评查标准", actor
    )


def create_rubric_version(
    body: dict[str, Any], name: str, note: str, actor: User | None
) -> RubricVersion:
    """A new rubric version; sheets already scored keep the version they used."""
    try:
        parse_rubric(body)
    except ScoringError as exc:
        raise ValidationFailed(f"评查标准有误：{exc.message}", exc.details) from exc
    if not name.strip():
        raise ValidationFailed.field("name", "请填写评查标准名称")
    latest = db.session.scalar(select(func.max(RubricVersion.version))) or 0
    who = actor.username if actor else "system"
    rubric = RubricVersion(
        version=latest + 1, name=name.strip(), body=body, note=note, created_by=who
    )
    db.session.add(rubric)
    db.session.flush()
    audit.record(
        "review.rubric.create",
        "review_rubric",
        rubric.version,
        {"name": rubric.name, "note": note},
        actor=who,
    )
    return rubric


# Campaigns (评查活动) ---------------------------------------------------------------


def _check_quotas(quotas: dict[str, Any]) -> dict[str, int]:
    """unit code → files to draw; units drawing nothing are left out of the strata."""
    known = set(db.session.scalars(select(Unit.code).where(Unit.code.in_(list(quotas)))))
    stopped = inactive_codes(set(quotas))
    for code, n in quotas.items():
        if code not in known:
            raise ValidationFailed.field("quotas", f"单位 {code} 不存在")
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise ValidationFailed.field("quotas", f"单位 {code} 的抽取件数应为不小于 0 的整数")
        if n and code in stopped:
            raise ValidationFailed.field(
                "quotas", f"单位“{stopped[code]}”已停用，不能再分配抽取件数"
            )
    return {code: quotas[code] for code in sorted(quotas) if quotas[code]}


def _reviewers(usernames: list[str]) -> list[Reviewer]:
    found = {
        r.user.username: r
        for r in db.session.scalars(select(Reviewer).join(User).where(User.username.in_(usernames)))
    }
    for name in usernames:
        reviewer = found.get(name)
        if reviewer is None or not reviewer.active:
            raise ValidationFailed.field("reviewers", f"{name} 不在评查人员库中或已停用")
    return [found[name] for name in dict.fromkeys(usernames)]


def _apply(campaign: Campaign, data: dict[str, Any]) -> None:
    for key in ("name", "period_start", "period_end", "cap"):
        if key in data:
            setattr(campaign, key, data[key])
    if "team_size" in data:
        if not 1 <= data["team_size"] <= MAX_TEAM:
            raise ValidationFailed.field("team_size", f"每卷评查人数须为 1 到 {MAX_TEAM} 人")
        campaign.team_size = data["team_size"]
    if campaign.period_start > campaign.period_end:
        raise ValidationFailed.field("period_end", "评查期结束日期不能早于开始日期")
    if "quotas" in data:
        campaign.quotas = _check_quotas(data["quotas"])
    if "reviewers" in data:
        campaign.reviewers = _reviewers(data["reviewers"])
    _refuse_quotas_above(campaign.quotas, eligible_counts(campaign))


def _refuse_quotas_above(quotas: dict[str, int], eligible: dict[str, int]) -> None:
    """Every unit drawing more files than it has, named by its name (所有超额的单位一次列出)."""
    over = {code: n for code, n in quotas.items() if n > eligible.get(code, 0)}
    if not over:
        return
    names = dict(
        db.session.execute(select(Unit.code, Unit.name).where(Unit.code.in_(list(over)))).all()
    )
    raise ValidationFailed.field(
        "quotas",
        "；".join(
            f"{names.get(code, code)}：抽取数 {n} 超过该单位可抽案卷数 {eligible.get(code, 0)}"
            for code, n in sorted(over.items())
        ),
    )


def create_campaign(data: dict[str, Any], actor: User) -> Campaign:
    code = data["code"].strip()
    if db.session.scalar(select(Campaign.id).where(Campaign.code == code)):
        raise Conflict(f"评查活动编号 {code} 已存在")
    campaign = Campaign(
        code=code,
        status="draft",
        rubric=ensure_rubric(actor),
        created_by=actor.username,
        quotas={},
        team_size=2,
    )
    _apply(campaign, {"team_size": 2, "reviewers": [], **data})
    db.session.add(campaign)
    db.session.flush()
    audit.record("review.campaign.create", "review_campaign", code, _summary(campaign))
    return campaign


def update_campaign(campaign: Campaign, data: dict[str, Any], actor: User) -> None:
    db.session.refresh(campaign, with_for_update=True)
    if campaign.status != "draft":
        raise Conflict(f"评查活动 {campaign.code} 已锁定，不能再修改")
    _apply(campaign, data)
    db.session.flush()
    audit.record(
        "review.campaign.update",
        "review_campaign",
        campaign.code,
        _summary(campaign),
        actor=actor.username,
    )


def _summary(campaign: Campaign) -> dict[str, Any]:
    return {
        "name": campaign.name,
        "period": [campaign.period_start.isoformat(), campaign.period_end.isoformat()],
        "quotas": campaign.quotas,
        "team_size": campaign.team_size,
        "cap": campaign.cap,
        "reviewers": [r.badge_no for r in campaign.reviewers],
        "rubric_version": campaign.rubric.version,
    }


def adopt_current_rubric(campaign: Campaign, actor: User) -> None:
    """Score the campaign on the newest rubric; refused once a sheet exists."""
    started = db.session.scalar(
        select(func.count(ScoreSheet.id))
        .join(ReviewFile)
        .where(ReviewFile.campaign_id == campaign.id)
    )
    if started:
        raise Conflict(
            f"评查活动 {campaign.code} 已开始评分（{started} 份评分表），不能更换评查标准；"
            f"已评分的案卷保留第 {campaign.rubric.version} 版"
        )
    campaign.rubric = ensure_rubric(actor)
    db.session.flush()
    audit.record(
        "review.campaign.rubric",
        "review_campaign",
        campaign.code,
        {"rubric_version": campaign.rubric.version},
        actor=actor.username,
    )


def freeze_campaign(campaign: Campaign, inputs, actor: User, previous=None):
    """The campaign's manifest from ``inputs`` (``manifest_inputs``), frozen; a new version
    of ``previous`` when re-locking for a re-draw."""
    from riskctl.draws.operations import freeze_manifest

    return freeze_manifest(
        "review",
        campaign.code,
        plan=campaign.code,
        targets=inputs.targets,
        quotas=inputs.quotas,
        inspectors=inputs.inspectors,
        conflicts=inputs.conflicts,
        team_size=inputs.team_size,
        cap=inputs.cap,
        actor=actor,
        previous=previous,
    )


def lock_campaign(campaign: Campaign, actor: User):
    """Freeze the draw manifest (锁定): the rosters and quotas can no longer change."""
    db.session.refresh(campaign, with_for_update=True)  # one lock at a time
    if campaign.status != "draft":
        raise Conflict(f"评查活动 {campaign.code} 已锁定")
    if not campaign.quotas:
        raise ValidationFailed.field("quotas", "请为至少一个单位设定抽取件数")
    inputs = manifest_inputs(campaign)
    _refuse_quotas_above(campaign.quotas, inputs.eligible)
    if len(inputs.inspectors) < campaign.team_size:
        raise ValidationFailed.field(
            "reviewers",
            f"评查人员不足：每卷需 {campaign.team_size} 人，现有 {len(inputs.inspectors)} 人",
        )
    manifest = freeze_campaign(campaign, inputs, actor)
    campaign.manifest_id, campaign.status = manifest.id, "locked"
    db.session.flush()
    audit.record(
        "review.campaign.lock",
        "review_campaign",
        campaign.code,
        {
            "manifest_id": manifest.id,
            "targets": len(inputs.targets),
            "conflicts": len(inputs.conflicts),
        },
        actor=actor.username,
    )
    return manifest


def draw_campaign(campaign: Campaign, entropy: str, entropy_source: str, actor: User):
    """Run the draw once and assign the drawn files to their reviewers."""
    from riskctl.draws.models import DrawManifest
    from riskctl.draws.operations import perform_draw
    from riskctl.draws.queries import selections

    db.session.refresh(campaign, with_for_update=True)  # a second request waits, then sees "drawn"
    if campaign.status == "drawn":
        raise Conflict(f"评查活动 {campaign.code} 已抽取，不能再次抽取")
    if campaign.status != "locked":
        raise Conflict(f"评查活动 {campaign.code} 尚未锁定，请先锁定抽取清单")
    draw = perform_draw(
        db.session.get(DrawManifest, campaign.manifest_id), entropy, entropy_source, actor
    )
    chosen = selections(draw)
    assign_drawn(campaign, draw.id, chosen)
    campaign.draw_id, campaign.status = draw.id, "drawn"
    db.session.flush()
    audit.record(
        "review.campaign.draw",
        "review_campaign",
        campaign.code,
        {"draw_id": draw.id, "files": len(chosen)},
        actor=actor.username,
    )
    return draw


def assign_drawn(campaign: Campaign, draw_id: int, chosen: list) -> None:
    """One review_files row per selection and one assignment per drawn reviewer (bulk)."""
    case_ids = dict(
        db.session.execute(
            select(CaseFile.case_no, CaseFile.id).where(
                CaseFile.case_no.in_([s.target_id for s in chosen])
            )
        ).all()
    )
    db.session.execute(
        insert(ReviewFile),
        [
            {
                "campaign_id": campaign.id,
                "draw_id": draw_id,
                "superseded": False,
                "case_file_id": case_ids[s.target_id],
                "position": s.position,
                "draw_key": s.key,
                "status": "assigned",
            }
            for s in chosen
        ],
    )
    file_ids = dict(
        db.session.execute(
            select(ReviewFile.case_file_id, ReviewFile.id).where(ReviewFile.draw_id == draw_id)
        ).all()
    )
    by_badge = {r.badge_no: r.id for r in campaign.reviewers}
    rows = [
        {
            "review_file_id": file_ids[case_ids[s.target_id]],
            "reviewer_id": by_badge[badge],
            "by_draw": True,
            "active": True,
            "note": "",
        }
        for s in chosen
        for badge in s.inspectors
    ]
    if rows:
        db.session.execute(insert(Assignment), rows)
