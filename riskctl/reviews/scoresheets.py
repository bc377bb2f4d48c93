"""Score sheets (评分表), the legal office's confirmation (结果确认) and what follows it:
findings, rectification items (整改) and referral for 过错责任追究. Flush and audit only.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select

from riskctl.accounts.models import User
from riskctl.core import audit, clock
from riskctl.core.db import db
from riskctl.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from riskctl.rectification.operations import open_item
from riskctl.reviews.drawing import conflict_reason
from riskctl.reviews.models import (
    Assignment,
    Campaign,
    CaseFile,
    Finding,
    Reviewer,
    ReviewFile,
    ScoreSheet,
)
from riskctl.reviews.rules import grade_bands, rectification_days
from riskctl.reviews.scoring import (
    FileResult,
    ScoringError,
    combine,
    failing_grade,
    grade_for,
    parse_rubric,
    score_sheet,
)

FINDING_SOURCE = "review_finding"


def _lock(review_file: ReviewFile) -> None:
    """Reload the file under a row lock: sheets, confirmation and referral of one file
    happen one at a time (PostgreSQL; SQLite serialises writers anyway), and each sees
    what the one before it wrote."""
    db.session.refresh(review_file, with_for_update=True)


def reviewer_for(user: User) -> Reviewer | None:
    return db.session.scalar(select(Reviewer).where(Reviewer.user_id == user.id))


def review_file_in(campaign: Campaign, case_no: str) -> ReviewFile:
    """The drawn file ``case_no`` of ``campaign``; 404 for an unknown case, 422 if not drawn."""
    case = db.session.scalar(select(CaseFile).where(CaseFile.case_no == case_no))
    if case is None:
        raise NotFound(f"案卷 {case_no} 不存在")
    found = db.session.scalar(
        select(ReviewFile).where(
            ReviewFile.campaign_id == campaign.id, ReviewFile.case_file_id == case.id
        )
    )
    if found is None:
        raise ValidationFailed.field(
            "case_no", f"案卷 {case_no} 不在评查活动 {campaign.code} 的抽中名单中，不能评分"
        )
    return found


def submit_sheet(
    review_file: ReviewFile,
    user: User,
    vetoes: list[dict[str, Any]],
    deductions: list[dict[str, Any]],
    comment: str = "",
) -> ScoreSheet:
    """One reviewer's sheet for one file (一卷一表)."""
    reviewer = reviewer_for(user)
    if reviewer is None:
        raise Forbidden("您不在评查人员库中，不能提交评分表")
    _lock(review_file)
    case = review_file.case_file
    reason = conflict_reason(reviewer, case)
    if reason:
        raise ValidationFailed.field("reviewer", reason)
    if not any(a.reviewer_id == reviewer.id for a in review_file.active_assignments):
        raise Forbidden(f"您未被分配评查案卷 {case.case_no}")
    if review_file.status == "confirmed":
        raise Conflict(f"案卷 {case.case_no} 的评查结果已确认，不能再提交评分表")
    earlier = next((s for s in review_file.sheets if s.reviewer_id == reviewer.id), None)
    if earlier is not None:
        raise Conflict(
            f"您已于 {earlier.submitted_at:%Y-%m-%d %H:%M} 提交过案卷 {case.case_no} "
            "的评分表，每人每卷只能提交一份"
        )
    rubric = review_file.campaign.rubric
    try:
        result = score_sheet(parse_rubric(rubric.body), vetoes, deductions, grade_bands())
    except ScoringError as exc:
        raise ValidationFailed(exc.message, exc.details) from exc
    sheet = ScoreSheet(
        review_file=review_file,
        reviewer=reviewer,
        rubric=rubric,
        vetoes=[{"code": m.code, "note": m.note} for m in result.vetoes],
        deductions=[
            {"code": m.code, "points": float(m.points), "note": m.note} for m in result.deductions
        ],
        group_scores={k: float(v) for k, v in result.group_scores.items()},
        score=float(result.score),
        grade=result.grade,
        vetoed=result.vetoed,
        comment=comment.strip(),
        submitted_at=clock.now(),
    )
    db.session.add(sheet)
    db.session.flush()
    submitted = {s.reviewer_id for s in review_file.sheets}
    if all(a.reviewer_id in submitted for a in review_file.active_assignments):
        review_file.status = "scored"
    db.session.flush()
    audit.record(
        "review.sheet.submit",
        "review_file",
        review_file.id,
        {
            "case_no": case.case_no,
            "reviewer": reviewer.badge_no,
            "score": sheet.score,
            "grade": sheet.grade,
            "rubric_version": rubric.version,
        },
        actor=user.username,
    )
    return sheet


def confirm_file(
    review_file: ReviewFile, actor: User, sheet_id: int | None = None, note: str = ""
) -> None:
    """The legal office confirms the file's result; findings go to the ledger."""
    _lock(review_file)
    case = review_file.case_file
    if review_file.status == "confirmed":
        raise Conflict(f"案卷 {case.case_no} 的评查结果已于此前确认")
    missing = [
        a.reviewer.user.display_name
        for a in review_file.active_assignments
        if all(s.reviewer_id != a.reviewer_id for s in review_file.sheets)
    ]
    if missing:
        raise Conflict(f"尚有评查人员未提交评分表：{'、'.join(missing)}")
    basis, label = _basis(review_file, sheet_id)
    bands = grade_bands()
    if sheet_id is None:
        result = combine([(Decimal(str(s.score)), s.vetoed) for s in basis], bands)
    else:
        score = Decimal(str(basis[0].score))
        result = FileResult(
            score,
            failing_grade(bands) if basis[0].vetoed else grade_for(score, bands),
            basis[0].vetoed,
        )
    review_file.score, review_file.grade = float(result.score), result.grade
    review_file.vetoed, review_file.result_basis = result.vetoed, label
    review_file.status, review_file.confirmed_by = "confirmed", actor.username
    review_file.confirmed_at, review_file.confirmed_on = clock.now(), clock.today()
    review_file.confirm_note = note.strip() or None
    findings = _record_findings(review_file, basis)
    db.session.flush()
    item = _rectify(review_file, findings, actor) if findings else None
    audit.record(
        "review.file.confirm",
        "review_file",
        review_file.id,
        {
            "case_no": case.case_no,
            "score": review_file.score,
            "grade": review_file.grade,
            "basis": label,
            "findings": len(findings),
            "rectification_item": item.id if item else None,
        },
        actor=actor.username,
    )


def _basis(review_file: ReviewFile, sheet_id: int | None) -> tuple[list[ScoreSheet], str]:
    if sheet_id is None:
        return list(review_file.sheets), "各评查人员评分平均"
    sheet = next((s for s in review_file.sheets if s.id == sheet_id), None)
    if sheet is None:
        raise ValidationFailed.field(
            "sheet_id", f"评分表 {sheet_id} 不属于案卷 {review_file.case_file.case_no}"
        )
    return [sheet], f"采用 {sheet.reviewer.user.display_name} 的评分表"


def _record_findings(review_file: ReviewFile, basis: list[ScoreSheet]) -> list[Finding]:
    """Vetoes and deductions of the sheets the result rests on, one row per item."""
    merged: dict[str, Finding] = {}
    for sheet in basis:
        rubric = parse_rubric(sheet.rubric.body)
        for mark in sheet.vetoes:
            _merge(merged, review_file, "veto", mark, rubric.veto_item(mark["code"]).text, None)
        for mark in sheet.deductions:
            item = rubric.deduction_item(mark["code"])
            _merge(merged, review_file, "deduction", mark, item.text, item.group)
    for finding in merged.values():
        db.session.add(finding)
    return list(merged.values())


def _merge(
    merged: dict[str, Finding],
    review_file: ReviewFile,
    kind: str,
    mark: dict[str, Any],
    text: str,
    group: str | None,
) -> None:
    found = merged.get(mark["code"])
    if found is None:
        merged[mark["code"]] = Finding(
            review_file_id=review_file.id,
            kind=kind,
            item_code=mark["code"],
            item_text=text,
            group_name=group,
            points=mark.get("points", 0),
            note=mark["note"],
        )
        return
    found.points = max(found.points, mark.get("points", 0))
    if mark["note"] not in found.note.split("；"):
        found.note = f"{found.note}；{mark['note']}"


def _rectify(review_file: ReviewFile, findings: list[Finding], actor: User):
    case = review_file.case_file
    lines = [
        f"{'【否决】' if f.kind == 'veto' else f'【扣 {f.points:g} 分】'}{f.item_text}：{f.note}"
        for f in findings
    ]
    owner = case.handler_names or "、".join(case.handlers)
    title = f"案卷 {case.case_no} 评查问题整改（{review_file.grade}，{review_file.score:g} 分）"
    return open_item(
        FINDING_SOURCE,
        f"{review_file.campaign.code}/{case.case_no}",
        title[:200],
        case.unit_id,
        owner[:60],
        rectification_days(),
        "\n".join(lines),
        actor,
    )


def refer_file(review_file: ReviewFile, note: str, actor: User) -> None:
    """Refer a 不合格 file for 过错责任追究 (fault accountability); recorded, once."""
    case = review_file.case_file
    if not note.strip():
        raise ValidationFailed.field("note", "请填写移送说明（移送对象与事由）")
    _lock(review_file)
    if review_file.status != "confirmed":
        raise Conflict(f"案卷 {case.case_no} 的评查结果尚未确认，不能移送")
    failing = failing_grade(grade_bands())
    if review_file.grade != failing:
        raise ValidationFailed.field(
            "grade", f"只有评为{failing}的案卷才能移送过错责任追究（本卷为{review_file.grade}）"
        )
    if review_file.referred_at is not None:
        raise Conflict(f"案卷 {case.case_no} 已于 {review_file.referred_at:%Y-%m-%d} 移送")
    review_file.referred_at, review_file.referred_by = clock.now(), actor.username
    review_file.referral_note = note.strip()
    db.session.flush()
    audit.record(
        "review.file.refer",
        "review_file",
        review_file.id,
        {"case_no": case.case_no, "note": note.strip()},
        actor=actor.username,
    )


def replace_reviewer(
    review_file: ReviewFile, old: str, new: str, reason: str, actor: User
) -> Assignment:
    """Put another campaign reviewer in place of one who cannot review (recorded reason)."""
    case = review_file.case_file
    if not reason.strip():
        raise ValidationFailed.field("reason", "请填写更换评查人员的原因")
    _lock(review_file)
    if review_file.status == "confirmed":
        raise Conflict(f"案卷 {case.case_no} 的评查结果已确认，不能更换评查人员")
    current = next(
        (a for a in review_file.active_assignments if a.reviewer.user.username == old), None
    )
    if current is None:
        raise ValidationFailed.field("old", f"{old} 不是案卷 {case.case_no} 的评查人员")
    if any(s.reviewer_id == current.reviewer_id for s in review_file.sheets):
        raise Conflict(f"{old} 已提交评分表，不能更换")
    incoming = next(
        (r for r in review_file.campaign.reviewers if r.user.username == new and r.active), None
    )
    if incoming is None:
        raise ValidationFailed.field("new", f"{new} 不是本次评查活动的评查人员")
    blocked = conflict_reason(incoming, case)
    if blocked:
        raise ValidationFailed.field("new", blocked)
    if any(a.reviewer_id == incoming.id for a in review_file.assignments):
        raise Conflict(f"{new} 已经是（或曾是）案卷 {case.case_no} 的评查人员")
    current.active, current.note = False, f"被更换：{reason.strip()}"
    assignment = Assignment(
        review_file=review_file,
        reviewer=incoming,
        by_draw=False,
        active=True,
        note=f"替换 {old}：{reason.strip()}",
    )
    db.session.add(assignment)
    review_file.status = "assigned"
    db.session.flush()
    audit.record(
        "review.assignment.replace",
        "review_file",
        review_file.id,
        {"case_no": case.case_no, "old": old, "new": new, "reason": reason.strip()},
        actor=actor.username,
    )
    return assignment
