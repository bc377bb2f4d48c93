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
from riskctl.reviews.campaign_manifest import conflict_reason
from riskctl.reviews.models import (
    Campaign,
    CaseFile,
    Finding,
    Reviewer,
    ReviewFile,
    ScoreSheet,
)
from riskctl.reviews.options import grade_bands, rectification_days, third_reviewer_margin
from riskctl.reviews.reviewer_draws import (
    has_third,
    lock_file,
    pending_draw,
    request_third_reviewer,
)
from riskctl.reviews.scoring import (
    ScoringError,
    Vote,
    decide,
    failing_grade,
    parse_rubric,
    score_sheet,
)

FINDING_SOURCE = "review_finding"


def _lock(review_file: ReviewFile) -> None:
    """Reload the file under a row lock: sheets, confirmation and referral of one file
    happen one at a time (PostgreSQL; SQLite serialises writers anyway), and each sees
    what the one before it wrote."""
    lock_file(review_file)


def reviewer_for(user: User) -> Reviewer | None:
    return db.session.scalar(select(Reviewer).where(Reviewer.user_id == user.id))


def review_file_in(campaign: Campaign, case_no: str) -> ReviewFile:
    """The drawn file ``case_no`` of ``campaign``; 404 for an unknown case, 422 if not drawn."""
    case = db.session.scalar(select(CaseFile).where(CaseFile.case_no == case_no))
    if case is None:
        raise NotFound(f"案卷 {case_no} 不存在")
    found = db.session.scalar(
        select(ReviewFile).where(
            ReviewFile.campaign_id == campaign.id,
            ReviewFile.case_file_id == case.id,
            ReviewFile.superseded.is_(False),
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
    draw_third_if_needed(review_file, user)
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
    review_file: ReviewFile,
    actor: User,
    sheet_id: int | None = None,
    note: str = "",
    overturn_reason: str = "",
) -> None:
    """The legal office confirms the file's result by the declared rule; findings go to
    the ledger.

    The confirmer never picks a sheet (``sheet_id`` is refused) and never confirms a
    file they scored, were assigned to, handled or approved. A veto stands unless
    ``overturn_reason`` overturns it in writing; otherwise the mean; sheets that differ
    by more than the set margin get a third reviewer, drawn, before any result.
    """
    case = review_file.case_file
    if sheet_id is not None:
        raise ValidationFailed.field(
            "sheet_id",
            "评查结果按规则确定（否决项成立即不合格；否则取各评分表平均），不能指定采用某一评分表",
        )
    _refuse_own_file(review_file, actor)
    _lock(review_file)
    if review_file.status == "confirmed":
        raise Conflict(f"案卷 {case.case_no} 的评查结果已于此前确认")
    if pending_draw(review_file) is not None:
        raise Conflict(f"案卷 {case.case_no} 尚有一轮评查人员补抽未抽取，抽取并评分后才能确认")
    missing = [
        a.reviewer.user.display_name
        for a in review_file.active_assignments
        if all(s.reviewer_id != a.reviewer_id for s in review_file.sheets)
    ]
    if missing:
        raise Conflict(f"尚有评查人员未提交评分表：{'、'.join(missing)}")
    sheets = list(review_file.sheets)
    overturn_reason = overturn_reason.strip()
    if overturn_reason and not any(s.vetoed for s in sheets):
        raise ValidationFailed.field("overturn_reason", "各评分表均无否决项，无需推翻")
    decision = _decide(review_file, overturned=bool(overturn_reason))
    if decision.needs_third:
        raise Conflict(
            f"各评分表相差 {_show(decision.spread)} 分，超过设定的 {_show(_margin())} 分："
            "须先增抽第三名评查人员（随机抽取），其评分后再确认"
        )
    result = decision.result
    review_file.score, review_file.grade = float(result.score), result.grade
    review_file.vetoed, review_file.result_basis = result.vetoed, decision.basis
    review_file.status, review_file.confirmed_by = "confirmed", actor.username
    review_file.confirmed_at, review_file.confirmed_on = clock.now(), clock.today()
    review_file.confirm_note = note.strip() or None
    if overturn_reason:
        review_file.veto_overturned_by = actor.username
        review_file.veto_overturn_reason = overturn_reason
    findings = _record_findings(review_file, sheets, vetoes=not overturn_reason)
    db.session.flush()
    if overturn_reason:
        audit.record(
            "review.file.veto_overturned",
            "review_file",
            review_file.id,
            {
                "case_no": case.case_no,
                "vetoes": sorted({m["code"] for s in sheets for m in s.vetoes}),
                "reason": overturn_reason,
            },
            actor=actor.username,
        )
    item = _rectify(review_file, findings, actor) if findings else None
    audit.record(
        "review.file.confirm",
        "review_file",
        review_file.id,
        {
            "case_no": case.case_no,
            "score": review_file.score,
            "grade": review_file.grade,
            "basis": decision.basis,
            "sheets": [[s.reviewer.badge_no, s.score, s.vetoed] for s in sheets],
            "veto_overturned": bool(overturn_reason),
            "findings": len(findings),
            "rectification_item": item.id if item else None,
        },
        actor=actor.username,
    )


def _show(number: Decimal) -> str:
    return format(number.normalize(), "f")


def _margin() -> Decimal:
    return Decimal(str(third_reviewer_margin()))


def _decide(review_file: ReviewFile, *, overturned: bool):
    votes = [
        Vote(Decimal(str(s.score)), s.vetoed, Decimal(str(sum(s.group_scores.values()))))
        for s in review_file.sheets
    ]
    return decide(
        votes, grade_bands(), _margin(), overturned=overturned, third_drawn=has_third(review_file)
    )


def draw_third_if_needed(review_file: ReviewFile, actor: User, *, required: bool = False):
    """Lock the third-reviewer round when every sheet is in and they differ by more than the
    margin (read as they stand, or with their vetoes overturned). ``required``: refuse
    (409) when the rule does not call for one."""
    sheets_in = all(
        any(s.reviewer_id == a.reviewer_id for s in review_file.sheets)
        for a in review_file.active_assignments
    )
    if sheets_in and review_file.sheets and pending_draw(review_file) is None:
        for overturned in (False, True):
            decision = _decide(review_file, overturned=overturned)
            if decision.needs_third:
                return request_third_reviewer(
                    review_file, _show(decision.spread), _show(_margin()), actor
                )
    if required:
        raise Conflict(
            f"案卷 {review_file.case_file.case_no} 的评分表相差未超过 {_show(_margin())} 分"
            "（或尚未全部提交、已增抽过），无需增抽第三名评查人员"
        )
    return None


def _refuse_own_file(review_file: ReviewFile, actor: User) -> None:
    """Nobody confirms a file they scored, were drawn for, handled or approved."""
    case = review_file.case_file
    reviewer = reviewer_for(actor)
    if reviewer is None:
        return
    if any(a.reviewer_id == reviewer.id for a in review_file.assignments):
        raise Forbidden(f"您是案卷 {case.case_no} 的评查人员，不能确认自己评查的案卷")
    if reviewer.badge_no in case.handlers or reviewer.badge_no == case.approver:
        raise Forbidden(f"您是案卷 {case.case_no} 的承办人或审批人，不能确认其评查结果")


def _record_findings(
    review_file: ReviewFile, basis: list[ScoreSheet], *, vetoes: bool = True
) -> list[Finding]:
    """Vetoes (unless overturned) and deductions of the sheets, one row per item."""
    merged: dict[str, Finding] = {}
    for sheet in basis:
        rubric = parse_rubric(sheet.rubric.body)
        for mark in sheet.vetoes if vetoes else ():
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
