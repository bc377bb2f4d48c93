"""Inspection rosters (targets and inspectors) as JSON: import, list, export."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask import Response, stream_with_context
from sqlalchemy import func, select

from riskctl.accounts.roles import DISCIPLINE, LEADER, LEGAL, OFFICER
from riskctl.core.api import ApiBlueprint, errors, paginate
from riskctl.core.auth.policy import allow, require_actor
from riskctl.core.db import db
from riskctl.core.errors import ValidationFailed
from riskctl.core.http import upload_limit
from riskctl.core.listcache import cached
from riskctl.core.tabular.problems import ImportProblems
from riskctl.inspections import queries
from riskctl.inspections.api import confirm_flag, problems_response
from riskctl.inspections.rosters import exports
from riskctl.inspections.rosters.imports import import_roster
from riskctl.inspections.rosters.pages import targets_page
from riskctl.inspections.rosters.schemas import (
    InspectionTargetSchema,
    InspectorArgs,
    InspectorFilter,
    InspectorSchema,
    RosterImportIn,
    RosterImportOut,
    TargetArgs,
    TargetFilter,
)

bp = ApiBlueprint(
    "inspection_rosters_api",
    __name__,
    title="名录库",
    url_prefix="/api/v1/inspection",
    description="双随机一公开：检查对象与执法检查人员名录库",
)

READERS = (LEGAL, LEADER, DISCIPLINE)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _roster_import(roster: str, data: dict[str, Any]) -> dict[str, Any]:
    file = data["file"]
    if not file.filename:
        raise ValidationFailed.field("file", "请以 multipart/form-data 上传文件（字段名 file）")
    flag = confirm_flag(data["deactivate_missing"])
    try:
        analysis, record = import_roster(
            roster, file.read(), file.filename, flag, require_actor().username
        )
    except ImportProblems as exc:
        raise problems_response(exc) from exc
    return {
        "import_id": record.id,
        **analysis.summary(),
        "deactivated": record.deactivated,
        "kept_missing": record.kept_missing,
    }


@bp.route("/targets/import", methods=["POST"])
@allow(LEGAL)
@upload_limit("ROSTER_MAX_UPLOAD")
@errors(409)
@bp.arguments(RosterImportIn, location="files", content_type="multipart/form-data")
@bp.response(200, RosterImportOut)
def import_targets(data):
    """导入检查对象名录库（.xlsx/.csv，UTF-8 或 GBK；全部成功或全部不导入）"""
    return _roster_import("targets", data)


@bp.route("/inspectors/import", methods=["POST"])
@allow(LEGAL)
@upload_limit("ROSTER_MAX_UPLOAD")
@errors(409)
@bp.arguments(RosterImportIn, location="files", content_type="multipart/form-data")
@bp.response(200, RosterImportOut)
def import_inspectors(data):
    """导入执法检查人员名录库"""
    return _roster_import("inspectors", data)


def _target_filters(args: dict[str, Any]) -> dict[str, Any]:
    return {
        "q": args["q"].strip(),
        "credit_class": args["credit_class"],
        "kind": args["kind"],
        "unit_id": args["unit_id"],
        "status": args["status"],
    }


def _target_query(args: dict[str, Any]):
    return queries.targets(require_actor(), **_target_filters(args))


def _inspector_query(args: dict[str, Any]):
    return queries.inspectors(
        require_actor(), q=args["q"].strip(), unit_id=args["unit_id"], status=args["status"]
    )


@bp.route("/targets", methods=["GET"])
@allow(LEGAL, LEADER, DISCIPLINE, OFFICER)
@cached
@bp.paginated(InspectionTargetSchema, TargetArgs)
def list_targets(args):
    """检查对象名录（q、class、kind、unit_id、status=active/closed/removed/all）"""
    return targets_page(require_actor(), _target_filters(args), args)


@bp.route("/inspectors", methods=["GET"])
@allow(LEGAL, LEADER, DISCIPLINE, OFFICER)
@bp.paginated(InspectorSchema, InspectorArgs)
def list_inspectors(args):
    """执法检查人员名录（q、unit_id、status=active/inactive/all）"""
    return paginate(_inspector_query(args), args)


def export_response(roster: str, fmt: str, query) -> Response:
    name = "检查对象名录库" if roster == "targets" else "执法检查人员名录库"
    if fmt == "csv":
        body = stream_with_context(exports.as_csv(roster, query))
        response = Response(body, mimetype="text/csv")
    else:
        total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
        response = Response(exports.as_xlsx(roster, query, total), mimetype=XLSX)
    response.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}.{fmt}"
    return response


@bp.route("/targets/export.xlsx", methods=["GET"])
@allow(*READERS)
@bp.arguments(TargetFilter, location="query")
@bp.response(200, description="检查对象名录 Excel", content_type=XLSX)
def export_targets_xlsx(args):
    """导出检查对象名录 Excel（可重新导入）"""
    return export_response("targets", "xlsx", _target_query(args))


@bp.route("/targets/export.csv", methods=["GET"])
@allow(*READERS)
@bp.arguments(TargetFilter, location="query")
@bp.response(200, description="检查对象名录 CSV", content_type="text/csv")
def export_targets_csv(args):
    """导出检查对象名录 CSV（可重新导入）"""
    return export_response("targets", "csv", _target_query(args))


@bp.route("/inspectors/export.xlsx", methods=["GET"])
@allow(*READERS)
@bp.arguments(InspectorFilter, location="query")
@bp.response(200, description="执法检查人员名录 Excel", content_type=XLSX)
def export_inspectors_xlsx(args):
    """导出执法检查人员名录 Excel（可重新导入）"""
    return export_response("inspectors", "xlsx", _inspector_query(args))


@bp.route("/inspectors/export.csv", methods=["GET"])
@allow(*READERS)
@bp.arguments(InspectorFilter, location="query")
@bp.response(200, description="执法检查人员名录 CSV", content_type="text/csv")
def export_inspectors_csv(args):
    """导出执法检查人员名录 CSV（可重新导入）"""
    return export_response("inspectors", "csv", _inspector_query(args))
