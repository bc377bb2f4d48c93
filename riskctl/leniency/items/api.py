"""``/api/v1/leniency/items``: the 免罚清单, its versions, .xlsx import and export."""

from __future__ import annotations

from riskctl.accounts.roles import LEGAL
from riskctl.core.api import ApiBlueprint, errors, paginate
from riskctl.core.auth.policy import allow, require_actor
from riskctl.core.errors import ValidationFailed
from riskctl.leniency import queries
from riskctl.leniency.api import READERS, XLSX, xlsx_response
from riskctl.leniency.items import operations as items
from riskctl.leniency.items.schemas import (
    LeniencyItemArgs,
    LeniencyItemChangeIn,
    LeniencyItemDetailOut,
    LeniencyItemImportIn,
    LeniencyItemImportOut,
    LeniencyItemIn,
    LeniencyItemOut,
)

bp = ApiBlueprint(
    "leniency_items_api",
    __name__,
    title="免罚清单",
    url_prefix="/api/v1/leniency",
    description="免罚清单事项及其历次版本",
)


@bp.route("/items", methods=["GET"])
@allow(*READERS)
@bp.paginated(LeniencyItemOut, LeniencyItemArgs)
def list_items(args):
    """免罚清单（?active=1 只看启用的事项）"""
    return paginate(queries.items_query(args["active"] in ("1", "true")), args)


@bp.route("/items", methods=["POST"])
@allow(LEGAL)
@errors(409)
@bp.arguments(
    LeniencyItemIn,
    example={
        "code": "SR-001",
        "name": "未按规定设置户外广告",
        "legal_basis": "《城市市容和环境卫生管理条例》",
        "conditions": "首次违法且危害后果轻微并及时改正",
        "active": True,
    },
)
@bp.response(201, LeniencyItemOut)
def create_item(data):
    """新增免罚清单事项"""
    return items.create_item(data, require_actor())


@bp.route("/items/<code>", methods=["GET"])
@allow(*READERS)
@bp.response(200, LeniencyItemDetailOut)
def get_item(code: str):
    """免罚清单事项及其全部版本"""
    return queries.get_item(code)


@bp.route("/items/<code>", methods=["PATCH"])
@allow(LEGAL)
@errors(409)
@bp.arguments(LeniencyItemChangeIn, example={"active": False, "reason": "法规修订"})
@bp.response(200, LeniencyItemOut)
def change_item(data, code: str):
    """修改事项（生成新版本，需填写 reason）"""
    return items.change_item(queries.get_item(code), data, require_actor())


@bp.route("/items/import", methods=["POST"])
@allow(LEGAL)
@errors(409)
@bp.arguments(LeniencyItemImportIn, location="files", content_type="multipart/form-data")
@bp.response(200, LeniencyItemImportOut)
def import_items(data):
    """导入免罚清单 .xlsx（全部成功或全部不导入）"""
    file = data["file"]
    if not file.filename:
        raise ValidationFailed.field("file", "请选择要上传的文件（表单字段 file）")
    return items.import_items(file.read(), file.filename, require_actor())


@bp.route("/items/export.xlsx", methods=["GET"])
@allow(*READERS)
@bp.response(200, description="免罚清单（可再导入）", content_type=XLSX)
def export_items():
    """导出免罚清单 .xlsx（可再导入）"""
    return xlsx_response(items.export_items(), "leniency-items.xlsx")
