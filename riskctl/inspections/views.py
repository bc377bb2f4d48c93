"""The overview and the item list, and helpers the other inspection pages share."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from marshmallow import ValidationError
from sqlalchemy import func, select

from riskctl.accounts.queries import units_tree, visible_unit_ids
from riskctl.accounts.roles import DISCIPLINE, LEADER, LEGAL, OFFICER
from riskctl.core.auth.policy import allow, current_actor
from riskctl.core.db import db
from riskctl.core.errors import AppError
from riskctl.core.listing import Listing, listing, related
from riskctl.inspections import operations, queries
from riskctl.inspections.forms import ItemEditForm, ItemForm
from riskctl.inspections.models import (
    PLAN_STATUSES,
    InspectionItem,
    Inspector,
    Plan,
    Target,
    Task,
)
from riskctl.inspections.schemas import InspectionItemInSchema, InspectionItemPatchSchema

bp = Blueprint("inspections", __name__, url_prefix="/inspections", template_folder="templates")

READERS = (LEGAL, LEADER, DISCIPLINE)
EVERYONE = (LEGAL, LEADER, DISCIPLINE, OFFICER)


def show_errors(form: FlaskForm, exc: AppError | ValidationError) -> None:
    """Put an operation's or a schema's messages next to the fields they name, else flash them."""
    details = exc.normalized_messages() if isinstance(exc, ValidationError) else exc.details
    unplaced = [
        m for name, messages in (details or {}).items() for m in _place(form, name, messages)
    ]
    if unplaced or not details:
        message = exc.message if isinstance(exc, AppError) else "；".join(unplaced)
        flash(message or "提交的数据有误，请按提示修改", "error")


def _place(form: FlaskForm, name: str, messages: Any) -> list[str]:
    """Attach ``messages`` to the field ``name``; return those that have no field to go to."""
    if isinstance(messages, dict) and name in ("ratios", "quotas"):
        # {"ratios": {"A": {"value": [...]}}} belongs next to the A-class ratio field.
        prefix = name[:-1]
        return [
            m
            for key, inner in messages.items()
            for m in _place(
                form,
                f"{prefix}_{key}",
                inner.get("value", inner) if isinstance(inner, dict) else inner,
            )
        ]
    texts = _flatten(messages)
    field = getattr(form, name, None)
    if field is None or not hasattr(field, "errors"):
        return texts
    field.errors = [*field.errors, *texts]
    return []


def _flatten(messages: Any) -> list[str]:
    if isinstance(messages, dict):
        return [m for v in messages.values() for m in _flatten(v)]
    return [str(m) for m in messages] if isinstance(messages, list) else [str(messages)]


def page_of(query, sorts: dict[str, Any], default: str, **options: Any) -> Listing:
    """One page of ``query`` in the order the reader chose (``core.listing``)."""
    return listing(query, sorts, default, **options)


# Sort keys shared by the lists of tasks (a plan's tasks, work lists, overdue results).
TASK_SORTS = {
    "plan": related(Plan.code, Plan.id, Task.plan_id),
    "position": Task.position,
    "target": related(Target.name, Target.id, Task.target_id),
    "inspected": Task.inspected_on,
    "result": Task.result_code,
    "due": Task.publish_due,
    "published": Task.published_at,
    "entered_by": Task.entered_by,
}


def visible_units():
    ids = visible_unit_ids(current_actor())
    return [u for u in units_tree() if ids is None or u.id in ids]


@bp.get("/")
@allow(*EVERYONE)
def index():
    counts = dict(db.session.execute(select(Plan.status, func.count()).group_by(Plan.status)).all())
    roster = {
        "targets": db.session.scalar(select(func.count()).where(Target.active.is_(True))),
        "inspectors": db.session.scalar(select(func.count()).where(Inspector.active.is_(True))),
    }
    overdue = db.session.scalar(
        select(func.count()).select_from(queries.overdue(current_actor()).subquery())
    )
    lst = page_of(
        queries.plans(request.args.get("status", ""), request.args.get("redraw", "")),
        {
            "code": Plan.code,
            "name": Plan.name,
            "status": Plan.status,
            "team_size": Plan.team_size,
            "created": Plan.created_at,
            "drawn": Plan.drawn_at,
        },
        "-created",
    )
    return render_template(
        "inspections/index.html",
        lst=lst,
        plans=lst.items,
        counts=counts,
        roster=roster,
        overdue=overdue,
        statuses=PLAN_STATUSES,
    )


# --- 随机抽查事项清单 ---------------------------------------------------------------


def _render_items(form: ItemForm, status: int = 200):
    return render_template(
        "inspections/items.html",
        lst=(
            lst := listing(
                queries.items(),
                {
                    "code": InspectionItem.code,
                    "name": InspectionItem.name,
                    "ratio": InspectionItem.ratio,
                    "frequency": InspectionItem.frequency,
                    "category": InspectionItem.category,
                    "active": InspectionItem.active,
                },
                "code",
            )
        ),
        items=lst.items,
        form=form,
        can_edit=current_actor().role == LEGAL,
    ), status


@bp.get("/items")
@allow(*EVERYONE)
def items():
    return _render_items(ItemForm())


@bp.post("/items")
@allow(LEGAL)
def create_item():
    form = ItemForm()
    if form.validate_on_submit():
        try:
            data = InspectionItemInSchema().load(
                {k: v for k, v in form.data.items() if k != "csrf_token"}
            )
            item = operations.create_item(data, current_actor().username)
        except (AppError, ValidationError) as exc:
            show_errors(form, exc)
        else:
            flash(f"已新增抽查事项 {item.code}", "success")
            return redirect(url_for(".items"))
    return _render_items(form, 422)


@bp.route("/items/<code>/edit", methods=["GET", "POST"])
@allow(LEGAL)
def edit_item(code: str):
    item = queries.item_by_code(code)
    form = ItemEditForm(obj=item)
    if request.method == "GET":
        form.ratio.data = str(item.ratio.normalize())
    elif form.validate_on_submit():
        try:
            data = InspectionItemPatchSchema().load(
                {k: v for k, v in form.data.items() if k not in ("csrf_token", "code")}
            )
            reason = data.pop("reason")
            operations.update_item(item, data, reason, current_actor().username)
        except (AppError, ValidationError) as exc:
            show_errors(form, exc)
        else:
            flash(f"已修改抽查事项 {item.code}", "success")
            return redirect(url_for(".items"))
    status = 422 if form.errors else 200
    return render_template("inspections/item_edit.html", item=item, form=form), status
