"""``/api/v1/warnings``: the warnings (预警) as JSON, their life steps and the scan."""

from __future__ import annotations

from flask import Blueprint, request

from riskctl.accounts.queries import visible_unit_ids
from riskctl.accounts.roles import ADMIN, DISCIPLINE, LEADER, LEGAL, OFFICER
from riskctl.core.auth.policy import allow, require_actor
from riskctl.core.http import doc, json_body, paginate
from riskctl.warnings import operations, queries, scan
from riskctl.warnings.rules import RULES
from riskctl.warnings.schemas import (
    CloseWarningSchema,
    HandleWarningSchema,
    LinkRiskPointSchema,
    WarningDetailSchema,
    WarningSchema,
    filter_from,
    unit_from,
)

bp = Blueprint("warnings_api", __name__, url_prefix="/api/v1/warnings")

# The discipline committee handles warnings; leaders and the legal office read them;
# officers read their own units'; the administrator sets the rules' thresholds.
READERS = (DISCIPLINE, LEADER, LEGAL, OFFICER)
HANDLERS = (DISCIPLINE,)
SCANNERS = (DISCIPLINE, ADMIN)
RULE_READERS = (DISCIPLINE, LEADER, LEGAL, ADMIN)
TAGS = ("warnings",)


def _detail(warning) -> dict:
    return WarningDetailSchema().dump(warning)


def _one(warning_id: int):
    return queries.warning_for(warning_id, require_actor())


@bp.get("")
@allow(*READERS)
@doc(
    "预警列表（筛选：colour、unit、rule、status=open|raised|acknowledged|handled|closed|all）",
    response=WarningSchema,
    tags=TAGS,
)
def list_warnings():
    flt = filter_from(request.args)
    return paginate(queries.warnings_query(require_actor(), flt), WarningSchema())


@bp.get("/summary")
@allow(*READERS)
@doc("未关闭预警按颜色、单位、规则的统计", tags=TAGS)
def summary():
    return queries.open_warnings_summary(visible_unit_ids(require_actor()))


@bp.get("/rules")
@allow(*RULE_READERS)
@doc("预警规则、启用状态与阈值（阈值在 /api/v1/settings 中修改）", tags=TAGS)
def rules():
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


@bp.get("/<int:warning_id>")
@allow(*READERS)
@doc("预警详情（含证据链接）", response=WarningDetailSchema, tags=TAGS)
def detail(warning_id: int):
    return _detail(_one(warning_id))


@bp.post("/<int:warning_id>/acknowledge")
@allow(*HANDLERS)
@doc("确认预警", response=WarningDetailSchema, tags=TAGS)
def acknowledge(warning_id: int):
    return _detail(operations.acknowledge(_one(warning_id), require_actor()))


@bp.post("/<int:warning_id>/handle")
@allow(*HANDLERS)
@doc(
    "处置预警（note；可选 rectification：owner、deadline_days、unit 生成整改事项）",
    body=HandleWarningSchema,
    response=WarningDetailSchema,
    tags=TAGS,
)
def handle(warning_id: int):
    warning = _one(warning_id)
    data = json_body(HandleWarningSchema())
    spec = data["rectification"]
    if spec is not None:
        spec = {**spec, "unit": unit_from(spec.get("unit"))}
    return _detail(operations.handle(warning, data["note"], require_actor(), spec))


@bp.post("/<int:warning_id>/close")
@allow(*HANDLERS)
@doc(
    "关闭预警（须先处置；重复关闭返回 409）",
    body=CloseWarningSchema,
    response=WarningDetailSchema,
    tags=TAGS,
)
def close(warning_id: int):
    warning = _one(warning_id)
    data = json_body(CloseWarningSchema())
    return _detail(operations.close(warning, data["note"], require_actor()))


@bp.post("/<int:warning_id>/risk-point")
@allow(*HANDLERS)
@doc(
    "关联风险点（risk_point_id），或记录建议新增的风险点（proposal）",
    body=LinkRiskPointSchema,
    response=WarningDetailSchema,
    tags=TAGS,
)
def link_risk_point(warning_id: int):
    warning = _one(warning_id)
    data = json_body(LinkRiskPointSchema())
    return _detail(
        operations.link_risk_point(
            warning, data["risk_point_id"], data["proposal"], require_actor()
        )
    )


@bp.post("/scan")
@allow(*SCANNERS)
@doc("立即运行一次预警扫描（可重复运行，不会重复预警）", tags=TAGS)
def run_scan():
    return scan.run_scan().as_dict()
