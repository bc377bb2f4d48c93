"""Input and output shapes of the report API."""

from __future__ import annotations

from typing import Any

from flask import url_for
from marshmallow import fields

from riskctl.core.api import PageArgs, QueryInteger
from riskctl.core.schema import BaseSchema, OutSchema, computed
from riskctl.reporting.models import QuarterlyReport


class IssueSchema(BaseSchema):
    """``{"year": 2026, "quarter": 4}``; the range is checked when issuing (422 with the field)."""

    year = fields.Integer(required=True, strict=True, metadata={"example": 2026})
    quarter = fields.Integer(required=True, strict=True, metadata={"example": 4})


def pdf_url(report: Any) -> str:
    return url_for(
        "reporting_api.download_version",
        year=report.year,
        quarter=report.quarter,
        version=report.version,
    )


def xlsx_url(report: Any) -> str:
    return url_for(
        "reporting_api.download_data",
        year=report.year,
        quarter=report.quarter,
        version=report.version,
    )


class ReportSchema(OutSchema):
    """An issued version as lists show it."""

    class Meta:
        model = QuarterlyReport

    id = fields.Integer()
    year = fields.Integer()
    quarter = fields.Integer()
    version = fields.Integer()
    label = fields.String()
    as_of = fields.Date()
    sha256 = fields.String()
    size = fields.Integer()
    font_embedded = fields.Boolean()
    issued_on = fields.Date()
    issued_at = fields.DateTime()
    issued_by = fields.String()
    pdf = computed(pdf_url)
    xlsx = computed(xlsx_url)


class ReportDetailSchema(ReportSchema):
    """One version with its key figures (主要指标) and their change from the previous quarter."""

    summary = computed(
        lambda report: report.snapshot["summary"],
        dict,
        many=True,
        metadata={"description": "主要指标"},
    )


class ReportListArgs(PageArgs):
    year = QueryInteger(1, 9999, load_default=None, metadata={"description": "年份"})


class VersionArgs(BaseSchema):
    version = QueryInteger(
        1, 2**31 - 1, load_default=None, metadata={"description": "报告版本号（缺省为最新）"}
    )
