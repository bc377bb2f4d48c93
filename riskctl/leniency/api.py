"""``/api/v1/leniency``: the 免罚清单, 首违不罚 records and their lifecycle, statistics."""

from __future__ import annotations

from flask import Blueprint, Response, request

from riskctl.core.auth.policy import DISCIPLINE, LEADER, LEGAL, OFFICER, allow, require_actor
from riskctl.core.errors import ValidationFailed
from riskctl.core.http import doc, json_body, paginate
from riskctl.leniency import attachments, filters, full_ids, operations, queries
from riskctl.leniency.exports import export_records
from riskctl.leniency.schemas import (
    LeniencyAttachmentIn,
    LeniencyAttachmentOut,
    LeniencyCloseIn,
    LeniencyCommitmentIn,
    LeniencyFollowupIn,
    LeniencyRecordIn,
    LeniencyRecordListOut,
    LeniencyRecordOut,
    LeniencyReferralIn,
    LeniencyRefusalOut,
    LeniencyReviewIn,
    LeniencySignoffIn,
)

bp = Blueprint("leniency_api", __name__, url_prefix="/api/v1/leniency")

READERS = (OFFICER, LEGAL, DISCIPLINE, LEADER)
FULL_ID_ROLES = operations.FULL_ID_ROLES
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TAGS = ("leniency",)


def upload() -> tuple[str, bytes]:
    """The multipart ``file`` of the request (422 when there is none)."""
    file = request.files.get("file")
    if file is None or not file.filename:
        raise ValidationFailed.field("file", "请选择要上传的文件（表单字段 file）")
    return file.filename, file.read()


def xlsx_response(content: bytes, filename: str) -> Response:
    response = Response(content, mimetype=XLSX)
    response.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
    return response


# 免罚清单 ---------------------------------------------------------------------------------


# Records -------------------------------------------------------------------------------------


@bp.post("/records")
@allow(OFFICER)
@doc(
    "录入首违不罚/轻微不罚决定（重复首违返回 409 并指明在先记录；回溯期内再次适用轻微不罚的"
    "保存为待法制审核 pending_review；承办人员须属于作出决定的单位或其下属单位）",
    body=LeniencyRecordIn,
    response=LeniencyRecordOut,
    status=201,
    tags=TAGS,
)
def create_record():
    record = operations.record_leniency(json_body(LeniencyRecordIn()), require_actor())
    return LeniencyRecordOut().dump(record), 201


@bp.get("/records")
@allow(*READERS)
@doc(
    "免罚记录列表（unit、item、ground、status、from、to、overdue、party_id、q）；"
    "按完整证件号 party_id 查询仅限法制科、机关纪委，每次查询记入审计日志，其他角色 403",
    response=LeniencyRecordListOut,
    tags=TAGS,
)
def list_records():
    actor = require_actor()
    query = queries.records_query(actor, full_ids.record_search(request.args, actor))
    return paginate(query, LeniencyRecordListOut())


@bp.get("/records/export.xlsx")
@allow(*READERS)
@doc("导出免罚记录 .xlsx（证件号脱敏，筛选条件同列表）", tags=TAGS)
def export_record_list():
    actor = require_actor()
    query = queries.records_query(actor, full_ids.record_search(request.args, actor))
    return xlsx_response(export_records(query), "leniency-records.xlsx")


@bp.get("/records/<int:record_id>")
@allow(*READERS)
@doc("免罚记录详情（证件号脱敏）", response=LeniencyRecordOut, tags=TAGS)
def get_record(record_id: int):
    return LeniencyRecordOut().dump(queries.get_record(record_id, require_actor()))


@bp.get("/records/<int:record_id>/party-id")
@allow(*FULL_ID_ROLES)
@doc("查看完整证件号（每次查看均记入审计日志）", tags=TAGS)
def reveal_party_id(record_id: int):
    record = queries.get_record(record_id, require_actor())
    return {"id": record.id, "party_id": full_ids.reveal_party_id(record)}


def _lifecycle(record_id: int, step, schema, *extra) -> dict:
    actor = require_actor()
    record = queries.get_record(record_id, actor)
    step(record, json_body(schema), *extra)
    return LeniencyRecordOut().dump(record)


@bp.post("/records/<int:record_id>/commitment")
@allow(OFFICER)
@doc("登记告知承诺书", body=LeniencyCommitmentIn, response=LeniencyRecordOut, tags=TAGS)
def sign_commitment(record_id: int):
    return _lifecycle(record_id, operations.sign_commitment, LeniencyCommitmentIn())


@bp.post("/records/<int:record_id>/followup")
@allow(OFFICER)
@doc(
    "录入复查结果（passed 已改正 / failed 未改正）",
    body=LeniencyFollowupIn,
    response=LeniencyRecordOut,
    tags=TAGS,
)
def record_followup(record_id: int):
    return _lifecycle(record_id, operations.record_followup, LeniencyFollowupIn(), require_actor())


@bp.post("/records/<int:record_id>/review")
@allow(LEGAL)
@doc(
    "法制审核待审核的轻微不罚记录（approve=true 同意后生效；须写明理由 note）",
    body=LeniencyReviewIn,
    response=LeniencyRecordOut,
    tags=TAGS,
)
def review_held(record_id: int):
    return _lifecycle(record_id, operations.review_held, LeniencyReviewIn(), require_actor())


@bp.post("/records/<int:record_id>/signoff")
@allow(LEGAL)
@doc("法制科审核", body=LeniencySignoffIn, response=LeniencyRecordOut, tags=TAGS)
def sign_off(record_id: int):
    return _lifecycle(record_id, operations.sign_off, LeniencySignoffIn(), require_actor())


@bp.post("/records/<int:record_id>/referral")
@allow(OFFICER, LEGAL)
@doc(
    "转一般程序（复查未通过或拒签承诺书）",
    body=LeniencyReferralIn,
    response=LeniencyRecordOut,
    tags=TAGS,
)
def refer(record_id: int):
    return _lifecycle(record_id, operations.refer, LeniencyReferralIn())


@bp.post("/records/<int:record_id>/close")
@allow(OFFICER, LEGAL)
@doc(
    "结案（需复查通过并经法制科审核）", body=LeniencyCloseIn, response=LeniencyRecordOut, tags=TAGS
)
def close(record_id: int):
    return _lifecycle(record_id, operations.close, LeniencyCloseIn(), require_actor())


@bp.post("/records/<int:record_id>/attachments")
@allow(OFFICER)
@doc(
    "上传证据材料或告知承诺书（multipart：file，kind=evidence/commitment）",
    upload=True,
    response=LeniencyAttachmentOut,
    status=201,
    tags=TAGS,
)
def add_attachment(record_id: int):
    actor = require_actor()
    record = queries.get_record(record_id, actor)
    kind = LeniencyAttachmentIn().load(request.form.to_dict())["kind"]
    filename, content = upload()
    attachment = attachments.add_attachment(record, kind, filename, content, actor)
    return LeniencyAttachmentOut().dump(attachment), 201


@bp.get("/records/<int:record_id>/attachments/<int:attachment_id>")
@allow(*READERS)
@doc("下载附件", tags=TAGS)
def get_attachment(record_id: int, attachment_id: int):
    record = queries.get_record(record_id, require_actor())
    attachment = queries.get_attachment(record, attachment_id)
    return attachments.send(attachment)


# Refusals and statistics -----------------------------------------------------------------------


@bp.get("/refusals")
@allow(LEGAL, DISCIPLINE, LEADER)
@doc("被拒绝的重复首违申请（from、to）", response=LeniencyRefusalOut, tags=TAGS)
def list_refusals():
    period = filters.period(request.args)
    return paginate(queries.refusals_query(period.start, period.end), LeniencyRefusalOut())
