"""The lean read path of the lists: rows, not ORM objects; items dumped without
marshmallow's per-row work.

A list whose records are read as plain rows (Core ``select`` of the columns the answer
needs, related names joined in) instead of ORM objects: each row becomes a
:class:`Record` the schema functions read, and :func:`answered` dumps the page by the
item schema compiled once (:func:`riskctl.core.dumping.dumper`, re-exported here).

Per request, building and compiling statements costs more than running them on a small
page: :func:`page` builds a list's page and count statements once per form of its query
and :func:`attach` its collection statements once per shape; each request only binds
its values.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from types import SimpleNamespace
from typing import Any, TypeVar

from flask import jsonify
from marshmallow import Schema
from sqlalchemy import JSON, ColumnElement, Select, bindparam, func, literal_column, select

from riskctl.core import counting, direct
from riskctl.core.counting import count_rows
from riskctl.core.db import db
from riskctl.core.dumping import Dump as Dump
from riskctl.core.dumping import dump_many
from riskctl.core.dumping import dumper as dumper

F = TypeVar("F", bound=Callable[..., Any])

# Forms of one list's query kept compiled (filters present or not, sort, role).
PLANS_KEPT = 64


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
        self._plans: dict[Any, _Plan | None] = {}
        self._collections: dict[tuple[Any, ...], Select] = {}

    def collection(self, parent: ColumnElement[Any], order_by: tuple[Any, ...]) -> Select:
        """The statement of :func:`attach` (built once): the rows of these columns whose
        ``parent`` is one of the ``ids``."""
        key = (parent, *order_by)
        statement = self._collections.get(key)
        if statement is None:
            statement = select(parent, *self.labelled).select_from(parent.table)
            for target, condition in self.joins:
                statement = statement.outerjoin(target, condition)
            statement = statement.where(parent.in_(bindparam("ids", expanding=True)))
            statement = self._collections[key] = statement.order_by(parent, *order_by)
        return statement

    def plan(self, query: Select, key: Any) -> _Plan | None:
        """The statements of ``query``'s form (None: read it the slow way)."""
        try:
            return self._plans[key.key]
        except KeyError:
            pass
        try:
            plan = _Plan(query, key, self, db.session.get_bind().dialect)
        except _NoPlan:
            plan = None
        if len(self._plans) >= PLANS_KEPT:
            self._plans.clear()
        self._plans[key.key] = plan
        return plan


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

    The page and count statements are built once per *form* of the query (its SQL
    with the values left out: SQLAlchemy's cache key) and run again with this query's
    values (:class:`_Plan`); the count past ``EXACT_UP_TO`` is ``count_rows``'s.
    """
    page_no, per_page = args["page"], args["per_page"]
    offset = (page_no - 1) * per_page
    key = query._generate_cache_key()
    plan = shape.plan(query, key) if key is not None and not key.params else None
    session = db.session
    if session.autoflush:  # as session.execute would
        session.flush()
    if plan is None:
        total, estimated = count_rows(query)
        rows = session.execute(_page_statement(query, shape, per_page, offset)).all()
    else:
        total, rows = _run(plan, key, per_page, offset)
        estimated = False
        if total > counting.EXACT_UP_TO:
            total, estimated = count_rows(query)
    build = shape.build
    records = [build(row) for row in rows]
    if then is not None and records:
        then(records)
    body = {"items": records, "total": total, "page": page_no, "per_page": per_page}
    if estimated:
        body["total_estimated"] = True
    return body


def _run(plan: _Plan, key: Any, per_page: int, offset: int) -> tuple[int, list[Any]]:
    """(the capped count, the page's rows) by ``plan`` with the query's values: one
    statement (the count is its last column), a second only for a page past the end."""
    connection = db.session.connection()
    params, count_params = plan.params(key.bindparams)
    params[plan.cap] = count_params[plan.count_cap] = counting.EXACT_UP_TO + 1
    params[plan.limit], params[plan.offset] = per_page, offset
    rows = direct.execute(connection, plan.page, params)
    if rows:
        return rows[0][-1], rows
    if offset == 0:
        return 0, rows
    return direct.execute(connection, plan.count, count_params)[0][0], rows


def _page_statement(
    query: Select, shape: Shape, limit: int, offset: int, total: Any = None
) -> Select:
    """The page's columns of ``query`` (and ``total``, a scalar subquery, as the last)."""
    columns = shape.labelled if total is None else [*shape.labelled, total.label("lean_total")]
    statement = query.with_only_columns(*columns, maintain_column_froms=True)
    for target, condition in shape.joins:
        statement = statement.outerjoin(target, condition)
    return statement.limit(limit).offset(offset)


def _count_statement(query: Select) -> tuple[Select, Any]:
    """``count_rows``'s exact count: at most ``EXACT_UP_TO + 1`` matches (the cap, a
    parameter: the second value), no column read unless a DISTINCT or grouped query
    needs its columns to know its rows."""
    bare = query.order_by(None)
    if not (bare._distinct or bare._group_by_clauses):
        bare = bare.with_only_columns(literal_column("1"), maintain_column_froms=True)
    capped = bare.limit(counting.EXACT_UP_TO + 1)
    return select(func.count()).select_from(capped.subquery()), capped._limit_clause


class _Plan:
    """The page and count statements of one form of a list's query, built once and
    compiled once; each request runs them with its own values as parameters named as
    the compiled statements name them (the query's bound values line up by position
    with the form's, which is what its cache key means). The page statement carries
    the count as its last column (a scalar subquery: the database runs it once)."""

    def __init__(self, query: Select, key: Any, shape: Shape, dialect: Any) -> None:
        self.count, cap = _count_statement(query)
        self.page = _page_statement(query, shape, 1, 0, self.count.scalar_subquery())
        page_names = _bind_names(self.page, dialect)
        count_names = _bind_names(self.count, dialect)
        self.limit = page_names[self.page._limit_clause.key]
        self.offset = page_names[self.page._offset_clause.key]
        self.cap, self.count_cap = page_names[cap.key], count_names[cap.key]
        self.page_names = _named(key, page_names, required=True)
        self.count_names = _named(key, count_names, required=False)

    def params(self, binds: Any) -> tuple[dict[str, Any], dict[str, Any]]:
        """The parameters of this query's values: (page, count)."""
        values = [bind.effective_value for bind in binds]
        return _values(self.page_names, values), _values(self.count_names, values)


def _named(key: Any, names: dict[str, str], required: bool) -> list[tuple[int, str]]:
    """(position in the key's values, parameter name) of each value the statement uses:
    the page uses every value of the query (ORDER BY included), the count may drop some."""
    named = []
    for i, bind in enumerate(key.bindparams):
        if bind.key in names:
            named.append((i, names[bind.key]))
        elif required:
            raise _NoPlan(bind.key)
    return named


def _values(names: list[tuple[int, str]], values: list[Any]) -> dict[str, Any]:
    return {name: values[i] for i, name in names}


class _NoPlan(Exception):
    """A form whose values could not all be named: read the slow way."""


def _bind_names(statement: Select, dialect: Any) -> dict[str, str]:
    compiled = statement.compile(dialect=dialect)
    return {bind.key: name for bind, name in compiled.bind_names.items()}


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
    statement = shape.collection(parent, order_by)
    build = shape.build
    for row in direct.execute(db.session.connection(), statement, {"ids": list(by_id)}):
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
    for key, value in direct.execute(db.session.connection(), statement, {"ids": list(by_id)}):
        getattr(by_id[key], name).append(value)


def values_of(
    column: ColumnElement[Any], where: ColumnElement[bool], order_by: Any, outer: Any, dialect: str
) -> ColumnElement[Any]:
    """A column of a :class:`Shape`: the list of ``column``'s values ``where`` (correlated
    to the page's table ``outer``), in ``order_by`` order — a collection of plain values
    read by the page's own statement, not a second one. PostgreSQL answers an array
    (``ARRAY(SELECT …)``), SQLite a JSON array of its ordered subquery (an aggregate over
    a subquery with ORDER BY reads it in that order); both read back as a list. A Shape
    with one is built per ``dialect`` (its name)."""
    rows = select(column).where(where).order_by(order_by).correlate(outer)
    if dialect == "postgresql":
        return func.array(rows.scalar_subquery())
    ordered = rows.subquery()
    listed = func.json_group_array(ordered.c[0], type_=JSON)
    return select(listed).correlate(outer).scalar_subquery()
