"""``/api/v1/settings``, ``/api/v1/calendar`` and ``/api/v1/audit``."""

from __future__ import annotations

import json

from flask import Blueprint, request
from marshmallow import Schema, fields

from riskctl.accounts.roles import ADMIN, AUDIT_READERS
from riskctl.admin.queries import audit_query
from riskctl.core import calendar, clock, settings
from riskctl.core.audit import verify
from riskctl.core.audit.checkpoints import record_checkpoint
from riskctl.core.auth.policy import allow, require_actor
from riskctl.core.errors import BadRequest
from riskctl.core.http import doc, paginate

bp = Blueprint("admin_api", __name__, url_prefix="/api/v1")


class AuditEntrySchema(Schema):
    seq = fields.Integer()
    at = fields.DateTime()
    actor = fields.String()
    action = fields.String()
    object_type = fields.String()
    object_id = fields.String()
    summary = fields.Function(lambda e: json.loads(e.summary))
    prev_hash = fields.String()
    hash = fields.String()


@bp.get("/settings")
@allow(ADMIN)
@doc("可调整的设置项及当前值", tags=("admin",))
def list_settings():
    return {
        "items": [
            {"key": d.key, "label": d.label, "value": settings.get(d.key), "default": d.default}
            for d in settings.definitions()
        ]
    }


@bp.put("/settings/<key>")
@allow(ADMIN)
@doc('修改设置项（请求体 {"value": …}）', tags=("admin",))
def change_setting(key: str):
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict) or "value" not in payload:
        raise BadRequest('请求体应为 {"value": …}')
    value = settings.change(key, payload["value"], require_actor().username)
    return {"key": key, "value": value}


@bp.put("/calendar/<int:year>")
@allow(ADMIN)
@doc("载入某年的法定节假日与调休安排（纯文本：每行 日期,休 或 日期,班）", tags=("admin",))
def load_calendar(year: int):
    if not 2000 <= year <= 2100:
        raise BadRequest("年份须在 2000 至 2100 之间")
    days = calendar.load_year(year, request.get_data(as_text=True), require_actor().username)
    return {"year": year, "days": days}


@bp.get("/audit")
@allow(*AUDIT_READERS)
@doc(
    "审计日志（按序号倒序；可按 action、actor、object_type、object_id 过滤）",
    response=AuditEntrySchema,
    tags=("audit",),
)
def list_audit():
    args = request.args
    query = audit_query(
        args.get("action", ""),
        args.get("actor", ""),
        args.get("object_type", ""),
        args.get("object_id", ""),
    )
    return paginate(query, AuditEntrySchema())


@bp.get("/audit/verify")
@allow(*AUDIT_READERS)
@doc("校验审计哈希链及已记录的检查点", tags=("audit",))
def verify_audit():
    result = verify()
    problems = [{"seq": b.seq, "reason": b.reason} for b in result.breaks]
    return {
        "ok": result.ok,
        "entries": result.count,
        "broken": problems[0] if problems else None,
        "problems": problems,
        "checkpoints_checked": result.checked,
    }


@bp.post("/audit/checkpoints")
@allow(*AUDIT_READERS)
@doc("记录审计链当前链头为检查点（公开于 /public/audit），返回 序号:哈希", tags=("audit",))
def record_audit_checkpoint():
    checkpoint = record_checkpoint("auditor", actor=require_actor().username)
    return {
        "seq": checkpoint.seq,
        "hash": checkpoint.hash,
        "anchor": f"{checkpoint.seq}:{checkpoint.hash}",
        "recorded_at": clock.iso(checkpoint.recorded_at),
        "source": checkpoint.source,
    }, 201
