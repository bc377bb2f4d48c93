"""Demo: the running quarter's report, issued by the legal office (idempotent).

The other modules' demo records are dated around today, so the running quarter
(counted up to today) is the one with something to show.
"""

from __future__ import annotations

from sqlalchemy import select

from riskctl.accounts.queries import user_by_username
from riskctl.core import clock
from riskctl.core.db import db
from riskctl.reporting import operations
from riskctl.reporting.models import QuarterlyReport
from riskctl.reporting.periods import quarter_of

ISSUER = "fazhi"  # 法制科 李法, a user of the demo bureau


def load() -> str | None:
    """Issue this quarter's report unless one exists; runs after the other modules' demos."""
    current = quarter_of(clock.today())
    exists = db.session.scalar(
        select(QuarterlyReport.id)
        .where(QuarterlyReport.year == current.year, QuarterlyReport.quarter == current.number)
        .limit(1)
    )
    if exists is not None:
        return None
    report = operations.issue_report(
        current.year, current.number, user_by_username(ISSUER) or "system"
    )
    return f"已签发{report.label}（{report.filename}，数据截至 {report.as_of.isoformat()}）"
