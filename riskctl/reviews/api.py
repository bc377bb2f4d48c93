"""``/api/v1/reviews``: campaigns and their draw, drawn files, score sheets, results."""

from __future__ import annotations

from riskctl.accounts.queries import visible_unit_ids
from riskctl.accounts.roles import DISCIPLINE, LEADER, LEGAL, OFFICER
from riskctl.core.api import ApiBlueprint, PageArgs, errors, extended, paginate
from riskctl.core.auth.policy import allow, current_actor
from riskctl.draws.schemas import (
    ENTROPY_EXAMPLE,
    RedrawDecisionInSchema,
    RedrawRequestInSchema,
)
from riskctl.reviews import operations, queries, redraws, scoresheets, stats
from riskctl.reviews.answers import (
    CampaignDetailOut,
    CampaignDrawOut,
    CampaignLockOut,
    CampaignRedrawListOut,
    CampaignRedrawRunOut,
    CampaignRelockOut,
    CampaignResultsOut,
)
from riskctl.reviews.campaign_manifest import eligible_counts
from riskctl.reviews.examples import CAMPAIGN_ANSWER, CAMPAIGN_EXAMPLE
from riskctl.reviews.filters import FileArgs, file_scope
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

bp = ApiBlueprint(
    "reviews_api",
    __name__,
    title="评查活动",
    url_prefix="/api/v1/reviews",
    description="案卷评查：评查活动、锁定与抽取、评分表、评查结果、重抽",
)

READERS = (LEGAL, DISCIPLINE, LEADER, OFFICER)


@bp.route("/campaigns", methods=["GET"])
@allow(*READERS)
@bp.paginated(CampaignSchema, PageArgs)
def list_campaigns(args):
    """评查活动列表（评查期由近及远）"""
    return paginate(queries.campaigns_query(), args)


@bp.route("/campaigns", methods=["POST"])
@allow(LEGAL)
@errors(409)
@bp.arguments(CampaignCreateSchema, example=CAMPAIGN_EXAMPLE)
@bp.response(201, CampaignSchema, example=CAMPAIGN_ANSWER)
def create_campaign(data):
    """新建评查活动（评查期、各单位抽取件数、评查人员）"""
    return operations.create_campaign(data, current_actor())


@bp.route("/campaigns/<code>", methods=["GET"])
@allow(*READERS)
@bp.response(200, CampaignDetailOut, example={**CAMPAIGN_ANSWER, "eligible": {"ZD1": 40}})
def get_campaign(code: str):
    """评查活动详情（含各单位可抽案卷数）"""
    campaign = queries.campaign_by_code(code)
    return extended(campaign, eligible=eligible_counts(campaign))


@bp.route("/campaigns/<code>", methods=["PATCH"])
@allow(LEGAL)
@errors(409)
@bp.arguments(CampaignPatchSchema, example={"name": "2026 年上半年案卷评查", "cap": 10})
@bp.response(200, CampaignSchema)
def update_campaign(data, code: str):
    """修改筹备中的评查活动（只改所给字段）"""
    campaign = queries.campaign_by_code(code)
    operations.update_campaign(campaign, data, current_actor())
    return campaign


@bp.route("/campaigns/<code>/rubric", methods=["POST"])
@allow(LEGAL)
@errors(409)
@bp.response(200, CampaignSchema)
def adopt_rubric(code: str):
    """改用最新版评查标准（开始评分后不可更换）"""
    campaign = queries.campaign_by_code(code)
    operations.adopt_current_rubric(campaign, current_actor())
    return campaign


@bp.route("/campaigns/<code>/lock", methods=["POST"])
@allow(LEGAL)
@errors(409, 422)
@bp.response(200, CampaignLockOut)
def lock_campaign(code: str):
    """锁定抽取清单（冻结案卷、评查人员与回避关系，返回摘要）"""
    campaign = queries.campaign_by_code(code)
    manifest = operations.lock_campaign(campaign, current_actor())
    return extended(campaign, digests=manifest.digests)


@bp.route("/campaigns/<code>/draw", methods=["POST"])
@allow(LEGAL)
@errors(409)
@bp.arguments(DrawSchema, example=ENTROPY_EXAMPLE)
@bp.response(200, CampaignDrawOut)
def draw_campaign(data, code: str):
    """录入公开随机数并抽取（只能一次，重复抽取返回 409）"""
    campaign = queries.campaign_by_code(code)
    draw = operations.draw_campaign(
        campaign, data["entropy"], data["entropy_source"], current_actor()
    )
    return extended(
        campaign, result_digest=draw.result_digest, public_url=f"/public/draws/{draw.id}"
    )


@bp.route("/campaigns/<code>/files", methods=["GET"])
@allow(*READERS)
@errors(422)
@bp.paginated(ReviewFileSchema, FileArgs)
def list_files(args, code: str):
    """抽中案卷（筛选：unit、status；执法队员只见本单位及分配给本人的）"""
    campaign = queries.campaign_by_code(code)
    return paginate(queries.files_query(campaign, current_actor(), **file_scope(args)), args)


@bp.route("/campaigns/<code>/sheets", methods=["POST"])
@allow(LEGAL, DISCIPLINE, OFFICER)
@errors(409)
@bp.arguments(
    SheetCreateSchema,
    example={
        "case_no": "浙杭城罚〔2026〕15 号",
        "vetoes": [],
        "deductions": [{"code": "CL2", "points": 1, "note": "证据目录不全"}],
        "comment": "整体规范",
    },
)
@bp.response(201, SheetSchema)
def submit_sheet(data, code: str):
    """提交评分表（一卷一表；仅限分配的评查人员，每人每卷一份）"""
    campaign = queries.campaign_by_code(code)
    review_file = scoresheets.review_file_in(campaign, data["case_no"])
    return scoresheets.submit_sheet(
        review_file, current_actor(), data["vetoes"], data["deductions"], data["comment"]
    )


@bp.route("/campaigns/<code>/results", methods=["GET"])
@allow(*READERS)
@bp.response(200, CampaignResultsOut)
def results(code: str):
    """评查结果：进度、各单位等级分布与平均分、常见扣分项、不合格案卷"""
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
        "failed_files": stats.failed_files(scope, ids),
    }


# Campaign re-draws (重抽) ---------------------------------------------------------------


@bp.route("/campaigns/<code>/redraws", methods=["GET"])
@allow(LEGAL, DISCIPLINE, LEADER)
@bp.response(200, CampaignRedrawListOut)
def list_redraws(code: str):
    """评查活动的重抽申请"""
    return {"items": redraws.requests_of(queries.campaign_by_code(code))}


@bp.route("/campaigns/<code>/redraws", methods=["POST"])
@allow(LEGAL)
@errors(409)
@bp.arguments(
    RedrawRequestInSchema,
    example={"kind": "entropy_failure", "reason": "当期开奖延期，随机数未公布"},
)
@bp.response(201, CampaignRedrawSchema)
def request_redraw(data, code: str):
    """提出重抽申请：kind 为 entropy_failure（随机数来源失效）或 manifest_error（抽取清单有误，
    批准后须重新锁定清单），须写明理由；已有评分表的活动不能重抽"""
    campaign = queries.campaign_by_code(code)
    return redraws.request_redraw(campaign, data["kind"], data["reason"], current_actor())


@bp.route("/redraws/<int:request_id>/decision", methods=["POST"])
@allow(LEADER)
@errors(409)
@bp.arguments(RedrawDecisionInSchema, example={"approve": True, "note": "同意重抽"})
@bp.response(200, CampaignRedrawSchema)
def decide_redraw(data, request_id: int):
    """局领导审批重抽申请（approve=true 批准）"""
    found = redraws.redraw_by_id(request_id)
    redraws.decide_redraw(found, data["approve"], data["note"], current_actor())
    return found


@bp.route("/redraws/<int:request_id>/relock", methods=["POST"])
@allow(LEGAL)
@errors(409, 422)
@bp.response(200, CampaignRelockOut)
def relock_redraw(request_id: int):
    """抽取清单有误：按现有案卷与评查人员重新锁定清单并公布摘要"""
    found = redraws.redraw_by_id(request_id)
    manifest = redraws.relock_for_redraw(found, current_actor())
    return extended(found, digests=manifest.digests)


@bp.route("/redraws/<int:request_id>/run", methods=["POST"])
@allow(LEGAL)
@errors(409)
@bp.arguments(DrawSchema, example=ENTROPY_EXAMPLE)
@bp.response(201, CampaignRedrawRunOut)
def run_redraw(data, request_id: int):
    """执行已批准的重抽（录入新的公开随机数）"""
    found = redraws.redraw_by_id(request_id)
    draw = redraws.run_redraw(found, data["entropy"], data["entropy_source"], current_actor())
    return extended(
        found,
        round=draw.round,
        result_digest=draw.result_digest,
        public_url=f"/public/draws/{draw.id}",
    )
