"""Helpers of the pages: forms go through the same schemas and operations as the API.

A failed submission comes back as a :class:`Failure` that the page renders next to
the fields, with the status the API would have answered.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from flask import render_template, request
from marshmallow import Schema, ValidationError
from sqlalchemy import Select

from riskctl.core.errors import AppError
from riskctl.core.listing import listing
from riskctl.leniency.queries import officer_names

T = TypeVar("T")


@dataclass
class Failure:
    status: int
    message: str
    errors: dict[str, list[str]] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)


def form_data(list_fields: Iterable[str] = ()) -> dict[str, Any]:
    """The posted fields; blank ones are left out so that schema defaults apply."""
    lists = set(list_fields)
    data: dict[str, Any] = {}
    for key in request.form:
        if key == "csrf_token":
            continue
        if key in lists:
            data[key] = [v for v in request.form.getlist(key) if v.strip()]
        elif request.form.get(key, "").strip():
            data[key] = request.form[key]
    return data


def submit(
    schema: Schema,
    action: Callable[[dict[str, Any]], T],
    list_fields: Iterable[str] = (),
    extra: dict[str, Any] | None = None,
) -> tuple[T | None, Failure | None]:
    """Load the form (and ``extra``) with ``schema``, run ``action``; errors become a Failure."""
    try:
        return action(schema.load({**form_data(list_fields), **(extra or {})})), None
    except ValidationError as exc:
        errors = {
            k: v if isinstance(v, list) else _flatten(v)
            for k, v in exc.normalized_messages().items()
        }
        return None, Failure(422, "提交的内容有误，请按红色提示修改", errors)
    except AppError as exc:
        errors = {k: v for k, v in exc.details.items() if isinstance(v, list)}
        return None, Failure(exc.status, exc.message, errors, dict(exc.details))


def _flatten(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [m for v in value.values() for m in _flatten(v)]
    return value if isinstance(value, list) else [str(value)]


def list_page(
    template: str, query: Select, sorts: dict[str, Any], default: str, **context: Any
) -> str:
    """Render one page of ``query`` sorted as asked (``core.listing``) as ``lst``."""
    lst = listing(query, sorts, default)
    names = officer_names(sorted({n for row in lst.items for n in _officers(row)}))
    return render_template(template, lst=lst, rows=lst.items, names=names, **context)


def _officers(row: Any) -> list[str]:
    """The officer numbers a row names (a record's, or a refusal's comma-separated list)."""
    numbers = getattr(row, "officer_numbers", None)
    if numbers is None:
        numbers = str(getattr(row, "officers", "") or "").split(",")
    return [n for n in numbers if n]
