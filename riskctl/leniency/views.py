"""Pages of 首违不罚: the list, the on-the-spot record form, a record and its lifecycle."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from riskctl.accounts.queries import unit_order, units_tree, visible_unit_ids
from riskctl.accounts.roles import DISCIPLINE, LEADER, LEGAL, OFFICER
from riskctl.core import clock
from riskctl.core.auth.policy import allow, require_actor
from riskctl.core.errors import AppError
from riskctl.core.ids import IdError, mask_party_id, validate_party_id
from riskctl.core.listing import related
from riskctl.leniency import attachments, full_ids, operations, queries, rules
from riskctl.leniency.api import FULL_ID_ROLES, READERS, xlsx_response
from riskctl.leniency.exports import export_records
from riskctl.leniency.models import (
    ATTACHMENT_KINDS,
    LeniencyItem,
    LeniencyRecord,
    LeniencyRefusal,
)
from riskctl.leniency.pages import Failure, list_page, submit
from riskctl.leniency.party import KIND_LABELS
from riskctl.leniency.schemas import (
    LeniencyAttachmentIn,
    LeniencyCloseIn,
    LeniencyCommitmentIn,
    LeniencyFollowupIn,
    LeniencyRecordIn,
    LeniencyReferralIn,
    LeniencyReviewIn,
    LeniencySignoffIn,
    overdue_working_days,
)
from riskctl.leniency.stats import periods

# The columns a person may sort the records by (?sort=…).
RECORD_SORTS = {
    "id": LeniencyRecord.id,
    "occurred": LeniencyRecord.occurred_on,
    "unit": unit_order(LeniencyRecord.unit_id),
    "party": LeniencyRecord.party_name,
    "item": related(LeniencyItem.code, LeniencyItem.id, LeniencyRecord.item_id),
    "ground": LeniencyRecord.ground,
    "deadline": LeniencyRecord.correction_deadline,
    "status": LeniencyRecord.status,
}

bp = Blueprint("leniency", __name__, url_prefix="/leniency", template_folder="templates")


@bp.get("")
@allow(*READERS)
def records():
    actor = require_actor()
    try:
        flt = full_ids.record_search(request.args, actor)
    except AppError as exc:
        if exc.status == 403:
            raise
        flash(exc.message, "error")
        flt = queries.RecordFilter()
    query = queries.records_query(actor, flt)
    return list_page(
        "leniency/records.html",
        query,
        RECORD_SORTS,
        "-occurred",
        filters=flt,
        units=_units(actor),
        items=queries.all_items(),
        overdue_days=overdue_working_days,
        can_search_party=actor.role in FULL_ID_ROLES,
    )


@bp.get("/pending-review")
@allow(LEGAL)
def pending_review():
    """法制科 to-do: 轻微不罚 records held for review because of an earlier record."""
    actor = require_actor()
    flt = queries.RecordFilter(status=rules.PENDING_REVIEW)
    return list_page(
        "leniency/records.html",
        queries.records_query(actor, flt),
        RECORD_SORTS,
        "-occurred",
        filters=flt,
        units=_units(actor),
        items=queries.all_items(),
        overdue_days=overdue_working_days,
        can_search_party=True,
        heading="待法制审核的免罚记录",
    )


def _units(actor) -> list:
    visible = visible_unit_ids(actor)
    return [u for u in units_tree() if visible is None or u.id in visible]


@bp.get("/records.xlsx")
@allow(*READERS)
def export():
    actor = require_actor()
    query = queries.records_query(actor, full_ids.record_search(request.args, actor))
    return xlsx_response(export_records(query), "leniency-records.xlsx")


# The record form -------------------------------------------------------------------------


@bp.route("/new", methods=["GET", "POST"])
@allow(OFFICER)
def new_record():
    actor = require_actor()
    failure = None
    if request.method == "POST":
        record, failure = submit(
            LeniencyRecordIn(),
            lambda data: operations.record_leniency(data, actor),
            list_fields=("officers",),
        )
        if record is not None:
            flash(*_recorded_message(record))
            return redirect(url_for("leniency.record", record_id=record.id))
    page = render_template(
        "leniency/form.html",
        failure=failure,
        form=request.form,
        items=queries.all_items(active_only=True),
        units=_units(actor),
        officers=queries.roster_officers(visible_unit_ids(actor)),
        grounds=[(g, rules.GROUND_LABELS[g], rules.GROUND_WORDING[g]) for g in rules.GROUNDS],
        article=rules.ARTICLE_33,
        today=clock.today(),
    )
    return page, failure.status if failure else 200


def _recorded_message(record) -> tuple[str, str]:
    if record.status == rules.PENDING_REVIEW:
        return (
            f"免罚记录 #{record.id} 已保存为待法制审核：当事人在回溯期内就同一事项已有"
            f"免罚记录 #{record.review_prior_id}，法制科审核同意后才生效",
            "error",
        )
    deadline = record.correction_deadline
    return f"已录入免罚记录 #{record.id}，请在整改期限 {deadline} 后复查", "success"


@bp.post("/party-check")
@allow(OFFICER)
def party_check():
    """As the officer types: is this a valid 统一社会信用代码 or 身份证号? (no lookup)."""
    payload = request.get_json(silent=True) or {}
    raw = str(payload.get("party_id", ""))
    try:
        normalised, kind = validate_party_id(raw)
    except IdError as exc:
        return {"ok": False, "message": exc.message}
    return {
        "ok": True,
        "kind": kind,
        "message": f"{KIND_LABELS[kind]}，校验通过",
        "masked": mask_party_id(normalised),
    }


# A record and its lifecycle ------------------------------------------------------------------


def _detail(
    record_id: int,
    failure: Failure | None = None,
    failed_step: str | None = None,
    full_party_id: str | None = None,
):
    actor = require_actor()
    record = queries.get_record(record_id, actor)
    page = render_template(
        "leniency/detail.html",
        record=record,
        failure=failure,
        failed_step=failed_step,
        form=request.form if failure else {},
        full_party_id=full_party_id,
        overdue_days=overdue_working_days(record),
        kinds=ATTACHMENT_KINDS,
        kind_labels=KIND_LABELS,
        can_see_full=actor.role in FULL_ID_ROLES,
        ground_text=rules.ground_text(record.ground),
        today=clock.today(),
        names=queries.officer_names([*record.officer_numbers, record.followup_officer or ""]),
    )
    return page, failure.status if failure else 200


@bp.get("/records/<int:record_id>")
@allow(*READERS)
def record(record_id: int):
    return _detail(record_id)


def _step(record_id: int, name: str, schema, action, done: str):
    actor = require_actor()
    target = queries.get_record(record_id, actor)
    _, failure = submit(schema, lambda data: action(target, data, actor))
    if failure is not None:
        return _detail(record_id, failure, name)
    flash(done, "success")
    return redirect(url_for("leniency.record", record_id=record_id))


@bp.post("/records/<int:record_id>/commitment")
@allow(OFFICER)
def commitment(record_id: int):
    return _step(
        record_id,
        "commitment",
        LeniencyCommitmentIn(),
        lambda r, d, a: operations.sign_commitment(r, d),
        "已登记告知承诺书",
    )


@bp.post("/records/<int:record_id>/followup")
@allow(OFFICER)
def followup(record_id: int):
    return _step(
        record_id, "followup", LeniencyFollowupIn(), operations.record_followup, "已录入复查结果"
    )


@bp.post("/records/<int:record_id>/review")
@allow(LEGAL)
def review(record_id: int):
    return _step(
        record_id, "review", LeniencyReviewIn(), operations.review_held, "法制审核意见已记录"
    )


@bp.post("/records/<int:record_id>/signoff")
@allow(LEGAL)
def signoff(record_id: int):
    return _step(record_id, "signoff", LeniencySignoffIn(), operations.sign_off, "法制审核已完成")


@bp.post("/records/<int:record_id>/referral")
@allow(OFFICER, LEGAL)
def referral(record_id: int):
    return _step(
        record_id,
        "referral",
        LeniencyReferralIn(),
        lambda r, d, a: operations.refer(r, d),
        "已转一般程序",
    )


@bp.post("/records/<int:record_id>/close")
@allow(OFFICER, LEGAL)
def close(record_id: int):
    return _step(record_id, "close", LeniencyCloseIn(), operations.close, "已结案")


@bp.post("/records/<int:record_id>/attachments")
@allow(OFFICER)
def upload(record_id: int):
    file = request.files.get("file")
    filename, content = (file.filename or "", file.read()) if file else ("", b"")
    return _step(
        record_id,
        "attachment",
        LeniencyAttachmentIn(),
        lambda r, d, a: attachments.add_attachment(r, d["kind"], filename, content, a),
        "附件已上传",
    )


@bp.get("/records/<int:record_id>/attachments/<int:attachment_id>")
@allow(*READERS)
def attachment(record_id: int, attachment_id: int):
    target = queries.get_attachment(queries.get_record(record_id, require_actor()), attachment_id)
    return attachments.send(target)


@bp.post("/records/<int:record_id>/party-id")
@allow(*FULL_ID_ROLES)
def reveal(record_id: int):
    """Shows the full id once, on this response only; the view is audited."""
    target = queries.get_record(record_id, require_actor())
    return _detail(record_id, full_party_id=full_ids.reveal_party_id(target))


# Refused repeat attempts ----------------------------------------------------------------------


@bp.get("/refusals")
@allow(LEGAL, DISCIPLINE, LEADER)
def refusals():
    try:
        period = periods.from_args(request.args)
    except AppError as exc:
        flash(exc.message, "error")
        period = periods.from_args({})
    return list_page(
        "leniency/refusals.html",
        queries.refusals_query(period.start, period.end),
        {
            "occurred": LeniencyRefusal.occurred_on,
            "unit": unit_order(LeniencyRefusal.unit_id),
            "item": related(LeniencyItem.code, LeniencyItem.id, LeniencyRefusal.item_id),
            "attempted_by": LeniencyRefusal.attempted_by,
            "attempted": LeniencyRefusal.attempted_at,
        },
        "-attempted",
        period=period,
    )
