"""``/api/v1/leniency/stats``: 首违不罚 statistics for a period."""

from __future__ import annotations

from dataclasses import asdict

from riskctl.accounts.roles import DISCIPLINE, LEADER, LEGAL
from riskctl.core import clock
from riskctl.core.api import ApiBlueprint, errors
from riskctl.core.auth.policy import allow
from riskctl.leniency import options
from riskctl.leniency.stats import periods
from riskctl.leniency.stats import queries as stats
from riskctl.leniency.stats.schemas import LeniencyStatsOut, StatsArgs

bp = ApiBlueprint(
    "leniency_stats_api",
    __name__,
    title="首违不罚统计",
    url_prefix="/api/v1/leniency",
    description="首违不罚、轻微不罚按期间、单位和事项的统计",
)


@bp.route("/stats", methods=["GET"])
@allow(LEGAL, DISCIPLINE, LEADER)
@errors(422)
@bp.arguments(StatsArgs, location="query")
@bp.response(200, LeniencyStatsOut)
def statistics(args):
    """首违不罚统计

    按事项、单位、执法人员计数，整改率，重复申请被拒数，免罚率与全局中位数
    （year+quarter 或 from+to，默认本季度）。
    """
    query = {"from": args["from_"], "to": args["to"], "year": args["year"]}
    query["quarter"] = args["quarter"]
    summary = stats.summary(periods.from_args(query), clock.today(), options.rate_warning_ratio())
    body = asdict(summary)
    body["period"] = {
        "from": summary.period.start.isoformat(),
        "to": summary.period.end.isoformat(),
    }
    body["refused_by_unit"] = [
        {"unit": c, "unit_name": n, "count": k} for c, n, k in summary.refused_by_unit
    ]
    return body
