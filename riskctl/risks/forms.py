"""Web forms of the register. They render and carry the CSRF token; the rules live in the
marshmallow schemas the API uses, so a page and the API refuse the same input alike."""

from __future__ import annotations

from typing import Any

from flask import request
from flask_wtf import FlaskForm
from wtforms import (
    FieldList,
    Form,
    FormField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from riskctl.accounts.models import Unit
from riskctl.risks.models import CATEGORIES, MEASURE_STATUSES, RiskPoint
from riskctl.risks.rules import Matrix

# Only marks the fields as required (an asterisk and the browser's own check); the
# server-side check is the schema's.
_REQUIRED = [InputRequired(message="此项为必填项")]
_DATE = {"type": "date"}
BLANK_MEASURES = 2
POINT_FIELDS = (
    "unit",
    "post",
    "power",
    "stage",
    "title",
    "description",
    "category",
    "likelihood",
    "impact",
    "responsible",
    "supervisor",
    "indicator",
)


class MeasureForm(Form):
    text = StringField("措施内容", render_kw={"placeholder": "清空内容即删除该条措施"})
    owner = StringField("责任人")
    deadline = StringField("完成时限", render_kw=_DATE)
    status = SelectField(
        "状态",
        choices=[SelectChoice(k, v) for k, v in MEASURE_STATUSES.items()],
        validate_choice=False,
    )


class PointForm(FlaskForm):
    unit = SelectField("单位", choices=[], validate_choice=False, validators=_REQUIRED)
    post = StringField("岗位", validators=_REQUIRED, render_kw={"placeholder": "如：现场执法岗"})
    power = StringField(
        "职权", validators=_REQUIRED, render_kw={"list": "powers", "placeholder": "如：行政处罚"}
    )
    stage = StringField(
        "环节",
        validators=_REQUIRED,
        render_kw={"list": "stages", "placeholder": "受理/承办/审查/决定/执行"},
    )
    title = StringField("风险点", validators=_REQUIRED)
    description = TextAreaField("表现形式")
    category = SelectField(
        "风险类别",
        choices=[SelectChoice("", "（请选择）"), *(SelectChoice(c) for c in CATEGORIES)],
        validate_choice=False,
    )
    likelihood = SelectField("可能性", choices=[], validate_choice=False, validators=_REQUIRED)
    impact = SelectField("影响程度", choices=[], validate_choice=False, validators=_REQUIRED)
    measures = FieldList(FormField(MeasureForm))
    responsible = StringField("责任人")
    supervisor = StringField("责任领导")
    indicator = TextAreaField("监测指标")
    next_review = StringField("下次评估日期", render_kw=_DATE)


class EditPointForm(PointForm):
    reason = StringField(
        "修改原因", validators=_REQUIRED, render_kw={"placeholder": "如：年度廉政风险排查后调整"}
    )
    version = HiddenField()


def point_form(units: list[Unit], matrix: Matrix, point: RiskPoint | None = None) -> PointForm:
    """The create form, or the edit form of ``point``: filled from it on GET, from the post else."""
    form_class = PointForm if point is None else EditPointForm
    form = form_class(
        data=_initial(point) if point is not None and request.method == "GET" else None
    )
    form.unit.choices = [SelectChoice("", "（请选择单位）")] + [
        SelectChoice(u.code, "　" * (u.path.count("/") - 2) + u.name) for u in units
    ]
    scale = [SelectChoice(str(n)) for n in range(1, matrix.size + 1)]
    form.likelihood.choices = form.impact.choices = scale
    if not form.is_submitted():
        for _ in range(BLANK_MEASURES):
            form.measures.append_entry()
    return form


def _initial(point: RiskPoint) -> dict[str, Any]:
    data: dict[str, Any] = {name: getattr(point, name) for name in POINT_FIELDS if name != "unit"}
    data.update(
        unit=point.unit.code,
        version=point.version,
        likelihood=str(point.likelihood),
        impact=str(point.impact),
        next_review=point.next_review.isoformat(),
        measures=[
            {**m.as_dict(), "deadline": m.as_dict()["deadline"] or ""} for m in point.measures
        ],
    )
    return data


def form_payload(form: PointForm) -> tuple[dict[str, Any], list[int]]:
    """The form as the API's JSON, and which measure row each loaded measure came from."""
    payload: dict[str, Any] = {name: form[name].data or "" for name in POINT_FIELDS}
    for name in ("likelihood", "impact"):
        value = payload[name].strip()
        payload[name] = int(value) if value.isdigit() else value
    payload["next_review"] = form.next_review.data or None
    if isinstance(form, EditPointForm):
        version = (form.version.data or "").strip()
        payload["reason"] = form.reason.data or ""
        payload["version"] = int(version) if version.isdigit() else None
    rows, measures = [], []
    for index, entry in enumerate(form.measures.entries):
        if (entry.form.text.data or "").strip():
            rows.append(index)
            measures.append(
                {
                    "text": entry.form.text.data,
                    "owner": entry.form.owner.data or "",
                    "deadline": entry.form.deadline.data or None,
                    "status": entry.form.status.data or "planned",
                }
            )
    payload["measures"] = measures
    return payload, rows


def show_errors(form: PointForm, errors: dict[str, Any], rows: list[int]) -> None:
    """Put schema or operation errors next to the fields they name."""
    for name, messages in errors.items():
        if name == "measures" and isinstance(messages, dict):
            for index, fields in messages.items():
                entry = form.measures.entries[rows[int(index)]]
                for sub, sub_messages in fields.items():
                    if sub in entry.form:
                        entry.form[sub].errors = list(sub_messages)
        elif name in form and isinstance(messages, list):
            form[name].errors = list(messages)
