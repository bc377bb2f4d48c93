"""Reading issued reports: the list, a quarter's latest version, one version."""

from __future__ import annotations

from sqlalchemy import Select, select

from riskctl.core.db import db
from riskctl.core.errors import NotFound
from riskctl.reporting.models import QuarterlyReport
from riskctl.reporting.periods import FIRST_YEAR, Quarter

Report = QuarterlyReport
MAX_VERSION = 1_000_000


def reports_query(year: int | None = None) -> Select:
    """Every issued version, newest quarter first, then newest version first."""
    query = select(Report).order_by(
        Report.year.desc(), Report.quarter.desc(), Report.version.desc()
    )
    return query.where(Report.year == year) if year else query


def report_by_id(report_id: int) -> QuarterlyReport:
    report = db.session.get(Report, report_id) if 0 < report_id < 2**63 else None
    if report is None:
        raise NotFound(f"第 {report_id} 号报告不存在")
    return report


def report_for(year: int, quarter: int, version: int | None = None) -> QuarterlyReport:
    """The given version of a quarter's report, or its latest when ``version`` is None."""
    which = f"第 {version} 版" if version is not None else ""
    if not (
        FIRST_YEAR <= year <= 9999 and 1 <= quarter <= 4 and 1 <= (version or 1) <= MAX_VERSION
    ):
        # Out of range numbers name no report (and would overflow SQLite's integers).
        raise NotFound(f"{year} 年第 {quarter} 季度{which}报告不存在")
    query = select(Report).where(Report.year == year, Report.quarter == quarter)
    if version is not None:
        query = query.where(Report.version == version)
    report = db.session.scalar(query.order_by(Report.version.desc()).limit(1))
    if report is None:
        raise NotFound(f"{Quarter(year, quarter).label}{which}报告尚未签发")
    return report
