"""``/api/v1/reviews``: the case-file register, the reviewer pool and the rubric versions."""

from __future__ import annotations

from flask import Blueprint, request

from riskctl.core.auth.policy import DISCIPLINE, LEADER, LEGAL, OFFICER, allow, current_actor
from riskctl.core.db import db
from riskctl.core.errors import BadRequest, NotFound, ValidationFailed
from riskctl.core.http import doc, json_body, paginate, upload_limit
from riskctl.core.tabular.problems import ImportProblems, TableError
from riskctl.reviews import operations, queries
from riskctl.reviews.filters import case_file_filters
from riskctl.reviews.models import Reviewer
from riskctl.reviews.registry import imports
from riskctl.reviews.schemas import (
    CaseFileSchema,
    ReviewerCreateSchema,
    ReviewerPatchSchema,
    ReviewerSchema,
    RubricCreateSchema,
    RubricSchema,
)

bp = Blueprint("reviews_register_api", __name__, url_prefix="/api/v1/reviews")

READERS = (LEGAL, DISCIPLINE, LEADER, OFFICER)
TAGS = ("reviews",)
PROBLEMS_SHOWN = 500


@bp.get("/case-files")
@allow(*READERS)
@doc("结案案卷登记（筛选：unit、start、end、q）", response=CaseFileSchema, tags=TAGS)
def list_case_files():
    query = queries.case_files_query(current_actor(), **case_file_filters(request.args))
    return paginate(query, CaseFileSchema())


def run_import(dry_run: bool):
    """The uploaded register imported (or only checked); problems as a 422 with every row."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise BadRequest("请以 multipart/form-data 上传字段 file（.xlsx 或 .csv）")
    try:
        return imports.import_case_files(
            upload.read(), upload.filename, current_actor(), dry_run=dry_run
        )
    except TableError as exc:
        raise ValidationFailed.field("file", exc.message) from exc
    except ImportProblems as exc:
        raise ValidationFailed(exc.message, exc.as_details(PROBLEMS_SHOWN)) from exc


@bp.post("/case-files/import")
@allow(LEGAL)
@upload_limit("ROSTER_MAX_UPLOAD")
@doc("导入结案案卷（.xlsx/.csv；有任何问题则不导入；?dry_run=1 仅检查）", upload=True, tags=TAGS)
def import_case_files():
    result = run_import(request.args.get("dry_run") in ("1", "true"))
    return {
        "created": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "dry_run": result.dry_run,
    }


@bp.get("/reviewers")
@allow(LEGAL, DISCIPLINE, LEADER)
@doc("评查人员库", response=ReviewerSchema, tags=TAGS)
def list_reviewers():
    items = queries.reviewers()
    return {"items": ReviewerSchema(many=True).dump(items), "total": len(items)}


@bp.post("/reviewers")
@allow(LEGAL)
@doc(
    "将用户加入评查人员库（须填执法证号）",
    body=ReviewerCreateSchema,
    response=ReviewerSchema,
    status=201,
    tags=TAGS,
)
def add_reviewer():
    data = json_body(ReviewerCreateSchema())
    reviewer = operations.add_reviewer(data["username"], data["badge_no"], current_actor())
    return ReviewerSchema().dump(reviewer), 201


@bp.patch("/reviewers/<int:reviewer_id>")
@allow(LEGAL)
@doc("启用或停用评查人员", body=ReviewerPatchSchema, response=ReviewerSchema, tags=TAGS)
def patch_reviewer(reviewer_id: int):
    reviewer = db.session.get(Reviewer, reviewer_id)
    if reviewer is None:
        raise NotFound(f"评查人员 {reviewer_id} 不存在")
    operations.set_reviewer_active(
        reviewer, json_body(ReviewerPatchSchema())["active"], current_actor()
    )
    return ReviewerSchema().dump(reviewer)


@bp.get("/rubrics")
@allow(*READERS)
@doc("评查标准各版本", response=RubricSchema, tags=TAGS)
def list_rubrics():
    items = queries.rubric_versions()
    return {"items": RubricSchema(many=True).dump(items), "total": len(items)}


@bp.get("/rubrics/<int:version>")
@allow(*READERS)
@doc("评查标准某一版本", response=RubricSchema, tags=TAGS)
def get_rubric(version: int):
    return RubricSchema().dump(queries.rubric_by_version(version))


@bp.post("/rubrics")
@allow(LEGAL)
@doc(
    "发布新版评查标准（已评分的案卷保留原版本）",
    body=RubricCreateSchema,
    response=RubricSchema,
    status=201,
    tags=TAGS,
)
def create_rubric():
    data = json_body(RubricCreateSchema())
    rubric = operations.create_rubric_version(
        data["body"], data["name"], data["note"], current_actor()
    )
    return RubricSchema().dump(rubric), 201
