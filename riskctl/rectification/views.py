"""Ledger pages (整改台账): list with filters and colours, an item with its actions."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from marshmallow import ValidationError
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from riskctl.accounts.queries import unit_order, units_tree, visible_unit_ids
from riskctl.accounts.roles import DISCIPLINE, LEADER, LEGAL, OFFICER
from riskctl.core import clock
from riskctl.core.auth.policy import allow, current_actor
from riskctl.core.errors import AppError
from riskctl.core.listing import listing
from riskctl.rectification import attachments, operations, queries
from riskctl.rectification.api import filters_from
from riskctl.rectification.forms import (
    AttachmentForm,
    CloseForm,
    EvidenceForm,
    ItemForm,
    ReopenForm,
)
from riskctl.rectification.models import (
    COLOURS,
    SOURCES,
    STATUSES,
    RectificationAttachment,
    RectificationEvent,
    RectificationItem,
)

bp = Blueprint("rectification", __name__, url_prefix="/rectification", template_folder="templates")

READERS = (LEGAL, DISCIPLINE, LEADER, OFFICER)
MANAGERS = (LEGAL, DISCIPLINE)


def _units():
    ids = visible_unit_ids(current_actor())
    return [u for u in units_tree() if ids is None or u.id in ids]


@bp.get("/")
@allow(*READERS)
def ledger():
    today = clock.today()
    user = current_actor()
    problems: dict = {}
    try:
        filters = filters_from(request.args)
    except (ValidationError, AppError) as exc:
        problems = exc.normalized_messages() if isinstance(exc, ValidationError) else exc.details
        filters = {}
    query = queries.items_query(user, today, **filters)
    lst = listing(
        query,
        {
            "id": RectificationItem.id,
            "title": RectificationItem.title,
            "source": RectificationItem.source,
            "unit": unit_order(RectificationItem.unit_id),
            "owner": RectificationItem.owner,
            "deadline": RectificationItem.deadline,
            "status": RectificationItem.status,
        },
        "",  # unsorted: the ledger's own order (open items first, nearest deadline first)
    )
    return render_template(
        "rectification/ledger.html",
        lst=lst,
        items=lst.items,
        colour=queries.colourer(today),
        counts=queries.colour_counts(today, visible_unit_ids(user)),
        units=_units(),
        sources=SOURCES,
        statuses=STATUSES,
        colours=COLOURS,
        problems=problems,
        can_manage=user.role in MANAGERS,
        today=today,
    )


def _render_item(item: RectificationItem, **forms):
    user = current_actor()
    forms.setdefault("evidence_form", EvidenceForm(prefix="evidence"))
    forms.setdefault("attachment_form", AttachmentForm(prefix="attachment"))
    forms.setdefault("close_form", CloseForm(prefix="close"))
    forms.setdefault("reopen_form", ReopenForm(prefix="reopen"))
    return render_template(
        "rectification/item.html",
        item=item,
        colour=queries.colour(item, clock.today()),
        colours=COLOURS,
        can_manage=user.role in MANAGERS,
        can_add_evidence=user.role in (*MANAGERS, OFFICER),
        # The item's own tables sort and page apart (?events_page=, ?files_sort=…).
        files=listing(
            select(RectificationAttachment).where(RectificationAttachment.item_id == item.id),
            {
                "name": RectificationAttachment.filename,
                "size": RectificationAttachment.size,
                "by": RectificationAttachment.uploaded_by,
                "at": RectificationAttachment.uploaded_at,
            },
            "at",
            prefix="files_",
            per_page=20,
        ),
        events=listing(
            select(RectificationEvent).where(RectificationEvent.item_id == item.id),
            {
                "at": RectificationEvent.at,
                "kind": RectificationEvent.kind,
                "actor": RectificationEvent.actor,
            },
            "at",
            prefix="events_",
            per_page=20,
        ),
        **forms,
    )


@bp.get("/<int:item_id>")
@allow(*READERS)
def item(item_id: int):
    return _render_item(queries.item_for(item_id, current_actor()))


@bp.post("/<int:item_id>/evidence")
@allow(LEGAL, DISCIPLINE, OFFICER)
def add_evidence(item_id: int):
    item = queries.item_for(item_id, current_actor())
    form = EvidenceForm(prefix="evidence")
    if not form.validate_on_submit():
        return _render_item(item, evidence_form=form), 422
    operations.add_evidence(item, form.text.data, current_actor())
    flash("已补充整改佐证", "success")
    return redirect(url_for(".item", item_id=item.id))


@bp.post("/<int:item_id>/attachments")
@allow(LEGAL, DISCIPLINE, OFFICER)
def add_attachment(item_id: int):
    item = queries.item_for(item_id, current_actor())
    form = AttachmentForm(prefix="attachment")
    if not form.validate_on_submit():
        return _render_item(item, attachment_form=form), 422
    upload = form.file.data
    try:
        attachments.add_attachment(item, upload.filename or "", upload.read(), current_actor())
    except AppError as exc:
        form.file.errors = [exc.message]
        return _render_item(item, attachment_form=form), exc.status
    flash("佐证文件已上传", "success")
    return redirect(url_for(".item", item_id=item.id))


@bp.get("/<int:item_id>/attachments/<int:attachment_id>")
@allow(*READERS)
def attachment(item_id: int, attachment_id: int):
    return attachments.send(queries.item_for(item_id, current_actor()), attachment_id)


@bp.post("/<int:item_id>/close")
@allow(*MANAGERS)
def close(item_id: int):
    item = queries.item_for(item_id, current_actor())
    form = CloseForm(prefix="close")
    if not form.validate_on_submit():
        return _render_item(item, close_form=form), 422
    operations.close_item(item, form.note.data, actor=current_actor())
    flash(f"整改事项 {item.id} 已销号", "success")
    return redirect(url_for(".item", item_id=item.id))


@bp.post("/<int:item_id>/reopen")
@allow(*MANAGERS)
def reopen(item_id: int):
    item = queries.item_for(item_id, current_actor())
    form = ReopenForm(prefix="reopen")
    if not form.validate_on_submit():
        return _render_item(item, reopen_form=form), 422
    operations.reopen_item(item, form.reason.data, form.deadline_days.data, current_actor())
    flash(f"整改事项 {item.id} 已重新打开", "success")
    return redirect(url_for(".item", item_id=item.id))


@bp.route("/new", methods=["GET", "POST"])
@allow(*MANAGERS)
def new_item():
    form = ItemForm()
    form.unit.choices = [SelectChoice(u.code, f"{u.name}（{u.code}）") for u in units_tree()]
    if form.validate_on_submit():
        unit = next(u for u in units_tree() if u.code == form.unit.data)
        item = operations.open_item(
            form.source.data,
            form.source_ref.data,
            form.title.data,
            unit.id,
            form.owner.data,
            form.deadline_days.data,
            form.detail.data or "",
            current_actor(),
        )
        flash(f"已登记整改事项 {item.id}，整改期限 {item.deadline.isoformat()}", "success")
        return redirect(url_for(".item", item_id=item.id))
    status = 422 if form.is_submitted() else 200
    return render_template("rectification/new.html", form=form), status
