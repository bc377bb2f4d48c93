"""A statement built and compiled once, run on the DBAPI cursor of the session's connection.

``Connection.execute`` of a compiled, cached statement still costs more than the
database's own work on a small page: per call it builds an execution context, its
parameters (``construct_params``), the expanded IN lists and the result's metadata.
:class:`Direct` does that work once: per count of values in each IN list, the SQL and
the order of its parameters (SQLAlchemy's own ``construct_expanded_state``); per
statement the bound-value processors (dates as text on SQLite, a moment made UTC) and,
on the first run, the result processors of its columns as the cursor describes them
(``UTCDateTime`` answers aware UTC on both databases). Each run then only binds its
values, executes and converts: the rows are the values ``Connection.execute`` answers
(tuples, not ``Row`` objects).

It runs on ``db.session.connection()``: the request's transaction and its one commit.
Listeners of ``before_cursor_execute``/``after_cursor_execute`` are called as SQLAlchemy
calls them, and a DBAPI error is raised as SQLAlchemy's (a lost connection invalidated).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from typing import Any

from sqlalchemy import exc
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.sql import Select
from sqlalchemy.types import TupleType

# IN-list lengths kept per statement (each a SQL string of its own); statements kept.
EXPANSIONS_KEPT = 64
STATEMENTS_KEPT = 1024
# False: every statement runs through Connection.execute (the tests compare the two).
ENABLED = True
_CURSOR = "riskctl_direct_cursor"

_KEPT: dict[tuple[int, str], tuple[Select, Direct | None]] = {}


def execute(connection: Connection, statement: Select, params: Mapping[str, Any]) -> list[Any]:
    """The rows of ``statement`` (built once and kept by its caller: it is known by its
    identity) with ``params``, run directly when it can be, else by ``connection``."""
    key = (id(statement), connection.dialect.name)
    kept = _KEPT.get(key)
    if kept is None or kept[0] is not statement:
        try:
            runner: Direct | None = Direct(statement, connection.dialect)
        except NotDirect:
            runner = None
        if len(_KEPT) >= STATEMENTS_KEPT:
            _KEPT.clear()
        kept = _KEPT[key] = (statement, runner)
    runner = kept[1]
    if runner is not None and ENABLED:
        try:
            return runner.rows(connection, params)
        except NotDirect:  # found before anything ran
            _KEPT[key] = (statement, None)
    return connection.execute(statement, params).all()


@contextmanager
def before_transaction(connection: Connection) -> Iterator[None]:
    """On PostgreSQL, a read run within this block before the connection's transaction
    began runs on its own (psycopg's autocommit): no ``BEGIN`` round trip for it, and a
    request that reads nothing else ends with no ``COMMIT`` either (psycopg sends none
    for a connection with no transaction open). Under READ COMMITTED each statement
    takes its own snapshot anyway, so the read sees what it would have seen as the
    transaction's first statement; it takes no lock a transaction would keep. Anything
    but a plain read must not run here. Elsewhere (SQLite, a transaction already open)
    the block changes nothing."""
    driver = connection.connection.driver_connection
    if connection.dialect.name != "postgresql" or driver.info.transaction_status != 0:
        yield
        return
    driver.autocommit = True
    try:
        yield
    finally:
        driver.autocommit = False


def transaction_open(connection: Connection) -> bool:
    """Whether the database holds a transaction open on ``connection``'s driver connection:
    psycopg's transaction status, sqlite3's ``in_transaction``; any other driver is assumed
    to hold one. False: committing it would send nothing and end nothing."""
    driver = connection.connection.driver_connection
    name = connection.dialect.name
    if name == "postgresql":
        return driver.info.transaction_status != 0  # psycopg.pq.TransactionStatus.IDLE
    if name == "sqlite":
        return driver.in_transaction
    return True


class NotDirect(Exception):
    """A statement :class:`Direct` does not run (literal-rendered values, tuple IN)."""


class _Slot:
    """Stands for one value while the expanded SQL is built: which parameter, which item."""

    __slots__ = ("index", "name")

    def __init__(self, name: str, index: int | None) -> None:
        self.name, self.index = name, index


class Direct:
    """``statement`` compiled for ``dialect`` once, run with each call's values."""

    def __init__(self, statement: Select, dialect: Dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        if compiled.literal_execute_params or compiled.schema_translate_map:
            raise NotDirect("literal values")
        self.compiled = compiled
        self.dialect = dialect
        self.columns = list(statement.selected_columns)
        self.binds: dict[str, Any] = {}
        self.processors: dict[str, Callable[[Any], Any]] = {}
        self.expanding: list[str] = []
        for bind, name in compiled.bind_names.items():
            if isinstance(bind.type, TupleType):
                raise NotDirect("tuple IN")
            self.binds[name] = bind
            process = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if process is not None:
                self.processors[name] = process
            if bind.expanding:
                self.expanding.append(name)
        self._forms: dict[tuple[int, ...], tuple[str, Any]] = {}
        self._readers: list[Callable[[Any], Any] | None] | None = None

    def rows(self, connection: Connection, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """The statement's rows with ``params`` (compiled names; a value not given is the
        statement's own), each value processed as ``Connection.execute`` would."""
        values = dict(params)
        for name, bind in self.binds.items():
            if name not in values:
                values[name] = bind.effective_value
        sizes = tuple(len(values[name]) for name in self.expanding)
        form = self._forms.get(sizes)
        if form is None:
            form = self._form(sizes)
        sql, slots = form
        if type(slots) is list:
            parameters: Any = tuple(self._value(slot, values) for slot in slots)
        else:
            parameters = {key: self._value(slot, values) for key, slot in slots.items()}
        return self._execute(connection, sql, parameters)

    def _value(self, slot: _Slot, values: Mapping[str, Any]) -> Any:
        value = values[slot.name]
        if slot.index is not None:
            value = value[slot.index]
        process = self.processors.get(slot.name)
        return value if process is None else process(value)

    def _form(self, sizes: tuple[int, ...]) -> tuple[str, Any]:
        """(SQL, the slot of each parameter in order: a list, or a dict by name for a
        named paramstyle) for IN lists of these sizes."""
        slots: dict[str, Any] = {name: _Slot(name, None) for name in self.binds}
        for name, size in zip(self.expanding, sizes, strict=True):
            slots[name] = [_Slot(name, i) for i in range(size)]
        state = self.compiled.construct_expanded_state(slots)
        if state.positiontup is not None:
            order: Any = [state.parameters[key] for key in state.positiontup]
        else:
            order = dict(state.parameters)
        for slot in order if type(order) is list else order.values():
            if type(slot) is not _Slot:
                raise NotDirect("a value not bound by name")
        if len(self._forms) >= EXPANSIONS_KEPT:
            self._forms.clear()
        form = self._forms[sizes] = (state.statement, order)
        return form

    def _execute(self, connection: Connection, sql: str, parameters: Any) -> list[tuple[Any, ...]]:
        dispatch = connection.dispatch
        cursor = _cursor(connection)
        try:
            for listener in dispatch.before_cursor_execute:
                sql, parameters = listener(connection, cursor, sql, parameters, None, False)
            try:
                cursor.execute(sql, parameters)
                raw = cursor.fetchall()
            except self.dialect.loaded_dbapi.Error as error:
                _raise(connection, error, sql, parameters, cursor)
            for listener in dispatch.after_cursor_execute:
                listener(connection, cursor, sql, parameters, None, False)
            readers = self._readers
            if readers is None:
                readers = self._readers = self._result_readers(cursor.description)
        except BaseException:
            _drop_cursor(connection, cursor)
            raise
        if not any(readers):
            return [tuple(row) for row in raw]
        pairs = [(i, read) for i, read in enumerate(readers) if read is not None]
        rows = []
        for row in raw:
            row = list(row)
            for i, read in pairs:
                row[i] = read(row[i])
            rows.append(tuple(row))
        return rows

    def _result_readers(self, description: Sequence[Any]) -> list[Callable[[Any], Any] | None]:
        dialect = self.dialect
        return [
            column.type.dialect_impl(dialect).result_processor(dialect, described[1])
            for column, described in zip(self.columns, description, strict=True)
        ]


def _cursor(connection: Connection) -> Any:
    """The driver connection's own cursor, made once and kept with it (in the pool
    record's ``info``, with the driver connection it belongs to: a connection replaced
    gets a new one). A psycopg cursor costs about as much to make as to run a small
    statement's Python side; run after run, a cursor is only reset by its ``execute``."""
    pooled = connection.connection
    driver = pooled.dbapi_connection
    kept = pooled.info.get(_CURSOR)
    if kept is not None and kept[0] is driver:
        return kept[1]
    cursor = driver.cursor()
    pooled.info[_CURSOR] = (driver, cursor)
    return cursor


def _drop_cursor(connection: Connection, cursor: Any) -> None:
    """After a failure: the kept cursor is closed and forgotten (the next run makes one)."""
    info = connection.connection.info if not connection.invalidated else {}
    kept = info.get(_CURSOR)
    if kept is not None and kept[1] is cursor:
        del info[_CURSOR]
    with suppress(Exception):  # a lost connection's cursor: nothing left to close
        cursor.close()


def _raise(connection: Connection, error: Exception, sql: str, parameters: Any, cursor: Any):
    """The DBAPI ``error`` as SQLAlchemy raises it; a lost connection is invalidated."""
    dialect = connection.dialect
    if dialect.is_disconnect(error, connection.connection, cursor):
        connection.invalidate(error)
    raise exc.DBAPIError.instance(
        sql, parameters, error, dialect.loaded_dbapi.Error, dialect=dialect
    ) from error
