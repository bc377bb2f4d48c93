"""``/api/v1/reports``: issue quarterly reports, list them, download the archived bytes."""

from __future__ import annotations

from flask import Response

from riskctl.accounts.roles import DISCIPLINE, LEADER, LEGAL
from riskctl.core.api import ApiBlueprint, errors, paginate
from riskctl.core.auth.policy import allow, current_actor
from riskctl.reporting import operations, queries
from riskctl.reporting.downloads import data_response, pdf_response
from riskctl.reporting.models import QuarterlyReport
from riskctl.reporting.schemas import (
    IssueSchema,
    ReportDetailSchema,
    ReportListArgs,
    ReportSchema,
    VersionArgs,
)

bp = ApiBlueprint(
    "reporting_api",
    __name__,
    title="季度报告",
    url_prefix="/api/v1/reports",
    description="季度报告：生成、签发的各版本与 PDF、数据表下载",
)

READERS = (LEADER, LEGAL, DISCIPLINE)
ISSUERS = (LEGAL, DISCIPLINE)
PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.route("/quarterly", methods=["GET"])
@allow(*READERS)
@bp.paginated(ReportSchema, ReportListArgs)
def list_reports(args):
    """已签发的季度报告（各版本，最新在前；筛选：year）"""
    return paginate(queries.reports_query(args["year"]), args)


@bp.route("/quarterly", methods=["POST"])
@allow(*ISSUERS)
@errors(409)
@bp.arguments(IssueSchema, example={"year": 2026, "quarter": 4})
@bp.response(201, ReportDetailSchema)
def issue(data):
    """签发季度报告：按当前数据生成、冻结并存档；同一季度再次签发生成新版本"""
    return operations.issue_report(data["year"], data["quarter"], current_actor())


@bp.route("/quarterly/<int:year>/<int:quarter>", methods=["GET"])
@allow(*READERS)
@bp.arguments(VersionArgs, location="query")
@bp.response(200, ReportDetailSchema)
def get_report(args, year: int, quarter: int):
    """季度报告的签发信息与主要指标（最新版本；?version=N 取指定版本）"""
    return queries.report_for(year, quarter, args["version"])


@bp.route("/quarterly/<int:year>/<int:quarter>.pdf", methods=["GET"])
@allow(*READERS)
@bp.arguments(VersionArgs, location="query")
@bp.response(200, description="签发时存档的 PDF 原件", content_type=PDF)
def download(args, year: int, quarter: int):
    """下载季度报告 PDF（最新版本；?version=N 取指定版本），即签发时存档的原始文件"""
    return _pdf(queries.report_for(year, quarter, args["version"]))


@bp.route("/quarterly/<int:year>/<int:quarter>/v<int:version>.pdf", methods=["GET"])
@allow(*READERS)
@bp.response(200, description="该版本的 PDF 原件", content_type=PDF)
def download_version(year: int, quarter: int, version: int):
    """下载季度报告指定版本的 PDF"""
    return _pdf(queries.report_for(year, quarter, version))


@bp.route("/quarterly/<int:year>/<int:quarter>.xlsx", methods=["GET"])
@allow(*READERS)
@bp.arguments(VersionArgs, location="query")
@bp.response(200, description="报告所依据的数据（每节一张工作表）", content_type=XLSX)
def download_latest_data(args, year: int, quarter: int):
    """下载季度报告所依据的数据（Excel，每节一张工作表；?version=N 取指定版本）"""
    return _xlsx(queries.report_for(year, quarter, args["version"]))


@bp.route("/quarterly/<int:year>/<int:quarter>/v<int:version>.xlsx", methods=["GET"])
@allow(*READERS)
@bp.response(200, description="该版本所依据的数据", content_type=XLSX)
def download_data(year: int, quarter: int, version: int):
    """下载季度报告指定版本所依据的数据（Excel）"""
    return _xlsx(queries.report_for(year, quarter, version))


def _pdf(report: QuarterlyReport) -> Response:
    response = pdf_response(report)
    operations.record_download(report, current_actor(), "pdf")
    return response


def _xlsx(report: QuarterlyReport) -> Response:
    response = data_response(report)
    operations.record_download(report, current_actor(), "xlsx")
    return response
