"""``/api/v1/risk-points``: the register over JSON (api.md)."""

from __future__ import annotations

from flask import Blueprint, Response, request

from riskctl.accounts.queries import visible_unit_ids
from riskctl.core import clock
from riskctl.core.auth.policy import allow, current_actor
from riskctl.core.errors import BadRequest, ValidationFailed
from riskctl.core.http import doc, json_body, page_args, paginate
from riskctl.core.tabular.problems import ImportProblems
from riskctl.risks import exports, operations, queries
from riskctl.risks.access import READERS, WRITERS
from riskctl.risks.filters import RiskFilter, list_query
from riskctl.risks.imports import operations as imports
from riskctl.risks.schemas import (
    RiskImportResultOut,
    RiskPointIn,
    RiskPointOut,
    RiskPointPatch,
    RiskQualityOut,
    RiskRetireIn,
    RiskReviewIn,
    RiskVersionOut,
)

bp = Blueprint("risks_api", __name__, url_prefix="/api/v1/risk-points")

TAGS = ("risk-points",)


def _visible() -> list[int] | None:
    return visible_unit_ids(current_actor())


def _point(point_id: int):
    return queries.point_or_404(point_id, _visible())


@bp.get("")
@allow(*READERS)
@doc(
    "廉政风险点列表（筛选：unit 含下级单位、level、status=active|retired|all、overdue、q）",
    response=RiskPointOut,
    tags=TAGS,
)
def list_points():
    flt = RiskFilter.from_args(request.args)
    return paginate(list_query(flt, _visible(), clock.today()), RiskPointOut())


@bp.post("")
@allow(*WRITERS)
@doc(
    "登记风险点（风险等级由可能性×影响程度计算）",
    body=RiskPointIn,
    response=RiskPointOut,
    status=201,
    tags=TAGS,
)
def create_point():
    point = operations.create_point(json_body(RiskPointIn()))
    return RiskPointOut().dump(point), 201


@bp.get("/<int:point_id>")
@allow(*READERS)
@doc("风险点详情", response=RiskPointOut, tags=TAGS)
def get_point(point_id: int):
    return RiskPointOut().dump(_point(point_id))


@bp.patch("/<int:point_id>")
@allow(*WRITERS)
@doc(
    "修改风险点（必须填写 reason；可带 version 防止覆盖他人修改）",
    body=RiskPointPatch,
    response=RiskPointOut,
    tags=TAGS,
)
def patch_point(point_id: int):
    data = json_body(RiskPointPatch())
    _point(point_id)
    point = queries.point_for_update(point_id)
    operations.change_point(point, data, data.pop("reason"), expected_version=data.pop("version"))
    return RiskPointOut().dump(point)


@bp.post("/<int:point_id>/retire")
@allow(*WRITERS)
@doc("停用风险点（必须填写 reason；不会删除）", body=RiskRetireIn, response=RiskPointOut, tags=TAGS)
def retire_point(point_id: int):
    data = json_body(RiskRetireIn())
    _point(point_id)
    point = operations.retire_point(queries.point_for_update(point_id), data["reason"])
    return RiskPointOut().dump(point)


@bp.post("/<int:point_id>/reviews")
@allow(*WRITERS)
@doc(
    "记录一次评估：按评估日期与等级重新计算下次评估日期",
    body=RiskReviewIn,
    response=RiskPointOut,
    status=201,
    tags=TAGS,
)
def record_review(point_id: int):
    data = json_body(RiskReviewIn())
    _point(point_id)
    point = operations.record_review(queries.point_for_update(point_id), data.pop("note"), **data)
    return RiskPointOut().dump(point), 201


@bp.get("/<int:point_id>/history")
@allow(*READERS)
@doc("风险点的全部版本（谁、何时、为何、改了什么），新版本在前", response=RiskVersionOut, tags=TAGS)
def history(point_id: int):
    return paginate(queries.history_query(_point(point_id)), RiskVersionOut())


@bp.post("/import")
@allow(*WRITERS)
@doc(
    "导入风险点登记表（multipart：file 为 .xlsx/.csv，reason 为修改原因，dry_run=1 只检查不写入）；"
    "有任何问题则全部不导入",
    response=RiskImportResultOut,
    upload=True,
    tags=TAGS,
)
def import_points():
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise ValidationFailed.field("file", "请上传 .xlsx 或 .csv 文件（字段名 file）")
    dry_run = request.form.get("dry_run", "").strip().lower() in ("1", "true", "yes", "on")
    try:
        result = imports.import_register(
            upload.read(), upload.filename, reason=request.form.get("reason", ""), dry_run=dry_run
        )
    except ImportProblems as exc:
        raise ValidationFailed(exc.message, exc.as_details(limit=1000)) from exc
    return RiskImportResultOut().dump(result)


@bp.get("/export.xlsx")
@allow(*READERS)
@doc("导出风险点登记表（.xlsx，可原样导入；筛选同列表）", tags=TAGS)
def export_points() -> Response:
    flt = RiskFilter.from_args(request.args)
    return exports.xlsx_response(flt, _visible())


@bp.get("/quality")
@allow(*READERS)
@doc("质量检查：不符合登记规则的风险点及原因（rule 可筛选）", response=RiskQualityOut, tags=TAGS)
def quality():
    rule = request.args.get("rule", "").strip()
    if rule and rule not in queries.QUALITY_RULES:
        raise BadRequest("rule 须为 " + "、".join(queries.QUALITY_RULES), {"rule": ["无效的规则"]})
    page, per_page = page_args()
    today, units = clock.today(), _visible()
    counts = queries.quality_counts(today, units)
    items = queries.quality_problems(
        today, units, rule, limit=per_page, offset=(page - 1) * per_page
    )
    total = counts[rule] if rule else sum(counts.values())
    return {
        "items": RiskQualityOut(many=True).dump(items),
        "total": total,
        "page": page,
        "per_page": per_page,
        "counts": counts,
    }
