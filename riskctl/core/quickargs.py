"""A query of plain integers (``?page=2&per_page=20``) loaded without the schema's pass.

Most list requests carry at most ``page`` and ``per_page``; webargs and marshmallow's
``load`` cost more than the list's own statement for them. :class:`QuickQuery` (mixed
into the API's webargs parser) answers such a query as ``load`` would: each integer field
deserialized by the field itself (its validators included), every other field its
``load_default``. It only does so for a schema whose load it knows to be just that: no
hooks, no required field, no default computed at load time, no dotted attribute; and a
query it can answer: only integer fields of the schema, each given once, each valid.
Anything else (an unknown or repeated key, a filter, a bad value) is parsed by webargs
as before, so every error is the one it always was.
"""

from __future__ import annotations

from typing import Any

from flask import request
from marshmallow import Schema, ValidationError, fields, missing

SCHEMAS_KEPT = 1024  # argument schemas are instances built once: a bound, never reached
_KEPT: dict[int, tuple[Schema, _Quick | None]] = {}


class _Quick:
    """The load of one schema's all-integer queries."""

    def __init__(self, schema: Schema) -> None:
        if any(schema._hooks.values()):
            raise ValueError("hooks")
        self.defaults: dict[str, Any] = {}
        self.integers: dict[str, tuple[str, fields.Field]] = {}
        for name, field in schema.load_fields.items():
            attribute = field.attribute or name
            if field.required or "." in attribute or callable(field.load_default):
                raise ValueError(name)
            if field.load_default is not missing:
                self.defaults[attribute] = field.load_default
            if isinstance(field, fields.Integer):
                key = field.data_key if field.data_key is not None else name
                self.integers[key] = (attribute, field)

    def load(self, query: Any) -> dict[str, Any] | None:
        """``schema.load`` of ``query`` (a MultiDict), or None: not a query answered here."""
        data = dict(self.defaults)
        for key in query:
            found = self.integers.get(key)
            if found is None:
                return None
            values = query.getlist(key)
            if len(values) != 1:
                return None
            attribute, field = found
            try:
                data[attribute] = field.deserialize(values[0], key, query)
            except ValidationError:
                return None
        return data


def quick(schema: Schema) -> _Quick | None:
    """The quick load of ``schema`` (an instance, built once), None if it has none."""
    kept = _KEPT.get(id(schema))
    if kept is None or kept[0] is not schema:
        try:
            found: _Quick | None = _Quick(schema)
        except ValueError:
            found = None
        if len(_KEPT) >= SCHEMAS_KEPT:
            _KEPT.clear()
        kept = _KEPT[id(schema)] = (schema, found)
    return kept[1]


class QuickQuery:
    """Mixin of a webargs parser: a query of integers is loaded by :func:`quick`."""

    def parse(self, argmap: Any, req: Any = None, *, location: Any = None, **kwargs: Any) -> Any:
        if (
            location in ("query", "querystring")
            and isinstance(argmap, Schema)
            and kwargs.get("validate") is None
        ):
            loader = quick(argmap)
            if loader is not None:
                data = loader.load((request if req is None else req).args)
                if data is not None:
                    return data
        return super().parse(argmap, req, location=location, **kwargs)  # type: ignore[misc]
