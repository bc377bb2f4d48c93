"""``/api/v1/settings``, ``/api/v1/calendar``, ``/api/v1/audit`` and a unit's
``/api/v1/units/<code>/deactivate`` / ``reactivate``."""

from __future__ import annotations

import json

from flask import request
from marshmallow import Schema, fields

from riskctl.accounts.api import UnitSchema
from riskctl.accounts.queries import unit_by_code
from riskctl.accounts.roles import ADMIN, AUDIT_READERS
from riskctl.admin import operations
from riskctl.admin.pages import audit_page
from riskctl.core import calendar, clock, settings
from riskctl.core.api import ApiBlueprint, PageArgs, errors
from riskctl.core.audit import verify
from riskctl.core.audit.checkpoints import record_checkpoint
from riskctl.core.audit.models import AuditEntry
from riskctl.core.auth.policy import allow, require_actor
from riskctl.core.errors import BadRequest
from riskctl.core.listcache import cached
from riskctl.core.schema import ANY_JSON, BaseSchema, OutSchema, Text

bp = ApiBlueprint(
    "admin_api",
    __name__,
    title="系统管理",
    url_prefix="/api/v1",
    description="设置、节假日、单位停用与启用、审计日志",
)

_ANY_JSON = {**ANY_JSON, "description": "任意 JSON 值（按设置项校验）"}


class AuditEntrySchema(OutSchema):
    class Meta:
        model = AuditEntry

    seq = fields.Integer(metadata={"format": "int64"})
    at = fields.DateTime()
    actor = fields.String()
    action = fields.String()
    object_type = fields.String()
    object_id = fields.String()
    summary = fields.Function(
        lambda e: json.loads(e.summary), metadata={"type": "object", "description": "操作摘要"}
    )
    prev_hash = fields.String()
    hash = fields.String()


class AuditArgs(PageArgs):
    action = Text(max_length=80, load_default="")
    actor = Text(max_length=80, load_default="")
    object_type = Text(max_length=60, load_default="")
    object_id = Text(max_length=120, load_default="")


class SettingSchema(OutSchema):
    key = fields.String()
    label = fields.String()
    value = fields.Raw(allow_none=True, metadata=_ANY_JSON)
    default = fields.Raw(allow_none=True, metadata=_ANY_JSON)


class SettingListSchema(Schema):
    items = fields.List(fields.Nested(SettingSchema), required=True)


class SettingIn(BaseSchema):
    value = fields.Raw(required=True, allow_none=True, metadata=_ANY_JSON)


class SettingOut(OutSchema):
    key = fields.String()
    value = fields.Raw(allow_none=True, metadata=_ANY_JSON)


class CalendarOut(OutSchema):
    year = fields.Integer()
    days = fields.Integer(metadata={"description": "载入的日期数"})


class UnitStateOut(UnitSchema):
    active = fields.Boolean(
        metadata={"description": "false：已停用（保留历史，不再接收新的人员、记录和配额）"}
    )


class AuditProblemSchema(OutSchema):
    seq = fields.Integer(metadata={"format": "int64"})
    reason = fields.String()


class AuditVerifyOut(OutSchema):
    ok = fields.Boolean()
    entries = fields.Integer()
    broken = fields.Nested(AuditProblemSchema, allow_none=True)
    problems = fields.List(fields.Nested(AuditProblemSchema))
    checkpoints_checked = fields.Integer()


class CheckpointOut(OutSchema):
    seq = fields.Integer(metadata={"format": "int64"})
    hash = fields.String()
    anchor = fields.String(metadata={"description": "序号:哈希"})
    recorded_at = fields.String(metadata={"format": "date-time"})
    source = fields.String()


@bp.route("/settings", methods=["GET"])
@allow(ADMIN)
@bp.response(200, SettingListSchema)
def list_settings():
    """可调整的设置项及当前值"""
    return {
        "items": [
            {"key": d.key, "label": d.label, "value": settings.get(d.key), "default": d.default}
            for d in settings.definitions()
        ]
    }


@bp.route("/settings/<key>", methods=["PUT"])
@allow(ADMIN)
@errors(404)
@bp.arguments(SettingIn, example={"value": 30})
@bp.response(200, SettingOut)
def change_setting(data, key: str):
    """修改设置项（请求体 {"value": …}；没有该设置项为 404）"""
    value = settings.change(key, data["value"], require_actor().username)
    return {"key": key, "value": value}


@bp.route("/calendar/<int:year>", methods=["PUT"])
@allow(ADMIN)
@errors(400, 422)
@bp.doc(
    requestBody={
        "required": True,
        "description": "每行 日期,休 或 日期,班",
        "content": {
            "text/plain": {
                "schema": {"type": "string", "maxLength": 100_000},
                "example": "2026-10-01,休\n2026-10-11,班",
            }
        },
    }
)
@bp.response(200, CalendarOut)
def load_calendar(year: int):
    """载入某年的法定节假日与调休安排（纯文本：每行 日期,休 或 日期,班；年份 2000–2100）"""
    if not 2000 <= year <= 2100:
        raise BadRequest("年份须在 2000 至 2100 之间", {"year": ["须在 2000 至 2100 之间"]})
    days = calendar.load_year(year, request.get_data(as_text=True), require_actor().username)
    return {"year": year, "days": days}


def _set_unit_active(code: str, active: bool):
    unit_by_code(code)  # an unknown code is a 404, not a form error
    return operations.set_unit_active(code, active)


@bp.route("/units/<code>/deactivate", methods=["POST"])
@allow(ADMIN)
@errors(404, 409)
@bp.response(200, UnitStateOut)
def deactivate_unit(code: str):
    """停用单位（与单位管理页面同一操作，记入审计日志；仍有在用人员或下级单位时为 409）"""
    return _set_unit_active(code, False)


@bp.route("/units/<code>/reactivate", methods=["POST"])
@allow(ADMIN)
@errors(404, 409)
@bp.response(200, UnitStateOut)
def reactivate_unit(code: str):
    """启用已停用的单位（上级单位已停用时为 409；已在用的单位原样返回）"""
    return _set_unit_active(code, True)


@bp.route("/audit", methods=["GET"])
@allow(*AUDIT_READERS)
@cached
@bp.paginated(AuditEntrySchema, AuditArgs)
def list_audit(args):
    """审计日志（按序号倒序；可按 action、actor、object_type、object_id 过滤）"""
    return audit_page(args)


@bp.route("/audit/verify", methods=["GET"])
@allow(*AUDIT_READERS)
@bp.response(200, AuditVerifyOut)
def verify_audit():
    """校验审计哈希链及已记录的检查点"""
    result = verify()
    problems = [{"seq": b.seq, "reason": b.reason} for b in result.breaks]
    return {
        "ok": result.ok,
        "entries": result.count,
        "broken": problems[0] if problems else None,
        "problems": problems,
        "checkpoints_checked": result.checked,
    }


@bp.route("/audit/checkpoints", methods=["POST"])
@allow(*AUDIT_READERS)
@bp.response(201, CheckpointOut)
def record_audit_checkpoint():
    """记录审计链当前链头为检查点（公开于 /public/audit），返回 序号:哈希"""
    checkpoint = record_checkpoint("auditor", actor=require_actor().username)
    return {
        "seq": checkpoint.seq,
        "hash": checkpoint.hash,
        "anchor": f"{checkpoint.seq}:{checkpoint.hash}",
        "recorded_at": clock.iso(checkpoint.recorded_at),
        "source": checkpoint.source,
    }
