"""``/api/v1/warnings``: the warnings (预警) as JSON, their life steps and the scan."""

from __future__ import annotations

from riskctl.accounts.queries import visible_unit_ids
from riskctl.accounts.roles import ADMIN, DISCIPLINE, LEADER, LEGAL, OFFICER
from riskctl.core.api import ApiBlueprint, errors
from riskctl.core.auth.policy import allow, require_actor
from riskctl.core.listcache import cached
from riskctl.warnings import operations, queries, scan
from riskctl.warnings.pages import warnings_page
from riskctl.warnings.schemas import (
    CloseWarningSchema,
    HandleWarningSchema,
    LinkRiskPointSchema,
    ScanSchema,
    WarningDetailSchema,
    WarningListArgs,
    WarningRuleListSchema,
    WarningSchema,
    WarningSummarySchema,
    filter_from,
    unit_from,
)
from riskctl.warnings.sources import RULES

bp = ApiBlueprint(
    "warnings_api",
    __name__,
    title="廉政预警",
    url_prefix="/api/v1/warnings",
    description="廉政风险预警：查看、确认与处置",
)

# The discipline committee handles warnings; leaders and the legal office read them;
# officers read their own units'; the administrator sets the rules' thresholds.
READERS = (DISCIPLINE, LEADER, LEGAL, OFFICER)
HANDLERS = (DISCIPLINE,)
SCANNERS = (DISCIPLINE, ADMIN)
RULE_READERS = (DISCIPLINE, LEADER, LEGAL, ADMIN)


def _one(warning_id: int):
    return queries.warning_for(warning_id, require_actor())


@bp.route("", methods=["GET"])
@allow(*READERS)
@cached
@errors(400, 422)
@bp.paginated(WarningSchema, WarningListArgs)
def list_warnings(args):
    """预警列表（筛选：colour、unit、rule、status=open|raised|acknowledged|handled|closed|all）"""
    flt = filter_from(args)
    return warnings_page(require_actor(), flt, args)


@bp.route("/summary", methods=["GET"])
@allow(*READERS)
@bp.response(200, WarningSummarySchema)
def summary():
    """未关闭预警按颜色、单位、规则的统计"""
    return queries.open_warnings_summary(visible_unit_ids(require_actor()))


@bp.route("/rules", methods=["GET"])
@allow(*RULE_READERS)
@bp.response(200, WarningRuleListSchema)
def rules():
    """预警规则、启用状态与阈值（阈值在 /api/v1/settings 中修改）"""
    items = []
    for rule in RULES:
        thresholds = rule.params()
        items.append(
            {
                "key": rule.key,
                "label": rule.label,
                "description": rule.description,
                "enabled": rule.is_enabled(),
                "enabled_setting": rule.enabled.key,
                "thresholds": [
                    {
                        "name": name,
                        "setting": d.key,
                        "label": d.label,
                        "value": thresholds[name],
                        "default": d.default,
                    }
                    for name, d in rule.thresholds.items()
                ],
            }
        )
    return {"items": items, "total": len(items)}


@bp.route("/<int:warning_id>", methods=["GET"])
@allow(*READERS)
@bp.response(200, WarningDetailSchema)
def detail(warning_id: int):
    """预警详情（含证据链接）"""
    return _one(warning_id)


@bp.route("/<int:warning_id>/acknowledge", methods=["POST"])
@allow(*HANDLERS)
@errors(409)
@bp.response(200, WarningDetailSchema)
def acknowledge(warning_id: int):
    """确认预警"""
    return operations.acknowledge(_one(warning_id), require_actor())


@bp.route("/<int:warning_id>/handle", methods=["POST"])
@allow(*HANDLERS)
@errors(409)
@bp.arguments(
    HandleWarningSchema,
    example={"note": "已约谈", "rectification": {"owner": "张三", "deadline_days": 10}},
)
@bp.response(200, WarningDetailSchema)
def handle(data, warning_id: int):
    """处置预警（note；可选 rectification：owner、deadline_days、unit 生成整改事项）"""
    warning = _one(warning_id)
    spec = data["rectification"]
    if spec is not None:
        spec = {**spec, "unit": unit_from(spec.get("unit"))}
    return operations.handle(warning, data["note"], require_actor(), spec)


@bp.route("/<int:warning_id>/close", methods=["POST"])
@allow(*HANDLERS)
@errors(409)
@bp.arguments(CloseWarningSchema, example={"note": "整改完成"})
@bp.response(200, WarningDetailSchema)
def close(data, warning_id: int):
    """关闭预警（须先处置；重复关闭返回 409）"""
    warning = _one(warning_id)
    return operations.close(warning, data["note"], require_actor())


@bp.route("/<int:warning_id>/risk-point", methods=["POST"])
@allow(*HANDLERS)
@errors(409)
@bp.arguments(LinkRiskPointSchema, example={"risk_point_id": 1})
@bp.response(200, WarningDetailSchema)
def link_risk_point(data, warning_id: int):
    """关联风险点（risk_point_id），或记录建议新增的风险点（proposal）"""
    warning = _one(warning_id)
    return operations.link_risk_point(
        warning, data["risk_point_id"], data["proposal"], require_actor()
    )


@bp.route("/scan", methods=["POST"])
@allow(*SCANNERS)
@bp.response(200, ScanSchema)
def run_scan():
    """立即运行一次预警扫描（可重复运行，不会重复预警）"""
    return scan.run_scan().as_dict()
