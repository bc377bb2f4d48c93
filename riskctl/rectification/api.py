"""``/api/v1/rectification``: the ledger (整改台账) as JSON."""

from __future__ import annotations

from flask import Blueprint, request
from marshmallow import fields, validate

from riskctl.accounts.queries import unit_by_code, visible_unit_ids
from riskctl.accounts.roles import DISCIPLINE, LEADER, LEGAL, OFFICER
from riskctl.core import clock
from riskctl.core.auth.policy import allow, current_actor
from riskctl.core.errors import BadRequest, NotFound, ValidationFailed
from riskctl.core.http import doc, json_body, paginate
from riskctl.core.schema import BaseSchema, Text
from riskctl.rectification import attachments, operations, queries
from riskctl.rectification.models import COLOURS, SOURCES, STATUSES
from riskctl.rectification.schemas import (
    CloseSchema,
    EvidenceSchema,
    ItemCreateSchema,
    ItemDetailSchema,
    ItemSchema,
    ReopenSchema,
)

bp = Blueprint("rectification_api", __name__, url_prefix="/api/v1/rectification")

READERS = (LEGAL, DISCIPLINE, LEADER, OFFICER)
MANAGERS = (LEGAL, DISCIPLINE)
TAGS = ("rectification",)


def _one_of(options: dict[str, str], label: str) -> validate.OneOf:
    return validate.OneOf(list(options), error=f"{label}须为 {'、'.join(options)} 之一")


class FilterSchema(BaseSchema):
    unit = Text(load_default=None, max_length=40)
    status = fields.String(load_default=None, validate=_one_of(STATUSES, "状态"))
    colour = fields.String(load_default=None, validate=_one_of(COLOURS, "颜色"))
    source = fields.String(load_default=None, validate=_one_of(SOURCES, "来源"))
    q = Text(load_default=None, max_length=100)


def filters_from(args: dict) -> dict:
    """Query-string filters, checked; the unit code becomes the unit (422 if unknown)."""
    loaded = FilterSchema().load({k: v for k, v in args.items() if v not in ("", None)})
    if loaded.get("unit"):
        try:
            loaded["unit"] = unit_by_code(loaded["unit"])
        except NotFound as exc:
            raise ValidationFailed.field("unit", f"单位 {loaded['unit']} 不存在") from exc
    return loaded


def _detail(item) -> dict:
    return ItemDetailSchema(queries.colourer(clock.today())).dump(item)


@bp.get("/items")
@allow(*READERS)
@doc("整改台账（筛选：unit、status、colour、source、q）", response=ItemSchema, tags=TAGS)
def list_items():
    today = clock.today()
    query = queries.items_query(current_actor(), today, **filters_from(request.args))
    return paginate(query, ItemSchema(queries.colourer(today)))


@bp.post("/items")
@allow(*MANAGERS)
@doc("新建整改事项", body=ItemCreateSchema, response=ItemDetailSchema, status=201, tags=TAGS)
def create_item():
    data = json_body(ItemCreateSchema())
    try:
        unit = unit_by_code(data["unit"])
    except NotFound as exc:
        raise ValidationFailed.field("unit", f"单位 {data['unit']} 不存在") from exc
    item = operations.open_item(
        data["source"],
        data["source_ref"],
        data["title"],
        unit.id,
        data["owner"],
        data["deadline_days"],
        data["detail"],
        current_actor(),
    )
    return _detail(item), 201


@bp.get("/items/<int:item_id>")
@allow(*READERS)
@doc("整改事项详情（含处理记录）", response=ItemDetailSchema, tags=TAGS)
def get_item(item_id: int):
    return _detail(queries.item_for(item_id, current_actor()))


@bp.post("/items/<int:item_id>/evidence")
@allow(LEGAL, DISCIPLINE, OFFICER)
@doc("补充整改佐证", body=EvidenceSchema, response=ItemDetailSchema, tags=TAGS)
def add_evidence(item_id: int):
    item = queries.item_for(item_id, current_actor())
    data = json_body(EvidenceSchema())
    operations.add_evidence(item, data["text"], current_actor())
    return _detail(item)


@bp.post("/items/<int:item_id>/attachments")
@allow(LEGAL, DISCIPLINE, OFFICER)
@doc(
    "上传整改佐证文件（multipart：file；PDF、JPG/PNG、Word 或 Excel）",
    upload=True,
    response=ItemDetailSchema,
    status=201,
    tags=TAGS,
)
def add_attachment(item_id: int):
    item = queries.item_for(item_id, current_actor())
    file = request.files.get("file")
    if file is None or not file.filename:
        raise BadRequest("请以 multipart/form-data 上传文件（字段名 file）")
    attachments.add_attachment(item, file.filename, file.read(), current_actor())
    return _detail(item), 201


@bp.get("/items/<int:item_id>/attachments/<int:attachment_id>")
@allow(*READERS)
@doc("下载整改佐证文件", tags=TAGS)
def download_attachment(item_id: int, attachment_id: int):
    return attachments.send(queries.item_for(item_id, current_actor()), attachment_id)


@bp.post("/items/<int:item_id>/close")
@allow(*MANAGERS)
@doc("销号（需填写销号说明）", body=CloseSchema, response=ItemDetailSchema, tags=TAGS)
def close_item(item_id: int):
    item = queries.item_for(item_id, current_actor())
    data = json_body(CloseSchema())
    operations.close_item(item, data["note"], data["evidence"], current_actor())
    return _detail(item)


@bp.post("/items/<int:item_id>/reopen")
@allow(*MANAGERS)
@doc("重新打开已销号事项（需填写原因）", body=ReopenSchema, response=ItemDetailSchema, tags=TAGS)
def reopen_item(item_id: int):
    item = queries.item_for(item_id, current_actor())
    data = json_body(ReopenSchema())
    operations.reopen_item(item, data["reason"], data["deadline_days"], current_actor())
    return _detail(item)


@bp.get("/summary")
@allow(*READERS)
@doc("整改事项按颜色统计（全局及分单位）", tags=TAGS)
def summary():
    today = clock.today()
    ids = visible_unit_ids(current_actor())
    return {
        "date": today.isoformat(),
        "counts": queries.colour_counts(today, ids),
        "units": queries.colour_counts_by_unit(today, unit_ids=ids),
    }
