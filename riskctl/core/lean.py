"""The lean read path of the lists: items dumped without marshmallow's per-row work.

A list page holds up to 200 records of 20–40 fields; dumping them through
``Schema.dump`` costs a call chain per field (``serialize`` → ``get_value`` →
``_serialize``) and per nested record a whole schema pass. :func:`dumper` compiles a
response schema once into a plain function of the record: one getter and one converter
per field, taken from the field itself, so the answer is the schema's own dump (the
tests compare the two on every list). A field of a kind it does not know is dumped by
the field itself (``field.serialize``), so no kind is ever answered differently.

:class:`Rows` is the other half: a list whose records are read as plain rows (Core
``select`` of the columns the answer needs, related names joined in) instead of ORM
objects; each row becomes a :class:`Record` the same schema functions read.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from types import SimpleNamespace
from typing import Any, TypeVar

from flask import jsonify
from marshmallow import Schema, fields, missing

from riskctl.core.schema import Grouped

Dump = Callable[[Any], dict[str, Any]]
F = TypeVar("F", bound=Callable[..., Any])

_DUMPERS: dict[type[Schema], Dump] = {}


class Record(SimpleNamespace):
    """One row of a lean list: its columns as attributes (``record.unit`` may itself be
    a Record of the joined unit's columns)."""


def dumper(schema: type[Schema]) -> Dump:
    """The compiled dump of one record by ``schema`` (cached per schema class)."""
    dump = _DUMPERS.get(schema)
    if dump is None:
        dump = _DUMPERS[schema] = _compile(schema())
    return dump


def dump_many(schema: type[Schema], records: list[Any]) -> list[dict[str, Any]]:
    dump = dumper(schema)
    return [dump(record) for record in records]


def _compile(schema: Schema) -> Dump:
    if any(schema._hooks[hook] for hook in ("pre_dump", "post_dump")):
        return schema.dump  # processors: the schema's own pass
    steps = [
        (field.data_key if field.data_key is not None else name, _step(schema, name, field))
        for name, field in schema.dump_fields.items()
    ]

    def dump(obj: Any) -> dict[str, Any]:
        if isinstance(obj, Mapping):  # keys, not attributes: marshmallow's accessor
            return schema.dump(obj)
        out = {}
        for key, step in steps:
            value = step(obj)
            if value is not missing:
                out[key] = value
        return out

    return dump


def _step(schema: Schema, name: str, field: fields.Field) -> Callable[[Any], Any]:
    """``obj -> dumped value`` for one field, exactly as ``field.serialize`` answers."""
    kind = type(field)
    if kind is fields.Function:
        return field.serialize_func
    if kind is fields.Method:
        method = field._serialize_method
        return method if method is not None else lambda obj: missing
    get = _getter(schema, name, field)
    if get is None:
        return lambda obj: field.serialize(name, obj, accessor=schema.get_attribute)
    convert = _converter(field)
    if convert is None:
        return lambda obj: field.serialize(name, obj, accessor=schema.get_attribute)
    if kind is Grouped:
        return convert  # the record itself

    def step(obj: Any) -> Any:
        value = get(obj)
        if value is None:
            return None
        if value is missing:
            return value
        return convert(value)

    return step


def _getter(schema: Schema, name: str, field: fields.Field) -> Callable[[Any], Any] | None:
    key = field.attribute or name
    if "." in key or field.dump_default is not missing:
        return None
    return lambda obj: getattr(obj, key, missing)


def _converter(field: fields.Field) -> Callable[[Any], Any] | None:
    """``value -> dumped`` for a value that is not None, or None for "ask the field"."""
    kind = type(field)
    if kind is fields.String:
        return lambda v: v if type(v) is str else field._serialize(v, None, None)
    if kind is fields.Integer and not field.as_string:
        return lambda v: v if type(v) is int else int(v)
    if kind in (fields.Date, fields.DateTime):
        return field.SERIALIZATION_FUNCS.get(field.format or field.DEFAULT_FORMAT)
    if kind is fields.Boolean:
        return lambda v: field._serialize(v, None, None)
    if kind is fields.Raw:
        return lambda v: v
    if kind in (fields.Nested, Grouped) and not (field.only or field.exclude):
        nested = field.nested
        if not (isinstance(nested, type) and issubclass(nested, Schema)):
            return None
        if field.many:
            inner = dumper(nested)
            return lambda v: [inner(each) for each in v]
        return dumper(nested)
    if kind is fields.List:
        inner = field.inner
        if type(inner) is fields.Nested and not (inner.only or inner.exclude or inner.many):
            nested = inner.nested
            if isinstance(nested, type) and issubclass(nested, Schema):
                each = dumper(nested)
                return lambda v: [None if item is None else each(item) for item in v]
        convert = _converter(inner) if type(inner) is not fields.Nested else None
        if convert is None:
            return None
        return lambda v: [None if item is None else convert(item) for item in v]
    return None


def answered(view: F, item: type[Schema]) -> F:
    """A list view whose page is answered as JSON here, its items by the compiled dump of
    ``item``: the response schema around it documents the page but dumps nothing."""

    @functools.wraps(view)
    def answer(*args: Any, **kwargs: Any) -> Any:
        body = view(*args, **kwargs)
        if type(body) is not dict or not isinstance(body.get("items"), list):
            return body
        return jsonify({**body, "items": dump_many(item, body["items"])})

    return answer  # type: ignore[return-value]
