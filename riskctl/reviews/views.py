"""Campaign pages (评查活动): list, set-up, lock and draw, drawn files, results."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import aliased, defer

from riskctl.accounts.models import Unit
from riskctl.accounts.queries import units_tree, visible_unit_ids
from riskctl.accounts.roles import DISCIPLINE, LEADER, LEGAL, OFFICER
from riskctl.core.auth.policy import allow, current_actor
from riskctl.core.db import db
from riskctl.core.errors import AppError, summarise
from riskctl.core.listing import listing, related
from riskctl.draws.models import REDRAW_KINDS
from riskctl.reviews import operations, queries, redraws, stats
from riskctl.reviews.campaign_manifest import eligible_counts
from riskctl.reviews.filters import file_filters
from riskctl.reviews.forms import CampaignEditForm, CampaignForm, DrawForm
from riskctl.reviews.models import FILE_STATUSES, Campaign, CampaignRedraw, CaseFile, ReviewFile
from riskctl.reviews.options import grade_bands

bp = Blueprint("reviews", __name__, url_prefix="/reviews", template_folder="templates")

READERS = (LEGAL, DISCIPLINE, LEADER, OFFICER)


@bp.get("/")
@allow(*READERS)
def campaigns():
    user = current_actor()
    lst = listing(
        select(Campaign),
        {
            "code": Campaign.code,
            "name": Campaign.name,
            "period": (Campaign.period_start, Campaign.period_end),
            "team_size": Campaign.team_size,
            "rubric": Campaign.rubric_id,
            "status": Campaign.status,
        },
        "-period",
    )
    return render_template(
        "reviews/campaigns.html",
        lst=lst,
        campaigns=lst.items,
        can_manage=user.role == LEGAL,
        is_reviewer=queries.reviewer_for_user(user) is not None,
    )


PENDING_LISTS = {
    "confirm": ("待确认的评分结果", LEGAL),
    "redraw": ("待审批的评查重抽申请", LEADER),
}


@bp.get("/pending")
@allow(LEGAL, LEADER)
def pending():
    """The legal office's scored files to confirm; the leaders' re-draws to decide."""
    kind = "confirm" if current_actor().role == LEGAL else "redraw"
    if kind == "confirm":
        file = ReviewFile.case_file_id
        lst = listing(
            queries.files_to_confirm(),
            {
                "campaign": related(Campaign.name, Campaign.id, ReviewFile.campaign_id),
                "position": (ReviewFile.campaign_id, ReviewFile.position),
                "case_no": related(CaseFile.case_no, CaseFile.id, file),
                "case_type": related(CaseFile.case_type, CaseFile.id, file),
            },
            "position",
        )
    else:
        lst = listing(
            queries.campaigns_with_pending_redraw(),
            {"code": Campaign.code, "name": Campaign.name, "status": Campaign.status},
            "-code",
        )
    return render_template(
        "reviews/pending.html", kind=kind, title=PENDING_LISTS[kind][0], lst=lst, rows=lst.items
    )


@bp.route("/campaigns/new", methods=["GET", "POST"])
@allow(LEGAL)
def new_campaign():
    form = CampaignForm()
    if form.validate_on_submit():
        fields = ("code", "name", "period_start", "period_end", "team_size", "cap")
        try:
            campaign = operations.create_campaign(
                {k: form.data[k] for k in fields}, current_actor()
            )
        except AppError as exc:
            form.code.errors = [*form.code.errors, exc.message]
            return render_template("reviews/campaign_new.html", form=form), exc.status
        flash(f"已建立评查活动 {campaign.code}，请设定各单位抽取件数并选择评查人员", "success")
        return redirect(url_for(".campaign", code=campaign.code))
    status = 422 if form.is_submitted() else 200
    return render_template("reviews/campaign_new.html", form=form), status


_EDITED = ("name", "period_start", "period_end", "team_size", "cap")


@bp.route("/campaigns/<code>/edit", methods=["GET", "POST"])
@allow(LEGAL)
def edit_campaign(code: str):
    """A draft campaign stays editable until it is locked; then this page refuses (409)."""
    campaign = queries.campaign_by_code(code)
    if campaign.status != "draft":
        flash(f"评查活动 {campaign.code} 已锁定，抽取清单已冻结，不能再修改", "error")
        return _render(campaign, 409)
    form = CampaignEditForm(obj=campaign)
    if form.validate_on_submit():
        try:
            operations.update_campaign(
                campaign, {k: form.data[k] for k in _EDITED}, current_actor()
            )
        except AppError as exc:
            db.session.rollback()
            field = next(iter(exc.details), "") if exc.details else ""
            # A shorter period can leave a unit fewer files than its quota: said at the period.
            target = (
                form.period_end if field == "quotas" else getattr(form, field, None) or form.name
            )
            target.errors = [*target.errors, exc.message]
            return render_template(
                "reviews/campaign_new.html", form=form, campaign=campaign
            ), exc.status
        flash(f"已保存评查活动 {campaign.code} 的修改", "success")
        return redirect(url_for(".campaign", code=campaign.code))
    status = 422 if form.is_submitted() else 200
    return render_template("reviews/campaign_new.html", form=form, campaign=campaign), status


def _stage(campaign: Campaign) -> dict:
    """What the campaign page shows at each stage: set-up, manifest, or the drawn files."""
    if campaign.status == "draft":
        return {
            "units": units_tree(),
            "eligible": eligible_counts(campaign),
            "pool": [r for r in queries.reviewers() if r.active],
        }
    from riskctl.draws.models import Draw, DrawManifest

    # The frozen body can run to megabytes: the page shows digests and counts only.
    # A campaign is locked and drawn by the operations; one built otherwise may lack either.
    manifest = None
    if campaign.manifest_id is not None:
        manifest = db.session.get(
            DrawManifest, campaign.manifest_id, options=[defer(DrawManifest.body_zlib)]
        )
    stage: dict = {"manifest": manifest}
    if campaign.status == "drawn":
        filters: dict = {}
        try:
            filters = file_filters(request.args)
        except ValidationError as exc:
            stage["filter_problem"] = summarise(exc.normalized_messages())
        except AppError as exc:
            stage["filter_problem"] = exc.message
        query = queries.files_query(campaign, current_actor(), **filters)
        case_file = ReviewFile.case_file_id
        lst = listing(
            query,
            {
                "position": ReviewFile.position,
                "case_no": related(CaseFile.case_no, CaseFile.id, case_file),
                "unit": _case_file_unit_path(),
                "case_type": related(CaseFile.case_type, CaseFile.id, case_file),
                "status": ReviewFile.status,
                "score": ReviewFile.score,
                "grade": ReviewFile.grade,
            },
            "position",
        )
        draw = None if campaign.draw_id is None else db.session.get(Draw, campaign.draw_id)
        stage.update(draw=draw, lst=lst, files=lst.items)
    return stage


def _case_file_unit_path():
    """Sort key of a drawn file's unit (two steps away: file → case file → unit)."""
    case, unit = aliased(CaseFile), aliased(Unit)
    return (
        select(unit.path)
        .join(case, case.unit_id == unit.id)
        .where(case.id == ReviewFile.case_file_id)
        .scalar_subquery()
    )


def _render(campaign: Campaign, status: int = 200, **extra):
    user = current_actor()
    latest = operations.current_rubric()
    units = units_tree()
    context = dict(
        campaign=campaign,
        can_manage=user.role == LEGAL,
        statuses=FILE_STATUSES,
        draw_form=extra.pop("draw_form", None) or DrawForm(),
        newer_rubric=latest if latest and latest.id != campaign.rubric_id else None,
        filter_units=units,
        unit_names={u.code: u.name for u in units},
        redraws=listing(  # its own table: ?redraws_page=, ?redraws_sort=
            select(CampaignRedraw).where(CampaignRedraw.campaign_id == campaign.id),
            {"id": CampaignRedraw.id, "kind": CampaignRedraw.kind, "status": CampaignRedraw.status},
            "id",
            prefix="redraws_",
            per_page=20,
        ),
        redraw_kinds=REDRAW_KINDS,
        role=user.role,
        **_stage(campaign),
        **extra,
    )
    return render_template("reviews/campaign.html", **context), status


@bp.get("/campaigns/<code>")
@allow(*READERS)
def campaign(code: str):
    return _render(queries.campaign_by_code(code))


def _setup_data() -> tuple[dict, dict[str, str]]:
    """Quotas and reviewers from the set-up form; problems by unit code."""
    quotas, problems = {}, {}
    for key, value in request.form.items():
        if key.startswith("quota-") and value.strip():
            code = key.removeprefix("quota-")
            if value.strip().isdigit():
                quotas[code] = int(value.strip())
            else:
                problems[code] = "请填写不小于 0 的整数"
    return {"quotas": quotas, "reviewers": request.form.getlist("reviewer")}, problems


@bp.post("/campaigns/<code>/setup")
@allow(LEGAL)
def setup(code: str):
    campaign = queries.campaign_by_code(code)
    data, problems = _setup_data()
    if problems:
        return _render(campaign, 422, quota_problems=problems, form_values=data)
    try:
        operations.update_campaign(campaign, data, current_actor())
    except AppError as exc:
        db.session.rollback()  # the page shows the saved campaign and the input kept
        campaign = queries.campaign_by_code(code)
        return _render(campaign, exc.status, setup_error=exc.message, form_values=data)
    flash("已保存抽取件数和评查人员", "success")
    return redirect(url_for(".campaign", code=code))


@bp.post("/campaigns/<code>/lock")
@allow(LEGAL)
def lock(code: str):
    campaign = queries.campaign_by_code(code)
    try:
        operations.lock_campaign(campaign, current_actor())
    except AppError as exc:
        return _render(campaign, exc.status, lock_error=exc.message)
    flash("抽取清单已锁定并公开摘要；请在公开随机数产生后录入并抽取", "success")
    return redirect(url_for(".campaign", code=code))


@bp.post("/campaigns/<code>/draw")
@allow(LEGAL)
def draw(code: str):
    campaign = queries.campaign_by_code(code)
    form = DrawForm()
    if not form.validate_on_submit():
        return _render(campaign, 422, draw_form=form)
    try:
        operations.draw_campaign(
            campaign, form.entropy.data, form.entropy_source.data or "现场录入", current_actor()
        )
    except AppError as exc:
        form.entropy.errors = [exc.message]
        return _render(campaign, exc.status, draw_form=form)
    flash("抽取完成，案卷已分配给评查人员", "success")
    return redirect(url_for(".campaign", code=code))


@bp.post("/campaigns/<code>/rubric")
@allow(LEGAL)
def adopt_rubric(code: str):
    campaign = queries.campaign_by_code(code)
    try:
        operations.adopt_current_rubric(campaign, current_actor())
    except AppError as exc:
        return _render(campaign, exc.status, lock_error=exc.message)
    flash(f"已改用评查标准第 {campaign.rubric.version} 版", "success")
    return redirect(url_for(".campaign", code=code))


@bp.get("/campaigns/<code>/results")
@allow(*READERS)
def results(code: str):
    campaign = queries.campaign_by_code(code)
    ids = visible_unit_ids(current_actor())
    scope = stats.for_campaign(campaign)
    units = stats.grade_shares(scope, ids)
    return render_template(
        "reviews/results.html",
        campaign=campaign,
        progress=stats.progress(campaign, ids),
        units=units,
        totals=stats.totals(units),
        grades=[name for name, _ in grade_bands()],
        deductions=stats.frequent_deductions(scope, 10, ids),
        failed=stats.failed_files(scope, ids),
    )


# Re-draws (重抽) -------------------------------------------------------------------------


def _redraw_step(campaign: Campaign, step, done: str):
    try:
        step()
    except AppError as exc:
        db.session.rollback()
        return _render(queries.campaign_by_code(campaign.code), exc.status, lock_error=exc.message)
    flash(done, "success")
    return redirect(url_for(".campaign", code=campaign.code))


@bp.post("/campaigns/<code>/redraws")
@allow(LEGAL)
def request_redraw(code: str):
    campaign = queries.campaign_by_code(code)
    form = request.form
    return _redraw_step(
        campaign,
        lambda: redraws.request_redraw(
            campaign, form.get("kind", ""), form.get("reason", "")[:1000], current_actor()
        ),
        "已提出重抽申请，待局领导审批",
    )


@bp.post("/redraws/<int:request_id>/decision")
@allow(LEADER)
def decide_redraw(request_id: int):
    found = redraws.redraw_by_id(request_id)
    approve = request.form.get("decision") == "grant"
    note = request.form.get("note", "").strip()[:1000]
    return _redraw_step(
        found.campaign,
        lambda: redraws.decide_redraw(found, approve, note, current_actor()),
        "已作出决定",
    )


@bp.post("/redraws/<int:request_id>/relock")
@allow(LEGAL)
def relock_redraw(request_id: int):
    found = redraws.redraw_by_id(request_id)
    return _redraw_step(
        found.campaign,
        lambda: redraws.relock_for_redraw(found, current_actor()),
        "已按现有案卷和评查人员重新锁定清单并公布摘要；请在此后产生的公开随机数出来后重抽",
    )


@bp.post("/redraws/<int:request_id>/run")
@allow(LEGAL)
def run_redraw(request_id: int):
    found = redraws.redraw_by_id(request_id)
    form = DrawForm()
    if not form.validate_on_submit():
        return _render(found.campaign, 422, draw_form=form)
    return _redraw_step(
        found.campaign,
        lambda: redraws.run_redraw(
            found, form.entropy.data, form.entropy_source.data or "现场录入", current_actor()
        ),
        "重抽完成；原抽取结果仍保留并公开",
    )
