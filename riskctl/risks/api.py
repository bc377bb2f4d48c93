"""``/api/v1/risk-points``: the register over JSON (api.md)."""

from __future__ import annotations

from flask import Response
from marshmallow import fields

from riskctl.accounts.queries import visible_unit_ids
from riskctl.core import clock
from riskctl.core.api import ApiBlueprint, errors, page_of, paginate
from riskctl.core.auth.policy import allow, current_actor
from riskctl.core.errors import ValidationFailed
from riskctl.core.listcache import cached
from riskctl.core.tabular.problems import ImportProblems
from riskctl.risks import exports, operations, queries
from riskctl.risks.access import READERS, WRITERS
from riskctl.risks.examples import POINT_ANSWER, POINT_EXAMPLE
from riskctl.risks.filters import RiskFilter
from riskctl.risks.imports import operations as imports
from riskctl.risks.pages import points_page
from riskctl.risks.schemas import (
    RiskImportIn,
    RiskImportResultOut,
    RiskListArgs,
    RiskPointIn,
    RiskPointOut,
    RiskPointPatch,
    RiskQualityArgs,
    RiskQualityOut,
    RiskRetireIn,
    RiskReviewIn,
    RiskVersionOut,
)

bp = ApiBlueprint(
    "risks_api",
    __name__,
    title="廉政风险点",
    url_prefix="/api/v1/risk-points",
    description="廉政风险点登记表：新增、修改、退出、历史版本、复核、导入导出与质量检查",
)


def _visible() -> list[int] | None:
    return visible_unit_ids(current_actor())


def _point(point_id: int):
    return queries.point_or_404(point_id, _visible())


@bp.route("", methods=["GET"])
@allow(*READERS)
@cached
@bp.paginated(RiskPointOut, RiskListArgs)
def list_points(args):
    """廉政风险点列表（筛选：unit 含下级单位、level、status、overdue、q）"""
    flt = RiskFilter.from_args(args)
    return points_page(flt, _visible(), clock.today(), args)


@bp.route("", methods=["POST"])
@allow(*WRITERS)
@errors(409)
@bp.arguments(RiskPointIn, example=POINT_EXAMPLE)
@bp.response(201, RiskPointOut, example=POINT_ANSWER)
def create_point(data):
    """登记风险点（风险等级由可能性×影响程度计算）"""
    return operations.create_point(data)


@bp.route("/<int:point_id>", methods=["GET"])
@allow(*READERS)
@bp.response(200, RiskPointOut, example=POINT_ANSWER)
def get_point(point_id: int):
    """风险点详情"""
    return _point(point_id)


@bp.route("/<int:point_id>", methods=["PATCH"])
@allow(*WRITERS)
@errors(409)
@bp.arguments(RiskPointPatch, example={"impact": 3, "reason": "年度复核上调影响程度", "version": 1})
@bp.response(200, RiskPointOut)
def patch_point(data, point_id: int):
    """修改风险点（必须填写 reason；可带 version 防止覆盖他人修改）"""
    _point(point_id)
    point = queries.point_for_update(point_id)
    operations.change_point(point, data, data.pop("reason"), expected_version=data.pop("version"))
    return point


@bp.route("/<int:point_id>/retire", methods=["POST"])
@allow(*WRITERS)
@errors(409)
@bp.arguments(RiskRetireIn, example={"reason": "职权已调整，该风险点不再适用"})
@bp.response(200, RiskPointOut)
def retire_point(data, point_id: int):
    """停用风险点（必须填写 reason；不会删除）"""
    _point(point_id)
    return operations.retire_point(queries.point_for_update(point_id), data["reason"])


@bp.route("/<int:point_id>/reviews", methods=["POST"])
@allow(*WRITERS)
@errors(409)
@bp.arguments(RiskReviewIn, example={"note": "措施落实到位，维持等级", "reviewed_on": "2026-11-30"})
@bp.response(201, RiskPointOut)
def record_review(data, point_id: int):
    """记录一次评估：按评估日期与等级重新计算下次评估日期"""
    _point(point_id)
    return operations.record_review(queries.point_for_update(point_id), data.pop("note"), **data)


@bp.route("/<int:point_id>/history", methods=["GET"])
@allow(*READERS)
@bp.paginated(RiskVersionOut)
def history(args, point_id: int):
    """风险点的全部版本（谁、何时、为何、改了什么），新版本在前"""
    return paginate(queries.history_query(_point(point_id)), args)


@bp.route("/import", methods=["POST"])
@allow(*WRITERS)
@errors(409)
@bp.arguments(RiskImportIn, location="files", content_type="multipart/form-data")
@bp.response(200, RiskImportResultOut)
def import_points(data):
    """导入风险点登记表（file 为 .xlsx/.csv；dry_run 只检查不写入）；有任何问题则全部不导入"""
    upload = data["file"]
    if not upload.filename:
        raise ValidationFailed.field("file", "请上传 .xlsx 或 .csv 文件（字段名 file）")
    try:
        return imports.import_register(
            upload.read(), upload.filename, reason=data["reason"], dry_run=data["dry_run"]
        )
    except ImportProblems as exc:
        raise ValidationFailed(exc.message, exc.as_details(limit=1000)) from exc


@bp.route("/export.xlsx", methods=["GET"])
@allow(*READERS)
@bp.arguments(RiskListArgs, location="query")
@bp.response(
    200,
    description="风险点登记表（.xlsx，可原样导入）",
    content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
)
def export_points(args) -> Response:
    """导出风险点登记表（.xlsx，可原样导入；筛选同列表，page/per_page 不起作用）"""
    return exports.xlsx_response(RiskFilter.from_args(args), _visible())


@bp.route("/quality", methods=["GET"])
@allow(*READERS)
@bp.paginated(
    RiskQualityOut,
    RiskQualityArgs,
    extra={
        "counts": fields.Dict(
            keys=fields.String(),
            values=fields.Integer(),
            required=True,
            metadata={"description": "每条规则的问题数"},
        )
    },
)
def quality(args):
    """质量检查：不符合登记规则的风险点及原因（rule 可筛选）"""
    rule, page, per_page = args["rule"], args["page"], args["per_page"]
    today, units = clock.today(), _visible()
    counts = queries.quality_counts(today, units)
    items = queries.quality_problems(
        today, units, rule, limit=per_page, offset=(page - 1) * per_page
    )
    total = counts[rule] if rule else sum(counts.values())
    return page_of(items, total, args, counts=counts)
