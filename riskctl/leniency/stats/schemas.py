"""The statistics answer and its query."""

from __future__ import annotations

from marshmallow import fields

from riskctl.core.schema import BaseSchema, OutSchema, Text


class StatsArgs(BaseSchema):
    """``from``+``to`` or ``year``+``quarter``; neither: the current quarter."""

    QUERY_ERROR_STATUS = 422  # a bad date has always been a broken rule (422) here

    from_ = Text(
        data_key="from", load_default="", max_length=10, metadata={"description": "开始日期"}
    )
    to = Text(load_default="", max_length=10, metadata={"description": "结束日期"})
    year = Text(load_default="", max_length=4, metadata={"description": "年份", "example": "2026"})
    quarter = Text(load_default="", max_length=1, metadata={"description": "季度 1–4"})


class PeriodOut(OutSchema):
    from_ = fields.String(data_key="from", attribute="from", metadata={"format": "date"})
    to = fields.String(metadata={"format": "date"})


class CountOut(OutSchema):
    key = fields.String()
    label = fields.String()
    total = fields.Integer()
    first_offence = fields.Integer()
    minor = fields.Integer()


class CorrectionOut(OutSchema):
    passed = fields.Integer()
    failed = fields.Integer()
    pending = fields.Integer()
    overdue = fields.Integer()
    rate = fields.Float(allow_none=True, metadata={"description": "复查通过率；尚无复查时为 null"})


class RefusedOut(OutSchema):
    unit = fields.String()
    unit_name = fields.String()
    count = fields.Integer()


class RateOut(OutSchema):
    key = fields.String()
    label = fields.String()
    decisions = fields.Integer()
    officers = fields.Integer()
    rate = fields.Float()
    ratio = fields.Float(allow_none=True, metadata={"description": "与全局中位数之比"})
    flagged = fields.Boolean()


class RateTableOut(OutSchema):
    median = fields.Float(allow_none=True)
    rows = fields.List(fields.Nested(RateOut))


class RepeatOut(OutSchema):
    officer = fields.String()
    party_masked = fields.String()
    decisions = fields.Integer()
    record_ids = fields.List(fields.Integer())


class LeniencyStatsOut(OutSchema):
    period = fields.Nested(PeriodOut)
    total = fields.Integer()
    first_offence = fields.Integer()
    minor = fields.Integer()
    items = fields.List(fields.Nested(CountOut))
    units = fields.List(fields.Nested(CountOut))
    officers = fields.List(fields.Nested(CountOut))
    correction = fields.Nested(CorrectionOut)
    refused = fields.Integer()
    refused_by_unit = fields.List(fields.Nested(RefusedOut))
    unit_rates = fields.Nested(RateTableOut)
    officer_rates = fields.Nested(RateTableOut)
    repeats = fields.List(fields.Nested(RepeatOut))
