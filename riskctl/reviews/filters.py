"""Query-string filters of the reviews lists, checked (422 in Chinese) for API and pages."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import fields, validate

from riskctl.accounts.queries import unit_by_code
from riskctl.core.errors import NotFound, ValidationFailed
from riskctl.core.schema import BaseSchema, Text
from riskctl.reviews.models import FILE_STATUSES


class _FileFilters(BaseSchema):
    unit = Text(load_default=None, max_length=40)
    status = fields.String(
        load_default=None,
        validate=validate.OneOf(
            list(FILE_STATUSES), error="状态须为 " + "、".join(FILE_STATUSES) + " 之一"
        ),
    )


class _CaseFileFilters(BaseSchema):
    unit = Text(load_default=None, max_length=40)
    start = fields.Date(load_default=None)
    end = fields.Date(load_default=None)
    q = Text(load_default=None, max_length=100)


def _load(schema: BaseSchema, args: Mapping[str, Any]) -> dict[str, Any]:
    loaded = schema.load({k: v for k, v in args.items() if k in schema.fields and v != ""})
    if loaded.get("unit"):
        try:
            loaded["unit"] = unit_by_code(loaded["unit"])
        except NotFound as exc:
            raise ValidationFailed.field("unit", f"单位 {loaded['unit']} 不存在") from exc
    return loaded


def file_filters(args: Mapping[str, Any]) -> dict[str, Any]:
    return _load(_FileFilters(), args)


def case_file_filters(args: Mapping[str, Any]) -> dict[str, Any]:
    return _load(_CaseFileFilters(), args)
