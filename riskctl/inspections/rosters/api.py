"""Inspection rosters (targets and inspectors) as JSON: import, list, export."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask import Blueprint, Response, request, stream_with_context
from sqlalchemy import func, select

from riskctl.core.auth.policy import DISCIPLINE, LEADER, LEGAL, OFFICER, allow, require_actor
from riskctl.core.db import db
from riskctl.core.http import doc, int_arg, paginate, upload_limit
from riskctl.core.tabular.problems import ImportProblems
from riskctl.inspections import operations, queries
from riskctl.inspections.api import confirm_flag, problems_response, upload
from riskctl.inspections.rosters import exports
from riskctl.inspections.rosters.schemas import InspectionTargetSchema, InspectorSchema

bp = Blueprint("inspection_rosters_api", __name__, url_prefix="/api/v1/inspection")

READERS = (LEGAL, LEADER, DISCIPLINE)


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
        body = stream_with_context(exports.as_csv(roster, query))
        response = Response(body, mimetype="text/csv")
    else:
        total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
        response = Response(
            exports.as_xlsx(roster, query, total),
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
