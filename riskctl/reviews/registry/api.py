"""``/api/v1/reviews``: the case-file register, the reviewer pool and the rubric versions."""

from __future__ import annotations

from riskctl.accounts.roles import DISCIPLINE, LEADER, LEGAL, OFFICER
from riskctl.core.api import ApiBlueprint, errors
from riskctl.core.auth.policy import allow, current_actor
from riskctl.core.db import db
from riskctl.core.errors import NotFound, ValidationFailed
from riskctl.core.http import upload_limit
from riskctl.core.listcache import cached
from riskctl.core.tabular.problems import ImportProblems, TableError
from riskctl.reviews import operations, queries
from riskctl.reviews.filters import case_file_scope
from riskctl.reviews.models import Reviewer
from riskctl.reviews.registry import imports
from riskctl.reviews.registry.pages import case_files_page
from riskctl.reviews.schemas import (
    CaseFileArgs,
    CaseFileImportIn,
    CaseFileImportOut,
    CaseFileSchema,
    DryRunArgs,
    ReviewerCreateSchema,
    ReviewerListSchema,
    ReviewerPatchSchema,
    ReviewerSchema,
    RubricCreateSchema,
    RubricListSchema,
    RubricSchema,
)

bp = ApiBlueprint(
    "reviews_register_api",
    __name__,
    title="案卷登记与评查人员",
    url_prefix="/api/v1/reviews",
    description="案卷评查：案卷登记、评查人员库、评查标准",
)

READERS = (LEGAL, DISCIPLINE, LEADER, OFFICER)
PROBLEMS_SHOWN = 500


@bp.route("/case-files", methods=["GET"])
@allow(*READERS)
@cached
@errors(400, 422)
@bp.paginated(CaseFileSchema, CaseFileArgs)
def list_case_files(args):
    """结案案卷登记（筛选：unit、start、end、q）"""
    return case_files_page(current_actor(), case_file_scope(args), args)


@bp.route("/case-files/import", methods=["POST"])
@allow(LEGAL)
@upload_limit("ROSTER_MAX_UPLOAD")
@errors(409)
@bp.arguments(DryRunArgs, location="query")
@bp.arguments(CaseFileImportIn, location="files", content_type="multipart/form-data")
@bp.response(200, CaseFileImportOut)
def import_case_files(query, data):
    """导入结案案卷（.xlsx/.csv；有任何问题则不导入；?dry_run=1 仅检查）"""
    upload = data["file"]
    if not upload.filename:
        raise ValidationFailed.field(
            "file", "请以 multipart/form-data 上传字段 file（.xlsx 或 .csv）"
        )
    try:
        return imports.import_case_files(
            upload.read(),
            upload.filename,
            current_actor(),
            dry_run=query["dry_run"] in ("1", "true"),
        )
    except TableError as exc:
        raise ValidationFailed.field("file", exc.message) from exc
    except ImportProblems as exc:
        raise ValidationFailed(exc.message, exc.as_details(PROBLEMS_SHOWN)) from exc


@bp.route("/reviewers", methods=["GET"])
@allow(LEGAL, DISCIPLINE, LEADER)
@bp.response(200, ReviewerListSchema)
def list_reviewers():
    """评查人员库（全部，不分页：{items, total}）"""
    items = queries.reviewers()
    return {"items": items, "total": len(items)}


@bp.route("/reviewers", methods=["POST"])
@allow(LEGAL)
@errors(409)
@bp.arguments(ReviewerCreateSchema, example={"username": "zhangsan", "badge_no": "33010012"})
@bp.response(201, ReviewerSchema)
def add_reviewer(data):
    """将用户加入评查人员库（须填执法证号）"""
    return operations.add_reviewer(data["username"], data["badge_no"], current_actor())


@bp.route("/reviewers/<int:reviewer_id>", methods=["PATCH"])
@allow(LEGAL)
@errors(409)
@bp.arguments(ReviewerPatchSchema, example={"active": False})
@bp.response(200, ReviewerSchema)
def patch_reviewer(data, reviewer_id: int):
    """启用或停用评查人员"""
    reviewer = db.session.get(Reviewer, reviewer_id)
    if reviewer is None:
        raise NotFound(f"评查人员 {reviewer_id} 不存在")
    operations.set_reviewer_active(reviewer, data["active"], current_actor())
    return reviewer


@bp.route("/rubrics", methods=["GET"])
@allow(*READERS)
@bp.response(200, RubricListSchema)
def list_rubrics():
    """评查标准各版本（全部，不分页：{items, total}）"""
    items = queries.rubric_versions()
    return {"items": items, "total": len(items)}


@bp.route("/rubrics/<int:version>", methods=["GET"])
@allow(*READERS)
@bp.response(200, RubricSchema)
def get_rubric(version: int):
    """评查标准某一版本"""
    return queries.rubric_by_version(version)


@bp.route("/rubrics", methods=["POST"])
@allow(LEGAL)
@errors(409)
@bp.arguments(RubricCreateSchema)
@bp.response(201, RubricSchema)
def create_rubric(data):
    """发布新版评查标准（已评分的案卷保留原版本）"""
    return operations.create_rubric_version(
        data["body"], data["name"], data["note"], current_actor()
    )
