"""``/api/v1/reviews``: campaigns and their draw, drawn files, score sheets, results."""

from __future__ import annotations

from flask import Blueprint, request

from riskctl.accounts.queries import visible_unit_ids
from riskctl.core.auth.policy import DISCIPLINE, LEADER, LEGAL, OFFICER, allow, current_actor
from riskctl.core.http import doc, json_body, paginate
from riskctl.draws.schemas import RedrawDecisionInSchema, RedrawRequestInSchema
from riskctl.reviews import operations, queries, redraws, scoresheets, stats
from riskctl.reviews.campaign_manifest import eligible_counts
from riskctl.reviews.filters import file_filters
from riskctl.reviews.schemas import (
    CampaignCreateSchema,
    CampaignPatchSchema,
    CampaignRedrawSchema,
    CampaignSchema,
    DrawSchema,
    ReviewFileSchema,
    SheetCreateSchema,
    SheetSchema,
)

bp = Blueprint("reviews_api", __name__, url_prefix="/api/v1/reviews")

READERS = (LEGAL, DISCIPLINE, LEADER, OFFICER)
TAGS = ("reviews",)


def _campaign(campaign) -> dict:
    return CampaignSchema().dump(campaign)


@bp.get("/campaigns")
@allow(*READERS)
@doc("评查活动列表", response=CampaignSchema, tags=TAGS)
def list_campaigns():
    items = queries.campaigns()
    return {"items": CampaignSchema(many=True).dump(items), "total": len(items)}


@bp.post("/campaigns")
@allow(LEGAL)
@doc(
    "新建评查活动（评查期、各单位抽取件数、评查人员）",
    body=CampaignCreateSchema,
    response=CampaignSchema,
    status=201,
    tags=TAGS,
)
def create_campaign():
    data = json_body(CampaignCreateSchema())
    return _campaign(operations.create_campaign(data, current_actor())), 201


@bp.get("/campaigns/<code>")
@allow(*READERS)
@doc("评查活动详情（含各单位可抽案卷数）", response=CampaignSchema, tags=TAGS)
def get_campaign(code: str):
    campaign = queries.campaign_by_code(code)
    return {**_campaign(campaign), "eligible": eligible_counts(campaign)}


@bp.patch("/campaigns/<code>")
@allow(LEGAL)
@doc("修改筹备中的评查活动", body=CampaignPatchSchema, response=CampaignSchema, tags=TAGS)
def update_campaign(code: str):
    campaign = queries.campaign_by_code(code)
    operations.update_campaign(campaign, json_body(CampaignPatchSchema()), current_actor())
    return _campaign(campaign)


@bp.post("/campaigns/<code>/rubric")
@allow(LEGAL)
@doc("改用最新版评查标准（开始评分后不可更换）", response=CampaignSchema, tags=TAGS)
def adopt_rubric(code: str):
    campaign = queries.campaign_by_code(code)
    operations.adopt_current_rubric(campaign, current_actor())
    return _campaign(campaign)


@bp.post("/campaigns/<code>/lock")
@allow(LEGAL)
@doc("锁定抽取清单（冻结案卷、评查人员与回避关系，返回摘要）", tags=TAGS)
def lock_campaign(code: str):
    campaign = queries.campaign_by_code(code)
    manifest = operations.lock_campaign(campaign, current_actor())
    return {**_campaign(campaign), "digests": manifest.digests}


@bp.post("/campaigns/<code>/draw")
@allow(LEGAL)
@doc("录入公开随机数并抽取（只能一次，重复抽取返回 409）", body=DrawSchema, tags=TAGS)
def draw_campaign(code: str):
    campaign = queries.campaign_by_code(code)
    data = json_body(DrawSchema())
    draw = operations.draw_campaign(
        campaign, data["entropy"], data["entropy_source"], current_actor()
    )
    return {
        **_campaign(campaign),
        "result_digest": draw.result_digest,
        "public_url": f"/public/draws/{draw.id}",
    }


@bp.get("/campaigns/<code>/files")
@allow(*READERS)
@doc(
    "抽中案卷（筛选：unit、status；执法队员只见本单位及分配给本人的）",
    response=ReviewFileSchema,
    tags=TAGS,
)
def list_files(code: str):
    campaign = queries.campaign_by_code(code)
    query = queries.files_query(campaign, current_actor(), **file_filters(request.args))
    return paginate(query, ReviewFileSchema())


@bp.post("/campaigns/<code>/sheets")
@allow(LEGAL, DISCIPLINE, OFFICER)
@doc(
    "提交评分表（一卷一表；仅限分配的评查人员，每人每卷一份）",
    body=SheetCreateSchema,
    response=SheetSchema,
    status=201,
    tags=TAGS,
)
def submit_sheet(code: str):
    campaign = queries.campaign_by_code(code)
    data = json_body(SheetCreateSchema())
    review_file = scoresheets.review_file_in(campaign, data["case_no"])
    sheet = scoresheets.submit_sheet(
        review_file, current_actor(), data["vetoes"], data["deductions"], data["comment"]
    )
    return SheetSchema().dump(sheet), 201


@bp.get("/campaigns/<code>/results")
@allow(*READERS)
@doc("评查结果：进度、各单位等级分布与平均分、常见扣分项、不合格案卷", tags=TAGS)
def results(code: str):
    campaign = queries.campaign_by_code(code)
    ids = visible_unit_ids(current_actor())
    scope = stats.for_campaign(campaign)
    units = stats.grade_shares(scope, ids)
    return {
        "campaign": campaign.code,
        "progress": stats.progress(campaign, ids),
        "units": units,
        "totals": stats.totals(units),
        "frequent_deductions": stats.frequent_deductions(scope, 10, ids),
        "failed_files": ReviewFileSchema(many=True).dump(stats.failed_files(scope, ids)),
    }


# Campaign re-draws (重抽) ---------------------------------------------------------------


@bp.get("/campaigns/<code>/redraws")
@allow(LEGAL, DISCIPLINE, LEADER)
@doc("评查活动的重抽申请", response=CampaignRedrawSchema, tags=TAGS)
def list_redraws(code: str):
    campaign = queries.campaign_by_code(code)
    return {"items": CampaignRedrawSchema(many=True).dump(redraws.requests_of(campaign))}


@bp.post("/campaigns/<code>/redraws")
@allow(LEGAL)
@doc(
    "提出重抽申请：kind 为 entropy_failure（随机数来源失效）或 manifest_error（抽取清单有误，"
    "批准后须重新锁定清单），须写明理由；已有评分表的活动不能重抽",
    body=RedrawRequestInSchema,
    response=CampaignRedrawSchema,
    status=201,
    tags=TAGS,
)
def request_redraw(code: str):
    campaign = queries.campaign_by_code(code)
    data = json_body(RedrawRequestInSchema())
    found = redraws.request_redraw(campaign, data["kind"], data["reason"], current_actor())
    return CampaignRedrawSchema().dump(found), 201


@bp.post("/redraws/<int:request_id>/decision")
@allow(LEADER)
@doc("局领导审批重抽申请", body=RedrawDecisionInSchema, response=CampaignRedrawSchema, tags=TAGS)
def decide_redraw(request_id: int):
    found = redraws.redraw_by_id(request_id)
    data = json_body(RedrawDecisionInSchema())
    redraws.decide_redraw(found, data["approve"], data["note"], current_actor())
    return CampaignRedrawSchema().dump(found)


@bp.post("/redraws/<int:request_id>/relock")
@allow(LEGAL)
@doc(
    "抽取清单有误：按现有案卷与评查人员重新锁定清单并公布摘要",
    response=CampaignRedrawSchema,
    tags=TAGS,
)
def relock_redraw(request_id: int):
    found = redraws.redraw_by_id(request_id)
    manifest = redraws.relock_for_redraw(found, current_actor())
    return {**CampaignRedrawSchema().dump(found), "digests": manifest.digests}


@bp.post("/redraws/<int:request_id>/run")
@allow(LEGAL)
@doc("执行已批准的重抽（录入新的公开随机数）", body=DrawSchema, tags=TAGS)
def run_redraw(request_id: int):
    found = redraws.redraw_by_id(request_id)
    data = json_body(DrawSchema())
    draw = redraws.run_redraw(found, data["entropy"], data["entropy_source"], current_actor())
    return {
        **CampaignRedrawSchema().dump(found),
        "round": draw.round,
        "result_digest": draw.result_digest,
        "public_url": f"/public/draws/{draw.id}",
    }, 201
