"""Reviewers drawn for one file after the campaign's draw (评查人员补抽): a replacement for a
reviewer who cannot review, and a third reviewer when the sheets differ by more than the
set margin. Never a name picked from a list: a new public round of riskctl-draw/1.

Recording the need withdraws the reviewer (for a replacement) and locks a one-file
manifest whose digests are published at once; the draw runs when public entropy
produced after the lock is entered. Flush and audit only.
"""

from __future__ import annotations

from sqlalchemy import func, select

from riskctl.accounts.models import User
from riskctl.core import audit
from riskctl.core.db import db
from riskctl.core.errors import Conflict, NotFound, ValidationFailed
from riskctl.draws.models import Draw, DrawManifest
from riskctl.draws.operations import freeze_manifest, perform_draw
from riskctl.draws.queries import selections
from riskctl.reviews.campaign_manifest import conflict_reason
from riskctl.reviews.models import Assignment, Reviewer, ReviewerDraw, ReviewFile

SHORT = {"replace": "更换", "third": "增抽"}


def lock_file(review_file: ReviewFile) -> None:
    """The file's row lock: one change of its reviewers or result at a time."""
    db.session.refresh(review_file, with_for_update=True)


def pending_draw(review_file: ReviewFile) -> ReviewerDraw | None:
    return next((d for d in review_file.reviewer_draws if d.draw_id is None), None)


def round_of(review_file: ReviewFile, number: int) -> ReviewerDraw:
    found = next((d for d in review_file.reviewer_draws if d.number == number), None)
    if found is None:
        raise NotFound(f"案卷 {review_file.case_file.case_no} 没有第 {number} 轮评查人员补抽")
    return found


def has_third(review_file: ReviewFile) -> bool:
    return any(d.purpose == "third" for d in review_file.reviewer_draws)


def _eligible(review_file: ReviewFile) -> list[Reviewer]:
    """The campaign's active reviewers who may take the file: nobody who is or was on it,
    nobody in conflict with it (回避), nobody already at the campaign's cap."""
    campaign = review_file.campaign
    on_file = {a.reviewer_id for a in review_file.assignments}
    load = dict(
        db.session.execute(
            select(Assignment.reviewer_id, func.count())
            .join(ReviewFile, ReviewFile.id == Assignment.review_file_id)
            .where(
                ReviewFile.campaign_id == campaign.id,
                ReviewFile.superseded.is_(False),
                Assignment.active.is_(True),
            )
            .group_by(Assignment.reviewer_id)
        ).all()
    )
    cap = db.session.get(DrawManifest, campaign.manifest_id).cap
    return [
        r
        for r in campaign.reviewers
        if r.active
        and r.id not in on_file
        and load.get(r.id, 0) < cap
        and conflict_reason(r, review_file.case_file) is None
    ]


def _lock_round(
    review_file: ReviewFile, purpose: str, reason: str, actor: User, withdrawn=None
) -> ReviewerDraw:
    """Freeze the one-file manifest of the next reviewer round and record the need."""
    if pending_draw(review_file) is not None:
        raise Conflict(f"案卷 {review_file.case_file.case_no} 已有一轮待抽取的评查人员补抽")
    pool = _eligible(review_file)
    case = review_file.case_file
    if not pool:
        raise ValidationFailed.field(
            "reviewer",
            f"评查人员库中没有可以评查案卷 {case.case_no} 的其他人员（均已参与、须回避或已满额）",
        )
    number = len(review_file.reviewer_draws) + 1
    subject = f"{review_file.campaign.code}/{case.case_no}/{SHORT[purpose]}{number}"
    unit = case.unit.code
    manifest = freeze_manifest(
        "review",
        subject,
        plan=subject,
        targets=[(case.case_no, unit)],
        quotas={unit: 1},
        inspectors=[(r.badge_no, r.user.unit.code if r.user.unit else "未设单位") for r in pool],
        conflicts=[],
        team_size=1,
        cap=1,
        actor=actor,
    )
    drawn = ReviewerDraw(
        review_file=review_file,
        number=number,
        purpose=purpose,
        withdrawn=withdrawn,
        reason=reason,
        manifest_id=manifest.id,
        requested_by=actor.username,
    )
    db.session.add(drawn)
    review_file.status = "assigned"
    db.session.flush()
    audit.record(
        f"review.reviewer_draw.{purpose}",
        "review_file",
        review_file.id,
        {
            "case_no": case.case_no,
            "round": number,
            "reason": reason,
            "withdrawn": withdrawn.reviewer.badge_no if withdrawn else None,
            "manifest_id": manifest.id,
            "candidates": len(pool),
        },
        actor=actor.username,
    )
    return drawn


def request_replacement(
    review_file: ReviewFile, old: str, reason: str, actor: User
) -> ReviewerDraw:
    """更换评查人员: withdraw ``old`` (a username) with the reason; the replacement is drawn."""
    case = review_file.case_file
    reason = reason.strip()
    if not reason:
        raise ValidationFailed.field("reason", "请填写更换评查人员的原因")
    lock_file(review_file)
    if review_file.status == "confirmed":
        raise Conflict(f"案卷 {case.case_no} 的评查结果已确认，不能更换评查人员")
    current = next(
        (a for a in review_file.active_assignments if a.reviewer.user.username == old), None
    )
    if current is None:
        raise ValidationFailed.field("old", f"{old} 不是案卷 {case.case_no} 的评查人员")
    if any(s.reviewer_id == current.reviewer_id for s in review_file.sheets):
        raise Conflict(f"{current.reviewer.user.display_name} 已提交评分表，不能更换")
    current.active, current.note = False, f"被更换：{reason}"
    return _lock_round(review_file, "replace", reason, actor, withdrawn=current)


def request_third_reviewer(review_file: ReviewFile, spread: str, margin: str, actor: User):
    """增抽第三名评查人员: the sheets differ by more than the set margin."""
    if has_third(review_file):
        raise Conflict(f"案卷 {review_file.case_file.case_no} 已增抽过第三名评查人员")
    reason = f"各评分表相差 {spread} 分，超过设定的 {margin} 分，依规则增抽一名评查人员"
    return _lock_round(review_file, "third", reason, actor)


def draw_reviewer(
    drawn: ReviewerDraw, entropy: str, entropy_source: str, actor: User
) -> Assignment:
    """Run the round with public entropy; the reviewer it picks is assigned (once: 409)."""
    review_file = drawn.review_file
    lock_file(review_file)
    db.session.refresh(drawn)
    if drawn.draw_id is not None:
        raise Conflict(f"第 {drawn.number} 轮评查人员补抽已经抽取，不能再次抽取")
    draw: Draw = perform_draw(
        db.session.get(DrawManifest, drawn.manifest_id), entropy, entropy_source, actor
    )
    badge = selections(draw)[0].inspectors[0]
    reviewer = db.session.scalar(select(Reviewer).where(Reviewer.badge_no == badge))
    assignment = Assignment(
        review_file=review_file,
        reviewer=reviewer,
        by_draw=True,
        active=True,
        note=f"第 {drawn.number} 轮补抽（{drawn.purpose_label}）：{drawn.reason}",
    )
    db.session.add(assignment)
    drawn.draw_id, drawn.assignment = draw.id, assignment
    review_file.status = "assigned"
    db.session.flush()
    audit.record(
        "review.reviewer_draw.run",
        "review_file",
        review_file.id,
        {
            "case_no": review_file.case_file.case_no,
            "round": drawn.number,
            "draw_id": draw.id,
            "reviewer": badge,
            "result_digest": draw.result_digest,
        },
        actor=actor.username,
    )
    return assignment
