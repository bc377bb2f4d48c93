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
from sqlalchemy import ColumnElement, Select, select

from riskctl.core.counting import count_rows
from riskctl.core.db import db
from riskctl.core.schema import Grouped

Dump = Callable[[Any], dict[str, Any]]
F = TypeVar("F", bound=Callable[..., Any])

_DUMPERS: dict[type[Schema], Dump] = {}


class Record(SimpleNamespace):
    """One row of a lean list: its columns as attributes (``record.unit`` may itself be
    a Record of the joined unit's columns)."""


class Shape:
    """What a lean list reads: ``columns`` maps an attribute to its column, ``"unit.code"``
    putting it on a nested record (``row.unit.code``) from a table ``joins`` outer-joins
    in (``(aliased(Unit), condition)``: an alias never clashes with the query's own
    joins). Build it once per list: its labels and aliases are then built once too."""

    def __init__(
        self,
        columns: Mapping[str, ColumnElement[Any]],
        joins: tuple[tuple[Any, Any], ...] = (),
    ) -> None:
        self.labelled = [column.label(f"c{i}") for i, column in enumerate(columns.values())]
        self.joins = joins
        self.build = _builder(list(columns))


def page(
    query: Select,
    args: Mapping[str, Any],
    shape: Shape,
    then: Callable[[list[Record]], None] | None = None,
) -> dict[str, Any]:
    """One page of ``query`` (the list's ORM query: its filters, order and count) read as
    rows of ``shape``'s columns, in the envelope of :func:`riskctl.core.api.paginate`.

    ``then(records)`` completes the page with one statement of its own (a collection).
    The query must carry no loader options (they would name an entity not selected).
    A nested record of an outer join that found nothing has every attribute None.
    """
    page_no, per_page = args["page"], args["per_page"]
    total, estimated = count_rows(query)
    statement = query.with_only_columns(*shape.labelled, maintain_column_froms=True)
    for target, condition in shape.joins:
        statement = statement.outerjoin(target, condition)
    statement = statement.limit(per_page).offset((page_no - 1) * per_page)
    build = shape.build
    records = [build(row) for row in db.session.execute(statement)]
    if then is not None and records:
        then(records)
    body = {"items": records, "total": total, "page": page_no, "per_page": per_page}
    if estimated:
        body["total_estimated"] = True
    return body


def attach(
    records: list[Record],
    name: str,
    parent: ColumnElement[Any],
    shape: Shape,
    *order_by: ColumnElement[Any],
) -> None:
    """``record.<name>``: the list of ``shape`` rows whose ``parent`` column is the
    record's id, in ``order_by`` order — for a whole page in one statement. ``shape``'s
    joins start from ``parent``'s table."""
    by_id = {record.id: record for record in records}
    for record in records:
        setattr(record, name, [])
    statement = select(parent, *shape.labelled).select_from(parent.table)
    for target, condition in shape.joins:
        statement = statement.outerjoin(target, condition)
    statement = statement.where(parent.in_(by_id)).order_by(parent, *order_by)
    build = shape.build
    for row in db.session.execute(statement):
        getattr(by_id[row[0]], name).append(build(row[1:]))


def _builder(names: list[str]) -> Callable[[Any], Record]:
    """``row -> Record`` with the dotted names nested (``unit.code`` → ``record.unit``)."""
    flat = [(i, name) for i, name in enumerate(names) if "." not in name]
    nested: dict[str, list[tuple[int, str]]] = {}
    for i, name in enumerate(names):
        if "." in name:
            head, _, rest = name.partition(".")
            nested.setdefault(head, []).append((i, rest))

    def build(row: Any) -> Record:
        record = Record(**{name: row[i] for i, name in flat})
        for head, parts in nested.items():
            setattr(record, head, Record(**{name: row[i] for i, name in parts}))
        return record

    return build


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


def attach_values(records: list[Record], name: str, statement: Select) -> None:
    """``record.<name>``: the list of the second column of ``statement``'s rows whose first
    column is the record's id, in the statement's order — for a whole page in one
    statement. ``statement`` is built once (module level or cached) and filters its first
    column by ``bindparam("ids", expanding=True)``: a statement object reused keeps its
    compiled form and cache key, and it runs on the session's connection (no ORM pass)."""
    by_id = {record.id: record for record in records}
    for record in records:
        setattr(record, name, [])
    for key, value in db.session.connection().execute(statement, {"ids": list(by_id)}):
        getattr(by_id[key], name).append(value)
