"""``/api/v1/inspection``: the item list, the two rosters and 回避 (一单两库)."""

from __future__ import annotations

from flask import Blueprint, request

from riskctl.core.auth.policy import DISCIPLINE, LEADER, LEGAL, OFFICER, allow, require_actor
from riskctl.core.errors import BadRequest, ValidationFailed
from riskctl.core.http import doc, json_body, paginate
from riskctl.core.tabular.problems import ImportProblems
from riskctl.inspections import operations, queries
from riskctl.inspections.schemas import (
    InspectionItemInSchema,
    InspectionItemPatchSchema,
    InspectionItemSchema,
)

bp = Blueprint("inspections_api", __name__, url_prefix="/api/v1/inspection")

READERS = (LEGAL, LEADER, DISCIPLINE)
PROBLEMS_SHOWN = 1000


def problems_response(exc: ImportProblems) -> ValidationFailed:
    """Every bad cell of a refused import, as a 422 (the first thousand listed)."""
    return ValidationFailed(exc.message, exc.as_details(limit=PROBLEMS_SHOWN))


def upload() -> tuple[bytes, str]:
    file = request.files.get("file")
    if file is None or not file.filename:
        raise BadRequest("请以 multipart/form-data 上传文件（字段名 file）")
    return file.read(), file.filename


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


@bp.get("/items")
@allow(LEGAL, LEADER, DISCIPLINE, OFFICER)
@doc("随机抽查事项清单", response=InspectionItemSchema, tags=("inspection",))
def list_items():
    return paginate(queries.items(request.args.get("active") == "1"), InspectionItemSchema())


@bp.post("/items")
@allow(LEGAL)
@doc(
    "新增抽查事项",
    body=InspectionItemInSchema,
    response=InspectionItemSchema,
    status=201,
    tags=("inspection",),
)
def create_item():
    item = operations.create_item(json_body(InspectionItemInSchema()), require_actor().username)
    return InspectionItemSchema().dump(item), 201


@bp.patch("/items/<code>")
@allow(LEGAL)
@doc(
    "修改或停用抽查事项（须写明理由）",
    body=InspectionItemPatchSchema,
    response=InspectionItemSchema,
    tags=("inspection",),
)
def update_item(code: str):
    item = queries.item_by_code(code)
    data = json_body(InspectionItemPatchSchema())
    reason = data.pop("reason")
    return InspectionItemSchema().dump(
        operations.update_item(item, data, reason, require_actor().username)
    )


# --- 名录库 -------------------------------------------------------------------------


# --- 回避 -------------------------------------------------------------------------------
