"""``/api/v1/leniency/stats``: 首违不罚 statistics for a period."""

from __future__ import annotations

from dataclasses import asdict

from flask import Blueprint, request

from riskctl.core import clock
from riskctl.core.auth.policy import DISCIPLINE, LEADER, LEGAL, allow
from riskctl.core.http import doc
from riskctl.leniency import filters, options
from riskctl.leniency.api import TAGS
from riskctl.leniency.stats import queries as stats

bp = Blueprint("leniency_stats_api", __name__, url_prefix="/api/v1/leniency")


@bp.get("/stats")
@allow(LEGAL, DISCIPLINE, LEADER)
@doc(
    "统计：按事项、单位、执法人员计数，整改率，重复申请被拒数，免罚率与全局中位数"
    "（year+quarter 或 from+to，默认本季度）",
    tags=TAGS,
)
def statistics():
    summary = stats.summary(
        filters.period(request.args), clock.today(), options.rate_warning_ratio()
    )
    body = asdict(summary)
    body["period"] = {
        "from": summary.period.start.isoformat(),
        "to": summary.period.end.isoformat(),
    }
    body["refused_by_unit"] = [
        {"unit": c, "unit_name": n, "count": k} for c, n, k in summary.refused_by_unit
    ]
    return body
