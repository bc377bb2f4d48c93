"""``/api/v1/leniency``: the 免罚清单, 首违不罚 records and their lifecycle, statistics."""

from __future__ import annotations

from flask import Response

from riskctl.accounts.roles import DISCIPLINE, LEADER, LEGAL, OFFICER
from riskctl.core.api import ApiBlueprint, errors, paginate
from riskctl.core.auth.policy import allow, require_actor
from riskctl.core.errors import ValidationFailed
from riskctl.core.listcache import cached
from riskctl.leniency import attachments, full_ids, operations, queries
from riskctl.leniency.examples import RECORD_ANSWER, RECORD_EXAMPLE
from riskctl.leniency.exports import export_records
from riskctl.leniency.schemas import (
    LeniencyAttachmentOut,
    LeniencyAttachmentUpload,
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
    PartyIdOut,
    RecordFilterArgs,
    RefusalArgs,
    filter_mapping,
)
from riskctl.leniency.stats import periods

bp = ApiBlueprint(
    "leniency_api",
    __name__,
    title="首违不罚记录",
    url_prefix="/api/v1/leniency",
    description="首违不罚、轻微不罚记录：登记、承诺书、复查、签发、转立案、法制审核，以及被拒绝的重复免罚",
)

READERS = (OFFICER, LEGAL, DISCIPLINE, LEADER)
FULL_ID_ROLES = operations.FULL_ID_ROLES
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(content: bytes, filename: str) -> Response:
    response = Response(content, mimetype=XLSX)
    response.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
    return response


# 免罚清单 ---------------------------------------------------------------------------------


# Records -------------------------------------------------------------------------------------


@bp.route("/records", methods=["POST"])
@allow(OFFICER)
@errors(409)
@bp.arguments(LeniencyRecordIn, example=RECORD_EXAMPLE)
@bp.response(201, LeniencyRecordOut, example=RECORD_ANSWER)
def create_record(data):
    """录入首违不罚/轻微不罚决定

    重复首违返回 409 并指明在先记录；回溯期内再次适用轻微不罚的保存为待法制审核
    pending_review；承办人员须属于作出决定的单位或其下属单位。
    """
    return operations.record_leniency(data, require_actor())


@bp.route("/records", methods=["GET"])
@allow(*READERS)
@cached
@errors(403, 404, 422)
@bp.paginated(LeniencyRecordListOut, RecordFilterArgs)
def list_records(args):
    """免罚记录列表（unit、item、ground、status、from、to、overdue、party_id、q）

    按完整证件号 party_id 查询仅限法制科、机关纪委，每次查询记入审计日志，其他角色 403。
    """
    actor = require_actor()
    return queries.records_page(actor, full_ids.record_search(filter_mapping(args), actor), args)


@bp.route("/records/export.xlsx", methods=["GET"])
@allow(*READERS)
@errors(403, 404, 422)
@bp.arguments(RecordFilterArgs, location="query")
@bp.response(200, description="免罚记录 Excel", content_type=XLSX)
def export_record_list(args):
    """导出免罚记录 .xlsx（证件号脱敏，筛选条件同列表）"""
    actor = require_actor()
    query = queries.records_query(actor, full_ids.record_search(filter_mapping(args), actor))
    return xlsx_response(export_records(query), "leniency-records.xlsx")


@bp.route("/records/<int:record_id>", methods=["GET"])
@allow(*READERS)
@bp.response(200, LeniencyRecordOut, example=RECORD_ANSWER)
def get_record(record_id: int):
    """免罚记录详情（证件号脱敏）"""
    return queries.get_record(record_id, require_actor())


@bp.route("/records/<int:record_id>/party-id", methods=["GET"])
@allow(*FULL_ID_ROLES)
@bp.response(200, PartyIdOut)
def reveal_party_id(record_id: int):
    """查看完整证件号（每次查看均记入审计日志）"""
    record = queries.get_record(record_id, require_actor())
    return {"id": record.id, "party_id": full_ids.reveal_party_id(record)}


def _lifecycle(record_id: int, step, data, *extra):
    actor = require_actor()
    record = queries.get_record(record_id, actor)
    step(record, data, *extra)
    return record


@bp.route("/records/<int:record_id>/commitment", methods=["POST"])
@allow(OFFICER)
@errors(409)
@bp.arguments(LeniencyCommitmentIn)
@bp.response(200, LeniencyRecordOut)
def sign_commitment(data, record_id: int):
    """登记告知承诺书"""
    return _lifecycle(record_id, operations.sign_commitment, data)


@bp.route("/records/<int:record_id>/followup", methods=["POST"])
@allow(OFFICER)
@errors(409)
@bp.arguments(LeniencyFollowupIn)
@bp.response(200, LeniencyRecordOut)
def record_followup(data, record_id: int):
    """录入复查结果（passed 已改正 / failed 未改正）"""
    return _lifecycle(record_id, operations.record_followup, data, require_actor())


@bp.route("/records/<int:record_id>/review", methods=["POST"])
@allow(LEGAL)
@errors(409)
@bp.arguments(LeniencyReviewIn)
@bp.response(200, LeniencyRecordOut)
def review_held(data, record_id: int):
    """法制审核待审核的轻微不罚记录（approve=true 同意后生效；须写明理由 note）"""
    return _lifecycle(record_id, operations.review_held, data, require_actor())


@bp.route("/records/<int:record_id>/signoff", methods=["POST"])
@allow(LEGAL)
@errors(409)
@bp.arguments(LeniencySignoffIn)
@bp.response(200, LeniencyRecordOut)
def sign_off(data, record_id: int):
    """法制科审核"""
    return _lifecycle(record_id, operations.sign_off, data, require_actor())


@bp.route("/records/<int:record_id>/referral", methods=["POST"])
@allow(OFFICER, LEGAL)
@errors(409)
@bp.arguments(LeniencyReferralIn)
@bp.response(200, LeniencyRecordOut)
def refer(data, record_id: int):
    """转一般程序（复查未通过或拒签承诺书）"""
    return _lifecycle(record_id, operations.refer, data)


@bp.route("/records/<int:record_id>/close", methods=["POST"])
@allow(OFFICER, LEGAL)
@errors(409)
@bp.arguments(LeniencyCloseIn)
@bp.response(200, LeniencyRecordOut)
def close(data, record_id: int):
    """结案（需复查通过并经法制科审核）"""
    return _lifecycle(record_id, operations.close, data, require_actor())


@bp.route("/records/<int:record_id>/attachments", methods=["POST"])
@allow(OFFICER)
@errors(409)
@bp.arguments(LeniencyAttachmentUpload, location="files", content_type="multipart/form-data")
@bp.response(201, LeniencyAttachmentOut)
def add_attachment(data, record_id: int):
    """上传证据材料或告知承诺书（multipart：file，kind=evidence/commitment）"""
    actor = require_actor()
    record = queries.get_record(record_id, actor)
    file = data["file"]
    if not file.filename:
        raise ValidationFailed.field("file", "请选择要上传的文件（表单字段 file）")
    return attachments.add_attachment(record, data["kind"], file.filename, file.read(), actor)


@bp.route("/records/<int:record_id>/attachments/<int:attachment_id>", methods=["GET"])
@allow(*READERS)
@bp.response(200, description="附件原件", content_type="application/octet-stream")
def get_attachment(record_id: int, attachment_id: int):
    """下载附件"""
    record = queries.get_record(record_id, require_actor())
    attachment = queries.get_attachment(record, attachment_id)
    return attachments.send(attachment)


# Refusals and statistics -----------------------------------------------------------------------


@bp.route("/refusals", methods=["GET"])
@allow(LEGAL, DISCIPLINE, LEADER)
@errors(422)
@bp.paginated(LeniencyRefusalOut, RefusalArgs)
def list_refusals(args):
    """被拒绝的重复首违申请（from、to）"""
    period = periods.from_args(filter_mapping(args))
    return paginate(queries.refusals_query(period.start, period.end), args)
