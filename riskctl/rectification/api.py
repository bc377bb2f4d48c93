"""``/api/v1/rectification``: the ledger (整改台账) as JSON."""

from __future__ import annotations

from riskctl.accounts.queries import unit_by_code, visible_unit_ids
from riskctl.accounts.roles import DISCIPLINE, LEADER, LEGAL, OFFICER
from riskctl.core import clock
from riskctl.core.api import ApiBlueprint, errors
from riskctl.core.auth.policy import allow, current_actor
from riskctl.core.errors import NotFound, ValidationFailed
from riskctl.core.listcache import cached
from riskctl.rectification import attachments, operations, queries
from riskctl.rectification.pages import items_page
from riskctl.rectification.schemas import (
    AttachmentIn,
    CloseSchema,
    EvidenceSchema,
    FilterSchema,
    ItemCreateSchema,
    ItemDetailSchema,
    ItemFilterSchema,
    ItemSchema,
    ReopenSchema,
    SummarySchema,
)

bp = ApiBlueprint(
    "rectification_api",
    __name__,
    title="整改台账",
    url_prefix="/api/v1/rectification",
    description="整改事项：登记、进展、附件与销号",
)

READERS = (LEGAL, DISCIPLINE, LEADER, OFFICER)
MANAGERS = (LEGAL, DISCIPLINE)


def _unit(code: str):
    try:
        return unit_by_code(code)
    except NotFound as exc:
        raise ValidationFailed.field("unit", f"单位 {code} 不存在") from exc


def filters_from(args: dict) -> dict:
    """Query-string filters of the ledger page, checked; the unit code becomes the unit."""
    loaded = ItemFilterSchema().load({k: v for k, v in args.items() if v not in ("", None)})
    if loaded.get("unit"):
        loaded["unit"] = _unit(loaded["unit"])
    return loaded


@bp.route("/items", methods=["GET"])
@allow(*READERS)
@cached
@errors(400, 422)
@bp.paginated(ItemSchema, FilterSchema)
def list_items(args):
    """整改台账（筛选：unit、status、colour、source、q；unit 不存在为 422）"""
    filters = {
        k: v for k, v in args.items() if k not in ("page", "per_page") and v not in ("", None)
    }
    if filters.get("unit"):
        filters["unit"] = _unit(filters["unit"])
    return items_page(current_actor(), clock.today(), filters, args)


@bp.route("/items", methods=["POST"])
@allow(*MANAGERS)
@bp.arguments(
    ItemCreateSchema,
    example={
        "source": "inspection_result",
        "source_ref": "SJ-2026-04",
        "title": "执法记录仪未全程开启",
        "unit": "ZD1-1",
        "owner": "张三",
        "deadline_days": 10,
    },
)
@bp.response(201, ItemDetailSchema)
def create_item(data):
    """新建整改事项"""
    unit = _unit(data["unit"])
    return operations.open_item(
        data["source"],
        data["source_ref"],
        data["title"],
        unit.id,
        data["owner"],
        data["deadline_days"],
        data["detail"],
        current_actor(),
    )


@bp.route("/items/<int:item_id>", methods=["GET"])
@allow(*READERS)
@bp.response(200, ItemDetailSchema)
def get_item(item_id: int):
    """整改事项详情（含处理记录）"""
    return queries.item_for(item_id, current_actor())


@bp.route("/items/<int:item_id>/evidence", methods=["POST"])
@allow(LEGAL, DISCIPLINE, OFFICER)
@errors(409)
@bp.arguments(EvidenceSchema, example={"text": "已组织全员培训，附签到表"})
@bp.response(200, ItemDetailSchema)
def add_evidence(data, item_id: int):
    """补充整改佐证"""
    item = queries.item_for(item_id, current_actor())
    operations.add_evidence(item, data["text"], current_actor())
    return item


@bp.route("/items/<int:item_id>/attachments", methods=["POST"])
@allow(LEGAL, DISCIPLINE, OFFICER)
@errors(409)
@bp.arguments(AttachmentIn, location="files", content_type="multipart/form-data")
@bp.response(201, ItemDetailSchema)
def add_attachment(data, item_id: int):
    """上传整改佐证文件（multipart：file；PDF、JPG/PNG、Word 或 Excel）"""
    item = queries.item_for(item_id, current_actor())
    file = data["file"]
    if not file.filename:
        raise ValidationFailed.field("file", "请以 multipart/form-data 上传文件（字段名 file）")
    attachments.add_attachment(item, file.filename, file.read(), current_actor())
    return item


@bp.route("/items/<int:item_id>/attachments/<int:attachment_id>", methods=["GET"])
@allow(*READERS)
@bp.response(200, description="佐证文件原件", content_type="application/octet-stream")
def download_attachment(item_id: int, attachment_id: int):
    """下载整改佐证文件"""
    return attachments.send(queries.item_for(item_id, current_actor()), attachment_id)


@bp.route("/items/<int:item_id>/close", methods=["POST"])
@allow(*MANAGERS)
@errors(409)
@bp.arguments(CloseSchema, example={"note": "整改到位，予以销号", "evidence": "复查记录"})
@bp.response(200, ItemDetailSchema)
def close_item(data, item_id: int):
    """销号（需填写销号说明）"""
    item = queries.item_for(item_id, current_actor())
    operations.close_item(item, data["note"], data["evidence"], current_actor())
    return item


@bp.route("/items/<int:item_id>/reopen", methods=["POST"])
@allow(*MANAGERS)
@errors(409)
@bp.arguments(ReopenSchema, example={"reason": "复查发现问题反弹", "deadline_days": 5})
@bp.response(200, ItemDetailSchema)
def reopen_item(data, item_id: int):
    """重新打开已销号事项（需填写原因）"""
    item = queries.item_for(item_id, current_actor())
    operations.reopen_item(item, data["reason"], data["deadline_days"], current_actor())
    return item


@bp.route("/summary", methods=["GET"])
@allow(*READERS)
@bp.response(200, SummarySchema)
def summary():
    """整改事项按颜色统计（全局及分单位）"""
    today = clock.today()
    ids = visible_unit_ids(current_actor())
    return {
        "date": today,
        "counts": queries.colour_counts(today, ids),
        "units": queries.colour_counts_by_unit(today, unit_ids=ids),
    }
