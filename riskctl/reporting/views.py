"""Report pages (季度报告): the issued versions with downloads and key figures; issuing."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from riskctl.accounts.queries import user_order
from riskctl.core import clock
from riskctl.core.auth.policy import allow, current_actor
from riskctl.core.db import db
from riskctl.core.errors import AppError, ValidationFailed
from riskctl.core.listing import listing
from riskctl.reporting import operations, queries
from riskctl.reporting.api import ISSUERS, READERS
from riskctl.reporting.content import figure_texts
from riskctl.reporting.downloads import data_response, pdf_response
from riskctl.reporting.models import QuarterlyReport
from riskctl.reporting.periods import NUMERALS, quarter_of

bp = Blueprint("reporting", __name__, url_prefix="/reports", template_folder="templates")


@bp.context_processor
def _helpers() -> dict:
    return {"figure_texts": figure_texts}


class IssueForm(FlaskForm):
    year = IntegerField(
        "年份",
        validators=[InputRequired(message="请填写年份")],
        invalid_value_message="年份须为整数，如 2026",
    )
    quarter = SelectField(
        "季度",
        coerce=int,
        invalid_choice_message="请从列表中选择季度",
        choices=[SelectChoice(n, f"第{NUMERALS[n - 1]}季度") for n in range(1, 5)],
    )


def _issue_form() -> IssueForm:
    form = IssueForm()
    if not form.is_submitted():
        # Reports are usually issued for the quarter just ended.
        last = quarter_of(clock.today()).previous()
        form.year.data, form.quarter.data = last.year, last.number
    return form


def _render_index(form: IssueForm, status: int = 200):
    query = queries.reports_query()
    lst = listing(
        query,
        {
            "quarter": (QuarterlyReport.year, QuarterlyReport.quarter),
            "version": QuarterlyReport.version,
            "as_of": QuarterlyReport.as_of,
            "issued": QuarterlyReport.issued_at,
            "issued_by": user_order(QuarterlyReport.issued_by),
            "size": QuarterlyReport.size,
        },
        "",  # unsorted: newest quarter, newest version first
    )
    latest = db.session.scalar(query.limit(1))
    return render_template(
        "reporting/index.html",
        lst=lst,
        reports=lst.items,
        latest=latest,
        form=form,
        can_issue=current_actor().role in ISSUERS,
    ), status


@bp.get("/")
@allow(*READERS)
def index():
    return _render_index(_issue_form())


@bp.post("/issue")
@allow(*ISSUERS)
def issue():
    form = _issue_form()
    if not form.validate_on_submit():
        return _render_index(form, 422)
    try:
        report = operations.issue_report(form.year.data, form.quarter.data, current_actor())
    except ValidationFailed as exc:
        field = form.year if "year" in exc.details else form.quarter
        field.errors = [*field.errors, exc.message]
        return _render_index(form, 422)
    except AppError as exc:
        flash(exc.message, "error")
        return _render_index(form, exc.status)
    flash(f"已签发{report.label}，SHA-256：{report.sha256}", "success")
    return redirect(url_for(".report", report_id=report.id))


@bp.get("/<int:report_id>")
@allow(*READERS)
def report(report_id: int):
    found = queries.report_by_id(report_id)
    versions = db.session.scalars(
        queries.reports_query().where(
            QuarterlyReport.year == found.year, QuarterlyReport.quarter == found.quarter
        )
    ).all()
    return render_template("reporting/report.html", report=found, versions=versions)


@bp.get("/<int:report_id>.pdf")
@allow(*READERS)
def download(report_id: int):
    found = queries.report_by_id(report_id)
    response = pdf_response(found)
    operations.record_download(found, current_actor(), "pdf")
    return response


@bp.get("/<int:report_id>.xlsx")
@allow(*READERS)
def download_data(report_id: int):
    found = queries.report_by_id(report_id)
    response = data_response(found)
    operations.record_download(found, current_actor(), "xlsx")
    return response
