"""``/api/v1/inspection``: the item list, the two rosters and 回避 (一单两库)."""

from __future__ import annotations

from marshmallow import fields, validate

from riskctl.accounts.roles import DISCIPLINE, LEADER, LEGAL, OFFICER
from riskctl.core.api import ApiBlueprint, PageArgs, errors, paginate
from riskctl.core.auth.policy import allow, require_actor
from riskctl.core.errors import ValidationFailed
from riskctl.core.tabular.problems import ImportProblems
from riskctl.inspections import operations, queries
from riskctl.inspections.schemas import (
    InspectionItemInSchema,
    InspectionItemPatchSchema,
    InspectionItemSchema,
)

bp = ApiBlueprint(
    "inspections_api",
    __name__,
    title="抽查事项",
    url_prefix="/api/v1/inspection",
    description="双随机一公开：抽查事项清单",
)


class ActiveArgs(PageArgs):
    active = fields.String(
        load_default="",
        validate=validate.OneOf(("", "0", "1")),
        metadata={"description": "1 只看启用的"},
    )


READERS = (LEGAL, LEADER, DISCIPLINE)
PROBLEMS_SHOWN = 1000


def problems_response(exc: ImportProblems) -> ValidationFailed:
    """Every bad cell of a refused import, as a 422 (the first thousand listed)."""
    return ValidationFailed(exc.message, exc.as_details(limit=PROBLEMS_SHOWN))


def confirm_flag(value: str | None) -> bool | None:
    """deactivate_missing: 1 deactivates rows absent from the file, 0 keeps them, absent asks."""
    if value is None or value == "":
        return None
    if value.lower() in ("1", "true", "yes"):
        return True
    if value.lower() in ("0", "false", "no"):
        return False
    raise ValidationFailed.field("deactivate_missing", "应为 1（停用文件中没有的记录）或 0（保留）")


# --- 随机抽查事项清单 -------------------------------------------------------------


@bp.route("/items", methods=["GET"])
@allow(LEGAL, LEADER, DISCIPLINE, OFFICER)
@bp.paginated(InspectionItemSchema, ActiveArgs)
def list_items(args):
    """随机抽查事项清单（?active=1 只看启用的）"""
    return paginate(queries.items(args["active"] == "1"), args)


@bp.route("/items", methods=["POST"])
@allow(LEGAL)
@errors(409)
@bp.arguments(InspectionItemInSchema)
@bp.response(201, InspectionItemSchema)
def create_item(data):
    """新增抽查事项"""
    return operations.create_item(data, require_actor().username)


@bp.route("/items/<code>", methods=["PATCH"])
@allow(LEGAL)
@errors(404, 409)
@bp.arguments(InspectionItemPatchSchema)
@bp.response(200, InspectionItemSchema)
def update_item(data, code: str):
    """修改或停用抽查事项（须写明理由）"""
    item = queries.item_by_code(code)
    reason = data.pop("reason")
    return operations.update_item(item, data, reason, require_actor().username)


# --- 名录库 -------------------------------------------------------------------------


# --- 回避 -------------------------------------------------------------------------------
