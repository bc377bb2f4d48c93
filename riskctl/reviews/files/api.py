"""``/api/v1/reviews``: drawn files, their sheets, confirmation, referral, reviewer draws."""

from __future__ import annotations

from riskctl.accounts.roles import DISCIPLINE, LEGAL, OFFICER
from riskctl.core.api import ApiBlueprint, PageArgs, errors, extended, paginate
from riskctl.core.auth.policy import allow, current_actor
from riskctl.core.errors import ValidationFailed
from riskctl.draws.schemas import ENTROPY_EXAMPLE
from riskctl.reviews import queries, reviewer_draws, scoresheets
from riskctl.reviews.api import READERS
from riskctl.reviews.schemas import (
    ConfirmSchema,
    DrawSchema,
    ReferSchema,
    ReplaceSchema,
    ReviewFileDetailSchema,
    ReviewFileSchema,
)

bp = ApiBlueprint(
    "review_files_api",
    __name__,
    title="评查案卷",
    url_prefix="/api/v1/reviews",
    description="案卷评查：抽中案卷、结果确认与移送、评查人员更换与补抽、我的评查任务",
)


def _file_detail(review_file):
    """The file with the sheets its reader may see (a reviewer sees only their own)."""
    return extended(review_file, sheets=queries.visible_sheets(current_actor(), review_file))


@bp.route("/files/<int:file_id>", methods=["GET"])
@allow(*READERS)
@bp.response(200, ReviewFileDetailSchema)
def get_file(file_id: int):
    """抽中案卷详情：案卷信息、评查人员、评分表、结果与问题"""
    return _file_detail(queries.review_file_for(file_id, current_actor()))


@bp.route("/files/<int:file_id>/confirm", methods=["POST"])
@allow(LEGAL)
@errors(409)
@bp.arguments(ConfirmSchema, example={"note": "两份评分表相差 2 分，取平均", "overturn_reason": ""})
@bp.response(200, ReviewFileDetailSchema)
def confirm_file(data, file_id: int):
    """法制科确认评查结果，按规则：任一评分表否决即不合格（法制科可书面推翻：overturn_reason）；
    否则取各评分表平均；相差超过设定分数须先增抽第三名评查人员。不能指定采用某一评分表；
    评查过、承办或审批过该案卷的人不能确认"""
    review_file = queries.review_file_for(file_id, current_actor())
    scoresheets.confirm_file(
        review_file, current_actor(), data["sheet_id"], data["note"], data["overturn_reason"]
    )
    return _file_detail(review_file)


@bp.route("/files/<int:file_id>/refer", methods=["POST"])
@allow(LEGAL)
@errors(409)
@bp.arguments(ReferSchema, example={"note": "移送机关纪委追究承办人员过错责任"})
@bp.response(200, ReviewFileDetailSchema)
def refer_file(data, file_id: int):
    """将不合格案卷移送过错责任追究（记录在案）"""
    review_file = queries.review_file_for(file_id, current_actor())
    scoresheets.refer_file(review_file, data["note"], current_actor())
    return _file_detail(review_file)


@bp.route("/files/<int:file_id>/reviewers", methods=["POST"])
@allow(LEGAL)
@errors(409)
@bp.arguments(ReplaceSchema, example={"old": "33010012", "reason": "与当事人有亲属关系，申请回避"})
@bp.response(200, ReviewFileDetailSchema)
def replace_reviewer(data, file_id: int):
    """更换评查人员：写明原因撤出 old，替换人员由随机抽取产生（锁定补抽清单并公开，
    再录入公开随机数抽取）；不能指定替换人员"""
    review_file = queries.review_file_for(file_id, current_actor())
    if data["new"]:
        raise ValidationFailed.field(
            "new", "替换的评查人员由随机抽取产生，不能指定；请只写明被更换人员（old）和原因"
        )
    reviewer_draws.request_replacement(review_file, data["old"], data["reason"], current_actor())
    return _file_detail(review_file)


@bp.route("/files/<int:file_id>/third-reviewer", methods=["POST"])
@allow(LEGAL)
@errors(409, 422)
@bp.response(200, ReviewFileDetailSchema)
def third_reviewer(file_id: int):
    """评分表相差超过设定分数时增抽第三名评查人员（锁定补抽清单并公开）"""
    review_file = queries.review_file_for(file_id, current_actor())
    reviewer_draws.lock_file(review_file)
    scoresheets.draw_third_if_needed(review_file, current_actor(), required=True)
    return _file_detail(review_file)


@bp.route("/files/<int:file_id>/reviewer-draws/<int:number>/draw", methods=["POST"])
@allow(LEGAL)
@errors(409)
@bp.arguments(DrawSchema, example=ENTROPY_EXAMPLE)
@bp.response(200, ReviewFileDetailSchema)
def draw_reviewer(data, file_id: int, number: int):
    """录入公开随机数，抽取第 number 轮补抽的评查人员（每轮只能抽取一次）"""
    review_file = queries.review_file_for(file_id, current_actor())
    drawn = reviewer_draws.round_of(review_file, number)
    reviewer_draws.draw_reviewer(drawn, data["entropy"], data["entropy_source"], current_actor())
    return _file_detail(review_file)


@bp.route("/my/assignments", methods=["GET"])
@allow(LEGAL, DISCIPLINE, OFFICER)
@bp.paginated(ReviewFileSchema, PageArgs)
def my_assignments(args):
    """我待评查的案卷（已分配、尚未提交评分表）"""
    return paginate(queries.my_assignments_query(current_actor()), args)
