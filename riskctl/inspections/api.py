"""``/api/v1/inspection``: the item list, the two rosters and 回避 (一单两库)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask import Blueprint, Response, request, stream_with_context
from sqlalchemy import func, select

from riskctl.core.auth.policy import DISCIPLINE, LEADER, LEGAL, OFFICER, allow, require_actor
from riskctl.core.db import db
from riskctl.core.errors import BadRequest, ValidationFailed
from riskctl.core.http import doc, int_arg, json_body, paginate, upload_limit
from riskctl.core.tabular import ImportProblems
from riskctl.inspections import export, operations, queries
from riskctl.inspections.schemas import (
    InspectionConflictInSchema,
    InspectionConflictSchema,
    InspectionItemInSchema,
    InspectionItemPatchSchema,
    InspectionItemSchema,
    InspectionReasonSchema,
    InspectionTargetSchema,
    InspectorSchema,
    RecusalDecisionSchema,
    RecusalInSchema,
    RecusalSchema,
)

bp = Blueprint("inspections_api", __name__, url_prefix="/api/v1/inspection")

READERS = (LEGAL, LEADER, DISCIPLINE)
PROBLEMS_SHOWN = 1000


def problems_response(exc: ImportProblems) -> ValidationFailed:
    """Every bad cell of a refused import, as a 422 (the first thousand listed)."""
    return ValidationFailed(exc.message, exc.as_details(limit=PROBLEMS_SHOWN))


def upload() -> tuple[bytes, str]:
    file = request.files.get("file")
    if file is None or not file.filename:
        raise BadRequest("请以 multipart/form-data 上传文件（字段名 file）")
    return file.read(), file.filename


def confirm_flag(value: str | None) -> bool | None:
    """deactivate_missing: 1 deactivates rows absent from the file, 0 keeps them, absent asks."""
    if value is None or value == "":
        return None
    if value.lower() in ("1", "true", "yes"):
        return True
    if value.lower() in ("0", "false", "no"):
        return False
    raise ValidationFailed.field("deactivate_missing", "应为 1（停用文件中没有的记录）或 0（保留）")


# --- 随机抽查事项清单 -------------------------------------------------------------


@bp.get("/items")
@allow(LEGAL, LEADER, DISCIPLINE, OFFICER)
@doc("随机抽查事项清单", response=InspectionItemSchema, tags=("inspection",))
def list_items():
    return paginate(queries.items(request.args.get("active") == "1"), InspectionItemSchema())


@bp.post("/items")
@allow(LEGAL)
@doc(
    "新增抽查事项",
    body=InspectionItemInSchema,
    response=InspectionItemSchema,
    status=201,
    tags=("inspection",),
)
def create_item():
    item = operations.create_item(json_body(InspectionItemInSchema()), require_actor().username)
    return InspectionItemSchema().dump(item), 201


@bp.patch("/items/<code>")
@allow(LEGAL)
@doc(
    "修改或停用抽查事项（须写明理由）",
    body=InspectionItemPatchSchema,
    response=InspectionItemSchema,
    tags=("inspection",),
)
def update_item(code: str):
    item = queries.item_by_code(code)
    data = json_body(InspectionItemPatchSchema())
    reason = data.pop("reason")
    return InspectionItemSchema().dump(
        operations.update_item(item, data, reason, require_actor().username)
    )


# --- 名录库 -------------------------------------------------------------------------


def _roster_import(roster: str) -> dict[str, Any]:
    data, filename = upload()
    flag = confirm_flag(request.form.get("deactivate_missing"))
    try:
        analysis, record = operations.import_roster(
            roster, data, filename, flag, require_actor().username
        )
    except ImportProblems as exc:
        raise problems_response(exc) from exc
    return {
        "import_id": record.id,
        **analysis.summary(),
        "deactivated": record.deactivated,
        "kept_missing": record.kept_missing,
    }


@bp.post("/targets/import")
@allow(LEGAL)
@upload_limit("ROSTER_MAX_UPLOAD")
@doc(
    "导入检查对象名录库（.xlsx/.csv，UTF-8 或 GBK；全部成功或全部不导入）",
    upload=True,
    tags=("inspection",),
)
def import_targets():
    return _roster_import("targets")


@bp.post("/inspectors/import")
@allow(LEGAL)
@upload_limit("ROSTER_MAX_UPLOAD")
@doc("导入执法检查人员名录库", upload=True, tags=("inspection",))
def import_inspectors():
    return _roster_import("inspectors")


def _target_query():
    args = request.args
    return queries.targets(
        require_actor(),
        q=args.get("q", "").strip(),
        credit_class=args.get("class", ""),
        kind=args.get("kind", ""),
        unit_id=int_arg("unit_id"),
        status=args.get("status", "active"),
    )


def _inspector_query():
    args = request.args
    return queries.inspectors(
        require_actor(),
        q=args.get("q", "").strip(),
        unit_id=int_arg("unit_id"),
        status=args.get("status", "active"),
    )


@bp.get("/targets")
@allow(LEGAL, LEADER, DISCIPLINE, OFFICER)
@doc(
    "检查对象名录（q、class、kind、unit_id、status=active/closed/removed/all）",
    response=InspectionTargetSchema,
    tags=("inspection",),
)
def list_targets():
    return paginate(_target_query(), InspectionTargetSchema())


@bp.get("/inspectors")
@allow(LEGAL, LEADER, DISCIPLINE, OFFICER)
@doc(
    "执法检查人员名录（q、unit_id、status=active/inactive/all）",
    response=InspectorSchema,
    tags=("inspection",),
)
def list_inspectors():
    return paginate(_inspector_query(), InspectorSchema())


def export_response(roster: str, fmt: str, query) -> Response:
    name = "检查对象名录库" if roster == "targets" else "执法检查人员名录库"
    if fmt == "csv":
        body = stream_with_context(export.as_csv(roster, query))
        response = Response(body, mimetype="text/csv")
    else:
        total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
        response = Response(
            export.as_xlsx(roster, query, total),
            mimetype=("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        )
    response.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}.{fmt}"
    return response


@bp.get("/targets/export.xlsx", defaults={"fmt": "xlsx"})
@bp.get("/targets/export.csv", defaults={"fmt": "csv"})
@allow(*READERS)
@doc("导出检查对象名录（可重新导入）", tags=("inspection",))
def export_targets(fmt: str):
    return export_response("targets", fmt, _target_query())


@bp.get("/inspectors/export.xlsx", defaults={"fmt": "xlsx"})
@bp.get("/inspectors/export.csv", defaults={"fmt": "csv"})
@allow(*READERS)
@doc("导出执法检查人员名录（可重新导入）", tags=("inspection",))
def export_inspectors(fmt: str):
    return export_response("inspectors", fmt, _inspector_query())


# --- 回避 -------------------------------------------------------------------------------


@bp.get("/conflicts")
@allow(*READERS)
@doc(
    "登记在册的回避关系（all=1 含已解除）", response=InspectionConflictSchema, tags=("inspection",)
)
def list_conflicts():
    query = queries.conflicts(
        current_only=request.args.get("all") != "1", q=request.args.get("q", "").strip()
    )
    return paginate(query, InspectionConflictSchema())


@bp.post("/conflicts")
@allow(LEGAL)
@doc(
    "登记回避关系",
    body=InspectionConflictInSchema,
    response=InspectionConflictSchema,
    status=201,
    tags=("inspection",),
)
def declare_conflict():
    data = json_body(InspectionConflictInSchema())
    declaration = operations.declare_conflict(
        data["inspector"],
        data["target"],
        data["relation"],
        data["reason"],
        require_actor().username,
    )
    return InspectionConflictSchema().dump(declaration), 201


@bp.post("/conflicts/<int:conflict_id>/end")
@allow(LEGAL)
@doc(
    "解除回避关系（须写明理由；记录保留）",
    body=InspectionReasonSchema,
    response=InspectionConflictSchema,
    tags=("inspection",),
)
def end_conflict(conflict_id: int):
    declaration = queries.conflict_by_id(conflict_id)
    reason = json_body(InspectionReasonSchema())["reason"]
    return InspectionConflictSchema().dump(
        operations.end_conflict(declaration, reason, require_actor().username)
    )


@bp.get("/recusals")
@allow(*READERS)
@doc(
    "当事人回避申请（status=pending/granted/refused）", response=RecusalSchema, tags=("inspection",)
)
def list_recusals():
    return paginate(queries.recusals(request.args.get("status", "")), RecusalSchema())


@bp.post("/recusals")
@allow(LEGAL)
@doc(
    "登记当事人回避申请",
    body=RecusalInSchema,
    response=RecusalSchema,
    status=201,
    tags=("inspection",),
)
def file_recusal():
    data = json_body(RecusalInSchema())
    request_ = operations.file_recusal(
        data["inspector"],
        data["target"],
        data["applicant"],
        data["reason"],
        data["filed_on"],
        require_actor().username,
    )
    return RecusalSchema().dump(request_), 201


@bp.post("/recusals/<int:request_id>/decision")
@allow(LEADER)
@doc(
    "局领导决定回避申请（grant=true 批准）",
    body=RecusalDecisionSchema,
    response=RecusalSchema,
    tags=("inspection",),
)
def decide_recusal(request_id: int):
    found = queries.recusal_by_id(request_id)
    data = json_body(RecusalDecisionSchema())
    decided = operations.decide_recusal(
        found, data["grant"], data["note"], require_actor().username
    )
    return RecusalSchema().dump(decided)
