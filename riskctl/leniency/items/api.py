"""``/api/v1/leniency/items``: the 免罚清单, its versions, .xlsx import and export."""

from __future__ import annotations

from flask import Blueprint, request

from riskctl.core.auth.policy import LEGAL, allow, require_actor
from riskctl.core.http import doc, json_body, paginate
from riskctl.leniency import queries
from riskctl.leniency.api import READERS, TAGS, upload, xlsx_response
from riskctl.leniency.items import operations as items
from riskctl.leniency.items.schemas import (
    LeniencyItemChangeIn,
    LeniencyItemDetailOut,
    LeniencyItemIn,
    LeniencyItemOut,
)

bp = Blueprint("leniency_items_api", __name__, url_prefix="/api/v1/leniency")


@bp.get("/items")
@allow(*READERS)
@doc("免罚清单（?active=1 只看启用的事项）", response=LeniencyItemOut, tags=TAGS)
def list_items():
    active_only = request.args.get("active") in ("1", "true")
    return paginate(queries.items_query(active_only), LeniencyItemOut())


@bp.post("/items")
@allow(LEGAL)
@doc("新增免罚清单事项", body=LeniencyItemIn, response=LeniencyItemOut, status=201, tags=TAGS)
def create_item():
    item = items.create_item(json_body(LeniencyItemIn()), require_actor())
    return LeniencyItemOut().dump(item), 201


@bp.get("/items/<code>")
@allow(*READERS)
@doc("免罚清单事项及其全部版本", response=LeniencyItemDetailOut, tags=TAGS)
def get_item(code: str):
    return LeniencyItemDetailOut().dump(queries.get_item(code))


@bp.patch("/items/<code>")
@allow(LEGAL)
@doc(
    "修改事项（生成新版本，需填写 reason）",
    body=LeniencyItemChangeIn,
    response=LeniencyItemOut,
    tags=TAGS,
)
def change_item(code: str):
    item = items.change_item(
        queries.get_item(code), json_body(LeniencyItemChangeIn()), require_actor()
    )
    return LeniencyItemOut().dump(item)


@bp.post("/items/import")
@allow(LEGAL)
@doc("导入免罚清单 .xlsx（全部成功或全部不导入）", upload=True, tags=TAGS)
def import_items():
    filename, content = upload()
    return items.import_items(content, filename, require_actor())


@bp.get("/items/export.xlsx")
@allow(*READERS)
@doc("导出免罚清单 .xlsx（可再导入）", tags=TAGS)
def export_items():
    return xlsx_response(items.export_items(), "leniency-items.xlsx")
