"""Input and output shapes of the ledger API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_smorest.fields import Upload
from marshmallow import Schema, fields, validate

from riskctl.core import clock
from riskctl.core.api import PageArgs
from riskctl.core.schema import BaseSchema, OutSchema, Text, computed
from riskctl.rectification.models import (
    COLOURS,
    SOURCES,
    STATUSES,
    RectificationAttachment,
    RectificationEvent,
    RectificationItem,
)

_DAYS = validate.Range(min=1, max=250, error="须为 1 到 250 之间的整数（工作日）")


class ItemCreateSchema(BaseSchema):
    source = fields.String(
        required=True,
        validate=validate.OneOf(list(SOURCES), error="来源须为 " + "、".join(SOURCES) + " 之一"),
    )
    source_ref = Text(required=True, max_length=120)
    title = Text(required=True, max_length=200)
    detail = Text(load_default="", max_length=4000)
    unit = Text(required=True, max_length=40)
    owner = Text(load_default=None, allow_none=True, max_length=60)
    deadline_days = fields.Integer(load_default=None, allow_none=True, validate=_DAYS)


class CloseSchema(BaseSchema):
    note = Text(required=True, max_length=2000)
    evidence = Text(load_default="", max_length=2000)


class ReopenSchema(BaseSchema):
    reason = Text(required=True, max_length=2000)
    deadline_days = fields.Integer(load_default=None, allow_none=True, validate=_DAYS)


class EvidenceSchema(BaseSchema):
    text = Text(required=True, max_length=2000)


class EventSchema(OutSchema):
    class Meta:
        model = RectificationEvent

    kind = fields.String()
    note = fields.String()
    at = fields.DateTime()
    actor = fields.String()


class ItemSchema(OutSchema):
    """An item as the API shows it; ``colour`` is computed for the day of the request."""

    class Meta:
        model = RectificationItem

    id = fields.Integer()
    source = fields.String(metadata={"enum": list(SOURCES)})
    source_ref = fields.String()
    title = fields.String()
    detail = fields.String()
    unit = computed(lambda item: item.unit.code)
    unit_name = computed(lambda item: item.unit.name)
    owner = fields.String()
    opened_on = fields.Date()
    deadline_days = fields.Integer()
    deadline = fields.Date()
    deadline_provisional = fields.Boolean()
    status = fields.String(metadata={"enum": list(STATUSES)})
    colour = computed("get_colour", metadata={"enum": list(COLOURS)})
    evidence = fields.String()
    closing_note = fields.String()
    closed_at = fields.DateTime()
    closed_by = fields.String()
    created_by = fields.String()

    def __init__(self, colourer: Callable[[Any], str] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.colourer = colourer

    def get_colour(self, item: Any) -> str:
        if self.colourer is not None:
            return self.colourer(item)
        # Built without one (the API's response schema, kept for the process): today's,
        # rebuilt when the day changes.
        from riskctl.rectification.queries import colourer

        today = clock.today()
        if getattr(self, "_colourer_day", None) != today:
            self._colourer_day, self._today_colourer = today, colourer(today)
        return self._today_colourer(item)


class AttachmentSchema(OutSchema):
    class Meta:
        model = RectificationAttachment

    id = fields.Integer()
    filename = fields.String()
    content_type = fields.String()
    size = fields.Integer()
    sha256 = fields.String()
    uploaded_at = fields.DateTime()
    uploaded_by = fields.String()


class ItemDetailSchema(ItemSchema):
    events = fields.List(fields.Nested(EventSchema))
    attachments = fields.List(fields.Nested(AttachmentSchema))


def _one_of(options: dict[str, str], label: str) -> validate.OneOf:
    return validate.OneOf(list(options), error=f"{label}须为 {'、'.join(options)} 之一")


class ItemFilterSchema(BaseSchema):
    unit = Text(load_default=None, max_length=40, metadata={"description": "单位代码"})
    status = fields.String(load_default=None, validate=_one_of(STATUSES, "状态"))
    colour = fields.String(load_default=None, validate=_one_of(COLOURS, "颜色"))
    source = fields.String(load_default=None, validate=_one_of(SOURCES, "来源"))
    q = Text(load_default=None, max_length=100, metadata={"description": "关键词"})


class FilterSchema(PageArgs, ItemFilterSchema):
    """The ledger's filters and the page; a bad filter value is a 422, as it always was."""

    QUERY_ERROR_STATUS = 422


class AttachmentIn(BaseSchema):
    file = Upload(required=True, metadata={"description": "PDF、JPG/PNG、Word 或 Excel"})


class ColourCountsSchema(Schema):
    red = fields.Integer(required=True)
    yellow = fields.Integer(required=True)
    green = fields.Integer(required=True)
    closed = fields.Integer(required=True)


class UnitColourCountsSchema(ColourCountsSchema):
    code = fields.String(required=True)
    name = fields.String(required=True)


class SummarySchema(Schema):
    date = fields.Date(required=True)
    counts = fields.Nested(ColourCountsSchema, required=True)
    units = fields.List(fields.Nested(UnitColourCountsSchema), required=True)
