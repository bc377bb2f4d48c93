"""Re-drawing a campaign (评查活动重抽): as for inspection plans — a kind and a reason, a
leader's approval, for a wrong manifest the campaign re-locked with the corrected
register, then a new public round. Refused once any sheet is scored. Flush and audit."""

from __future__ import annotations

from sqlalchemy import func, select, update

from riskctl.accounts.models import User
from riskctl.core import audit
from riskctl.core.db import db
from riskctl.core.errors import Conflict, NotFound
from riskctl.draws import redraws
from riskctl.draws.models import Draw, DrawManifest
from riskctl.draws.queries import selections
from riskctl.reviews.campaign_manifest import manifest_inputs
from riskctl.reviews.models import Assignment, Campaign, CampaignRedraw, ReviewFile, ScoreSheet
from riskctl.reviews.operations import assign_drawn, freeze_campaign


def _locked(campaign: Campaign) -> Campaign:
    db.session.refresh(campaign, with_for_update=True)
    return campaign


def _refuse_if_scored(campaign: Campaign) -> None:
    scored = db.session.scalar(
        select(func.count(ScoreSheet.id))
        .join(ReviewFile)
        .where(ReviewFile.campaign_id == campaign.id, ReviewFile.superseded.is_(False))
    )
    if scored:
        raise Conflict(f"评查活动 {campaign.code} 已有 {scored} 份评分表，不能重抽")


def redraw_by_id(request_id: int) -> CampaignRedraw:
    found = db.session.get(CampaignRedraw, request_id)
    if found is None:
        raise NotFound(f"重抽申请第 {request_id} 号不存在")
    return found


def requests_of(campaign: Campaign) -> list[CampaignRedraw]:
    return list(
        db.session.scalars(
            select(CampaignRedraw)
            .where(CampaignRedraw.campaign_id == campaign.id)
            .order_by(CampaignRedraw.id)
        )
    )


def request_redraw(campaign: Campaign, kind: str, reason: str, actor: User) -> CampaignRedraw:
    redraws.check_request(kind, reason)
    campaign = _locked(campaign)
    if campaign.status != "drawn":
        raise Conflict(f"评查活动 {campaign.code} 尚未抽取，无需重抽")
    _refuse_if_scored(campaign)
    redraws.refuse_open_request(CampaignRedraw, CampaignRedraw.campaign_id == campaign.id)
    request = CampaignRedraw(
        campaign=campaign,
        draw_id=campaign.draw_id,
        kind=kind,
        reason=reason.strip(),
        requested_by=actor.username,
        status="pending",
    )
    db.session.add(request)
    db.session.flush()
    audit.record(
        "review_redraw.request",
        "review_redraw",
        request.id,
        {"campaign": campaign.code, "draw_id": campaign.draw_id, "kind": kind, "reason": reason},
        actor=actor.username,
    )
    return request


def decide_redraw(request: CampaignRedraw, approve: bool, note: str, leader: User) -> None:
    redraws.decide(request, approve, note, leader, "review_redraw")


def relock_for_redraw(request: CampaignRedraw, actor: User) -> DrawManifest:
    """抽取清单有误: the campaign's register and reviewers as they are now, a new version."""
    campaign = _locked(request.campaign)
    db.session.refresh(request)
    redraws.check_relock(request)
    _refuse_if_scored(campaign)
    previous = db.session.get(DrawManifest, campaign.manifest_id)
    manifest = freeze_campaign(campaign, manifest_inputs(campaign), actor, previous)
    request.manifest_id = campaign.manifest_id = manifest.id
    db.session.flush()
    audit.record(
        "review_redraw.relock",
        "review_redraw",
        request.id,
        {"campaign": campaign.code, "manifest_id": manifest.id, "digests": manifest.digests},
        actor=actor.username,
    )
    return manifest


def run_redraw(request: CampaignRedraw, entropy: str, entropy_source: str, actor: User) -> Draw:
    """The new round: the files of the old one are superseded (kept), the new ones assigned."""
    campaign = _locked(request.campaign)
    db.session.refresh(request)
    if request.status == "approved" and request.draw_id != campaign.draw_id:
        raise Conflict(f"重抽申请第 {request.id} 号针对的抽取结果已被替代")
    _refuse_if_scored(campaign)
    old_id = campaign.draw_id
    draw = redraws.run(request, entropy, entropy_source, actor)
    old_files = select(ReviewFile.id).where(ReviewFile.draw_id == old_id)
    db.session.execute(
        update(Assignment)
        .where(Assignment.review_file_id.in_(old_files), Assignment.active.is_(True))
        .values(active=False, note="抽取结果被重抽替代")
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(ReviewFile)
        .where(ReviewFile.draw_id == old_id)
        .values(superseded=True)
        .execution_options(synchronize_session=False)
    )
    chosen = selections(draw)
    assign_drawn(campaign, draw.id, chosen)
    campaign.draw_id = draw.id
    db.session.flush()
    db.session.expire_all()
    audit.record(
        "review_redraw.run",
        "review_campaign",
        campaign.code,
        {
            "request": request.id,
            "kind": request.kind,
            "old_draw_id": old_id,
            "draw_id": draw.id,
            "round": draw.round,
            "files": len(chosen),
            "result_digest": draw.result_digest,
        },
        actor=actor.username,
    )
    return draw
