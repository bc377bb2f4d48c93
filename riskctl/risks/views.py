"""Pages of the register for the discipline committee (list, detail, forms, heat map, quality)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from marshmallow import ValidationError as SchemaError
from sqlalchemy import select
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from riskctl.accounts.models import Unit, User
from riskctl.accounts.queries import visible_unit_ids
from riskctl.core import clock
from riskctl.core.auth.policy import allow, current_actor
from riskctl.core.db import db
from riskctl.core.errors import AppError
from riskctl.core.listing import listing
from riskctl.risks import exports, operations, queries
from riskctl.risks.access import READERS, WRITERS
from riskctl.risks.filters import OVERDUE_CHOICES, STATUS_CHOICES, RiskFilter, list_query
from riskctl.risks.forms import form_payload, point_form, show_errors
from riskctl.risks.models import (
    ACTION_LABELS,
    ACTIVE,
    FIELD_LABELS,
    MEASURE_STATUSES,
    POWERS,
    STAGES,
    STATUS_LABELS,
    RiskPoint,
    RiskPointVersion,
)
from riskctl.risks.options import current_matrix, current_style, review_intervals
from riskctl.risks.rules import LEVELS, level_label
from riskctl.risks.schemas import RiskPointIn, RiskPointPatch, RiskReviewIn
from riskctl.risks.spreadsheet import format_measure

bp = Blueprint("risks", __name__, url_prefix="/risks", template_folder="templates")


class ReviewForm(FlaskForm):
    note = TextAreaField("评估意见", validators=[InputRequired(message="请填写评估意见")])
    reviewed_on = StringField("评估日期", render_kw={"type": "date"})
    likelihood = SelectField("重新评定可能性", choices=[], validate_choice=False)
    impact = SelectField("重新评定影响程度", choices=[], validate_choice=False)


class RetireForm(FlaskForm):
    reason = StringField("停用原因", validators=[InputRequired(message="请填写停用原因")])


def _visible() -> list[int] | None:
    return visible_unit_ids(current_actor())


def _units() -> list[Unit]:
    query = select(Unit).order_by(Unit.path)
    visible = _visible()
    if visible is not None:
        query = query.where(Unit.id.in_(visible))
    return list(db.session.scalars(query))


def common_context() -> dict[str, Any]:
    matrix, style, intervals = current_matrix(), current_style(), review_intervals()
    actor = current_actor()
    return {
        "intervals": intervals,
        "intervals_text": "、".join(
            f"{level_label(lv, style)}风险 {intervals[lv]} 天" for lv in LEVELS
        ),
        "matrix": matrix,
        "style": style,
        "today": clock.today(),
        "can_edit": actor is not None and actor.role in WRITERS,
        "level_of": lambda p: matrix.level(p.likelihood, p.impact),
        "label_of": lambda level: level_label(level, style),
        "levels": LEVELS,
        "status_labels": STATUS_LABELS,
        "measure_statuses": MEASURE_STATUSES,
    }


@bp.app_template_filter("risk_value")
def risk_value(value: Any, field: str) -> str:
    """A field's value in a version, as a person reads it."""
    if value in (None, "", []):
        return "—"
    if field == "measures":
        return "\n".join(format_measure(m) for m in value)
    if field == "status":
        return STATUS_LABELS.get(value, value)
    if field == "level":
        return level_label(value, current_style())
    if field == "unit":
        name = db.session.scalar(select(Unit.name).where(Unit.code == str(value)))
        return name or str(value)
    return str(value)


def overdue_card(user: User) -> tuple[int, str] | None:
    """Home card: overdue reviews plus overdue measures the user may see."""
    if user.role not in READERS:
        return None
    reviews, measures = queries.overdue_counts(clock.today(), visible_unit_ids(user))
    # The quality check filtered to the overdue kind there is (both: the whole check).
    rule = "review_overdue" if not measures else "measure_overdue" if not reviews else ""
    return reviews + measures, ("risks.quality", {"rule": rule} if rule else {})


@bp.get("/")
@allow(*READERS)
def index():
    flt = RiskFilter.from_args(request.args)
    lst = listing(
        list_query(flt, _visible(), clock.today()),
        {
            "id": RiskPoint.id,
            "unit": Unit.path,
            "post": RiskPoint.post,
            "power": (RiskPoint.power, RiskPoint.stage),
            "title": RiskPoint.title,
            "level": queries.level_rank(),
            "responsible": RiskPoint.responsible,
            "next_review": RiskPoint.next_review,
            "status": RiskPoint.status,
        },
        "unit",
        tiebreak=(RiskPoint.post, RiskPoint.id),
        ignore=("status",) if request.args.get("status") == ACTIVE else (),
    )
    return render_template(
        "risks/list.html",
        lst=lst,
        flt=flt,
        units=_units(),
        overdue_choices=OVERDUE_CHOICES,
        status_choices=STATUS_CHOICES,
        **common_context(),
    )


@bp.get("/export.xlsx")
@allow(*READERS)
def export():
    return exports.xlsx_response(RiskFilter.from_args(request.args), _visible())


def _detail(
    point: RiskPoint,
    status: int = 200,
    review: ReviewForm | None = None,
    retire: RetireForm | None = None,
):
    versions = listing(  # paged on their own (?versions_page=), newest first
        queries.history_query(point),
        {"number": RiskPointVersion.number},
        "-number",
        prefix="versions_",
        per_page=20,
    )
    review = review or ReviewForm(formdata=None)
    scale = [SelectChoice("", "（不变）")]
    scale += [SelectChoice(str(n)) for n in range(1, current_matrix().size + 1)]
    review.likelihood.choices = review.impact.choices = scale
    return render_template(
        "risks/detail.html",
        point=point,
        versions=versions,
        review_form=review,
        retire_form=retire or RetireForm(formdata=None),
        action_labels=ACTION_LABELS,
        field_labels=FIELD_LABELS,
        **common_context(),
    ), status


@bp.get("/<int:point_id>")
@allow(*READERS)
def detail(point_id: int):
    return _detail(queries.point_or_404(point_id, _visible()))


def _render_form(form, point: RiskPoint | None, status: int = 200):
    return render_template(
        "risks/form.html", form=form, point=point, powers=POWERS, stages=STAGES, **common_context()
    ), status


def _save(form, point: RiskPoint | None, save):
    """Run ``save(payload)``; on bad input show the messages next to the fields (422/409)."""
    payload, rows = form_payload(form)
    try:
        saved = save(payload)
    except SchemaError as exc:
        show_errors(form, exc.normalized_messages(), rows)
        flash("提交的内容有误，请按红色提示修改", "error")
        return _render_form(form, point, 422)
    except AppError as exc:
        show_errors(form, exc.details, rows)
        flash(exc.message, "error")
        return _render_form(form, point, exc.status)
    return saved


@bp.route("/new", methods=["GET", "POST"])
@allow(*WRITERS)
def create():
    form = point_form(_units(), current_matrix())
    if not form.is_submitted():
        return _render_form(form, None)

    def save(payload: dict[str, Any]):
        point = operations.create_point(RiskPointIn().load(payload))
        flash(f"已登记风险点 #{point.id}“{point.title}”", "success")
        return redirect(url_for(".detail", point_id=point.id))

    return _save(form, None, save)


@bp.route("/<int:point_id>/edit", methods=["GET", "POST"])
@allow(*WRITERS)
def edit(point_id: int):
    point = queries.point_or_404(point_id, _visible())
    form = point_form(_units(), current_matrix(), point)
    if not form.is_submitted():
        if point.status != ACTIVE:
            flash("该风险点已停用，不能修改", "error")
            return redirect(url_for(".detail", point_id=point.id))
        return _render_form(form, point)

    def save(payload: dict[str, Any]):
        data = RiskPointPatch().load(payload)
        locked = queries.point_for_update(point_id)
        operations.change_point(
            locked, data, data.pop("reason"), expected_version=data.pop("version")
        )
        flash(f"已保存为第 {locked.version} 版", "success")
        return redirect(url_for(".detail", point_id=point_id))

    return _save(form, point, save)


@bp.post("/<int:point_id>/review")
@allow(*WRITERS)
def review(point_id: int):
    point = queries.point_or_404(point_id, _visible())
    form = ReviewForm()
    payload = {"note": form.note.data or "", "reviewed_on": form.reviewed_on.data or None}
    for name in ("likelihood", "impact"):
        value = (form[name].data or "").strip()
        payload[name] = int(value) if value.isdigit() else None
    try:
        data = RiskReviewIn().load(payload)
        operations.record_review(queries.point_for_update(point_id), data.pop("note"), **data)
    except SchemaError as exc:
        return _form_failed(point, form, exc.normalized_messages(), "review")
    except AppError as exc:
        return _form_failed(point, form, exc.details, "review", exc.message, exc.status)
    flash(f"已记录评估，下次评估日期为 {point.next_review.isoformat()}", "success")
    return redirect(url_for(".detail", point_id=point_id))


@bp.post("/<int:point_id>/retire")
@allow(*WRITERS)
def retire(point_id: int):
    point = queries.point_or_404(point_id, _visible())
    form = RetireForm()
    try:
        operations.retire_point(queries.point_for_update(point_id), form.reason.data)
    except AppError as exc:
        return _form_failed(point, form, exc.details, "retire", exc.message, exc.status)
    flash("风险点已停用；其全部版本仍可查阅", "success")
    return redirect(url_for(".detail", point_id=point_id))


def _form_failed(
    point: RiskPoint,
    form,
    errors: dict[str, Any],
    which: str,
    message: str = "提交的内容有误，请按红色提示修改",
    status: int = 422,
):
    for name, messages in errors.items():
        if name in form and isinstance(messages, list):
            form[name].errors = list(messages)
    flash(message, "error")
    return _detail(point, status, **{which: form})


@bp.get("/heatmap")
@allow(*READERS)
def heatmap():
    unit = request.args.get("unit", "").strip()
    visible = _visible()
    by_unit: dict[str, dict[str, Any]] = {}
    for row in queries.counts_by_level_and_unit(visible):
        entry = by_unit.setdefault(row.unit_code, {"name": row.unit_name, "total": 0})
        entry[row.level] = row.count
        entry["total"] += row.count
    return render_template(
        "risks/heatmap.html",
        unit=unit,
        units=_units(),
        by_unit=by_unit,
        heat=queries.heat_map(unit or None, visible),
        **common_context(),
    )


@bp.get("/quality")
@allow(*READERS)
def quality():
    rule = request.args.get("rule", "").strip()
    if rule not in queries.QUALITY_RULES:
        rule = ""
    today, visible = clock.today(), _visible()
    counts = queries.quality_counts(today, visible)
    query = queries.quality_query(today, visible, rule)
    sorts, own_order = queries.quality_sorting(query)
    lst = listing(query, sorts, "", tiebreak=own_order, rows=True)
    lst.items = queries.quality_rows(lst.items, today)
    return render_template(
        "risks/quality.html",
        lst=lst,
        items=lst.items,
        counts=counts,
        rule=rule,
        rules=queries.QUALITY_RULES,
        **common_context(),
    )
