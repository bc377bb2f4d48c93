"""Input and output shapes of the ledger API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from marshmallow import Schema, fields, validate

from riskctl.core import clock
from riskctl.core.schema import BaseSchema, Text
from riskctl.rectification.models import SOURCES

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


class EventSchema(Schema):
    kind = fields.String()
    note = fields.String()
    at = fields.DateTime()
    actor = fields.String()


class ItemSchema(Schema):
    """An item as the API shows it; ``colour`` is computed for the day of the request."""

    id = fields.Integer()
    source = fields.String()
    source_ref = fields.String()
    title = fields.String()
    detail = fields.String()
    unit = fields.Function(lambda item: item.unit.code)
    unit_name = fields.Function(lambda item: item.unit.name)
    owner = fields.String()
    opened_on = fields.Date()
    deadline_days = fields.Integer()
    deadline = fields.Date()
    deadline_provisional = fields.Boolean()
    status = fields.String()
    colour = fields.Method("get_colour")
    evidence = fields.String()
    closing_note = fields.String()
    closed_at = fields.DateTime()
    closed_by = fields.String()
    created_by = fields.String()

    def __init__(self, colourer: Callable[[Any], str] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.colourer = colourer

    def get_colour(self, item: Any) -> str:
        if self.colourer is None:  # built without one (e.g. for the OpenAPI document): today
            from riskctl.rectification.queries import colourer

            self.colourer = colourer(clock.today())
        return self.colourer(item)


class AttachmentSchema(Schema):
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
