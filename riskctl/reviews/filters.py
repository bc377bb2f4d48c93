"""Query-string filters of the reviews lists, checked (422 in Chinese) for API and pages."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import fields, validate

from riskctl.accounts.queries import unit_by_code
from riskctl.core.api import PageArgs
from riskctl.core.errors import NotFound, ValidationFailed
from riskctl.core.schema import BaseSchema, Text
from riskctl.reviews.models import FILE_STATUSES


class FileArgs(PageArgs):
    """Filters of a campaign's drawn files (a bad value is a 422, as it always was)."""

    QUERY_ERROR_STATUS = 422

    unit = Text(
        load_default=None, max_length=40, metadata={"description": "单位代码（含下级单位）"}
    )
    status = fields.String(
        load_default=None,
        validate=validate.OneOf(
            list(FILE_STATUSES), error="状态须为 " + "、".join(FILE_STATUSES) + " 之一"
        ),
        metadata={"description": "案卷状态"},
    )


class _CaseFileFilters(BaseSchema):
    unit = Text(load_default=None, max_length=40)
    start = fields.Date(load_default=None)
    end = fields.Date(load_default=None)
    q = Text(load_default=None, max_length=100)


def _load(schema: BaseSchema, args: Mapping[str, Any]) -> dict[str, Any]:
    return with_unit(schema.load({k: v for k, v in args.items() if k in schema.fields and v != ""}))


def with_unit(loaded: dict[str, Any]) -> dict[str, Any]:
    """The loaded filters with ``unit`` (a code) replaced by the unit; 422 if it is unknown."""
    if loaded.get("unit"):
        try:
            loaded["unit"] = unit_by_code(loaded["unit"])
        except NotFound as exc:
            raise ValidationFailed.field("unit", f"单位 {loaded['unit']} 不存在") from exc
    return loaded


def file_filters(args: Mapping[str, Any]) -> dict[str, Any]:
    """``unit`` and ``status`` of a page's query string (the page itself is read apart)."""
    loaded = _load(FileArgs(), {k: v for k, v in args.items() if k in ("unit", "status")})
    return {"unit": loaded["unit"], "status": loaded["status"]}


def file_scope(args: Mapping[str, Any]) -> dict[str, Any]:
    """``unit`` and ``status`` of the API's loaded :class:`FileArgs`."""
    return with_unit({"unit": args["unit"] or None, "status": args["status"] or None})


def case_file_filters(args: Mapping[str, Any]) -> dict[str, Any]:
    return _load(_CaseFileFilters(), args)


def case_file_scope(args: Mapping[str, Any]) -> dict[str, Any]:
    """``unit``, ``start``, ``end`` and ``q`` of the API's loaded ``CaseFileArgs`` (the
    same fields as the page's filters: loaded once, not again)."""
    return with_unit({k: args.get(k) or None for k in ("unit", "start", "end", "q")})
