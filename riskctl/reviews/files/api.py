"""``/api/v1/reviews``: drawn files, their sheets, confirmation, referral, reviewer draws."""

from __future__ import annotations

from flask import Blueprint

from riskctl.core.auth.policy import DISCIPLINE, LEGAL, OFFICER, allow, current_actor
from riskctl.core.errors import ValidationFailed
from riskctl.core.http import doc, json_body
from riskctl.reviews import queries, reviewer_draws, scoresheets
from riskctl.reviews.api import READERS, TAGS
from riskctl.reviews.schemas import (
    ConfirmSchema,
    DrawSchema,
    ReferSchema,
    ReplaceSchema,
    ReviewFileDetailSchema,
    ReviewFileSchema,
    SheetSchema,
)

bp = Blueprint("review_files_api", __name__, url_prefix="/api/v1/reviews")


def _file_detail(review_file) -> dict:
    user = current_actor()
    body = ReviewFileDetailSchema().dump(review_file)
    body["sheets"] = SheetSchema(many=True).dump(queries.visible_sheets(user, review_file))
    return body


@bp.get("/files/<int:file_id>")
@allow(*READERS)
@doc(
    "抽中案卷详情：案卷信息、评查人员、评分表、结果与问题",
    response=ReviewFileDetailSchema,
    tags=TAGS,
)
def get_file(file_id: int):
    return _file_detail(queries.review_file_for(file_id, current_actor()))


@bp.post("/files/<int:file_id>/confirm")
@allow(LEGAL)
@doc(
    "法制科确认评查结果，按规则：任一评分表否决即不合格（法制科可书面推翻：overturn_reason）；"
    "否则取各评分表平均；相差超过设定分数须先增抽第三名评查人员。不能指定采用某一评分表；"
    "评查过、承办或审批过该案卷的人不能确认",
    body=ConfirmSchema,
    response=ReviewFileDetailSchema,
    tags=TAGS,
)
def confirm_file(file_id: int):
    review_file = queries.review_file_for(file_id, current_actor())
    data = json_body(ConfirmSchema())
    scoresheets.confirm_file(
        review_file, current_actor(), data["sheet_id"], data["note"], data["overturn_reason"]
    )
    return _file_detail(review_file)


@bp.post("/files/<int:file_id>/refer")
@allow(LEGAL)
@doc(
    "将不合格案卷移送过错责任追究（记录在案）",
    body=ReferSchema,
    response=ReviewFileDetailSchema,
    tags=TAGS,
)
def refer_file(file_id: int):
    review_file = queries.review_file_for(file_id, current_actor())
    scoresheets.refer_file(review_file, json_body(ReferSchema())["note"], current_actor())
    return _file_detail(review_file)


@bp.post("/files/<int:file_id>/reviewers")
@allow(LEGAL)
@doc(
    "更换评查人员：写明原因撤出 old，替换人员由随机抽取产生（锁定补抽清单并公开，"
    "再录入公开随机数抽取）；不能指定替换人员",
    body=ReplaceSchema,
    response=ReviewFileDetailSchema,
    tags=TAGS,
)
def replace_reviewer(file_id: int):
    review_file = queries.review_file_for(file_id, current_actor())
    data = json_body(ReplaceSchema())
    if data["new"]:
        raise ValidationFailed.field(
            "new", "替换的评查人员由随机抽取产生，不能指定；请只写明被更换人员（old）和原因"
        )
    reviewer_draws.request_replacement(review_file, data["old"], data["reason"], current_actor())
    return _file_detail(review_file)


@bp.post("/files/<int:file_id>/third-reviewer")
@allow(LEGAL)
@doc(
    "评分表相差超过设定分数时增抽第三名评查人员（锁定补抽清单并公开）",
    response=ReviewFileDetailSchema,
    tags=TAGS,
)
def third_reviewer(file_id: int):
    review_file = queries.review_file_for(file_id, current_actor())
    reviewer_draws.lock_file(review_file)
    scoresheets.draw_third_if_needed(review_file, current_actor(), required=True)
    return _file_detail(review_file)


@bp.post("/files/<int:file_id>/reviewer-draws/<int:number>/draw")
@allow(LEGAL)
@doc(
    "录入公开随机数，抽取第 number 轮补抽的评查人员（每轮只能抽取一次）",
    body=DrawSchema,
    response=ReviewFileDetailSchema,
    tags=TAGS,
)
def draw_reviewer(file_id: int, number: int):
    review_file = queries.review_file_for(file_id, current_actor())
    drawn = reviewer_draws.round_of(review_file, number)
    data = json_body(DrawSchema())
    reviewer_draws.draw_reviewer(drawn, data["entropy"], data["entropy_source"], current_actor())
    return _file_detail(review_file)


@bp.get("/my/assignments")
@allow(LEGAL, DISCIPLINE, OFFICER)
@doc("我待评查的案卷", response=ReviewFileSchema, tags=TAGS)
def my_assignments():
    items = queries.my_assignments(current_actor())
    return {"items": ReviewFileSchema(many=True).dump(items), "total": len(items)}
