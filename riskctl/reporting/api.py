"""``/api/v1/reports``: issue quarterly reports, list them, download the archived bytes."""

from __future__ import annotations

from flask import Blueprint, Response, request

from riskctl.accounts.roles import DISCIPLINE, LEADER, LEGAL
from riskctl.core.auth.policy import allow, current_actor
from riskctl.core.errors import BadRequest
from riskctl.core.http import doc, json_body, paginate
from riskctl.reporting import operations, queries
from riskctl.reporting.downloads import data_response, pdf_response
from riskctl.reporting.models import QuarterlyReport
from riskctl.reporting.schemas import IssueSchema, ReportDetailSchema, ReportSchema

bp = Blueprint("reporting_api", __name__, url_prefix="/api/v1/reports")

READERS = (LEADER, LEGAL, DISCIPLINE)
ISSUERS = (LEGAL, DISCIPLINE)
TAGS = ("reports",)


def _version_arg() -> int | None:
    raw = request.args.get("version")
    if raw in (None, ""):
        return None
    if not raw.isascii() or not raw.isdigit() or int(raw) < 1:
        raise BadRequest(f"version 须为正整数（报告版本号），收到 {raw!r}")
    return int(raw)


def _year_arg() -> int | None:
    raw = request.args.get("year")
    if raw in (None, ""):
        return None
    if not raw.isascii() or not raw.isdigit() or len(raw) > 4:
        raise BadRequest(f"year 须为四位年份，收到 {raw!r}")
    return int(raw)


@bp.get("/quarterly")
@allow(*READERS)
@doc("已签发的季度报告（各版本，最新在前；筛选：year）", response=ReportSchema, tags=TAGS)
def list_reports():
    return paginate(queries.reports_query(_year_arg()), ReportSchema())


@bp.post("/quarterly")
@allow(*ISSUERS)
@doc(
    "签发季度报告：按当前数据生成、冻结并存档；同一季度再次签发生成新版本",
    body=IssueSchema,
    response=ReportDetailSchema,
    status=201,
    tags=TAGS,
)
def issue():
    data = json_body(IssueSchema())
    report = operations.issue_report(data["year"], data["quarter"], current_actor())
    return ReportDetailSchema().dump(report), 201


@bp.get("/quarterly/<int:year>/<int:quarter>")
@allow(*READERS)
@doc(
    "季度报告的签发信息与主要指标（最新版本；?version=N 取指定版本）",
    response=ReportDetailSchema,
    tags=TAGS,
)
def get_report(year: int, quarter: int):
    return ReportDetailSchema().dump(queries.report_for(year, quarter, _version_arg()))


@bp.get("/quarterly/<int:year>/<int:quarter>.pdf")
@allow(*READERS)
@doc("下载季度报告 PDF（最新版本；?version=N 取指定版本），即签发时存档的原始文件", tags=TAGS)
def download(year: int, quarter: int):
    report = queries.report_for(year, quarter, _version_arg())
    return _pdf(report)


@bp.get("/quarterly/<int:year>/<int:quarter>/v<int:version>.pdf")
@allow(*READERS)
@doc("下载季度报告指定版本的 PDF", tags=TAGS)
def download_version(year: int, quarter: int, version: int):
    return _pdf(queries.report_for(year, quarter, version))


@bp.get("/quarterly/<int:year>/<int:quarter>.xlsx")
@allow(*READERS)
@doc("下载季度报告所依据的数据（Excel，每节一张工作表；?version=N 取指定版本）", tags=TAGS)
def download_latest_data(year: int, quarter: int):
    return _xlsx(queries.report_for(year, quarter, _version_arg()))


@bp.get("/quarterly/<int:year>/<int:quarter>/v<int:version>.xlsx")
@allow(*READERS)
@doc("下载季度报告指定版本所依据的数据（Excel）", tags=TAGS)
def download_data(year: int, quarter: int, version: int):
    return _xlsx(queries.report_for(year, quarter, version))


def _pdf(report: QuarterlyReport) -> Response:
    response = pdf_response(report)
    operations.record_download(report, current_actor(), "pdf")
    return response


def _xlsx(report: QuarterlyReport) -> Response:
    response = data_response(report)
    operations.record_download(report, current_actor(), "xlsx")
    return response
