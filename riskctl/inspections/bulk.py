"""Bulk reads and writes for million-row rosters: no ORM objects, no per-row Row objects.

Writes: PostgreSQL gets COPY (psycopg's ``cursor.copy``); SQLite gets ``executemany``
on the raw connection. Both run inside the session's transaction, so an import is
still all rows or none and commits with the request.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from itertools import islice, repeat
from typing import Any

from psycopg.copy import QueuedLibpqWriter
from sqlalchemy import Select, Table

from riskctl.core import clock, writes
from riskctl.core.db import db, is_postgres

SQLITE_CACHE_KB = 512 * 1024
_NEEDS_ESCAPE = re.compile(r"[\\\t\n\r]")


def timestamp() -> Any:
    """Now, as a raw driver expects it for a ``UTCDateTime`` column."""
    now = clock.now()
    if is_postgres():
        return now
    # SQLAlchemy's own SQLite storage format, so the ORM reads these rows back.
    return now.strftime("%Y-%m-%d %H:%M:%S.%f")


def _raw_connection() -> Any:
    """The session's driver connection, to write through (marked: its commit moves the
    data version, core.writes)."""
    connection = db.session.connection()
    writes.mark(connection)
    return connection.connection.driver_connection


def fetch_rows(stmt: Select) -> list[tuple]:
    """Every row of ``stmt`` as the driver's plain tuples, in the session's transaction.

    SQLAlchemy builds a Row per row, five times the cost of the fetch itself for a
    million rows; only for columns whose driver values need no conversion (text,
    integers; SQLite gives booleans as 0/1).
    """
    result = db.session.connection().execute(stmt)
    try:
        return result.cursor.fetchall()
    finally:
        result.close()


def insert_rows(table: Table, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Insert ``rows`` (tuples in ``columns`` order) into ``table``."""
    names = ", ".join(columns)
    raw = _raw_connection()
    if is_postgres():
        with raw.cursor() as cursor, cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join("?" * len(columns))
    with _big_cache(raw):
        raw.executemany(f"INSERT INTO {table.name} ({names}) VALUES ({marks})", rows)


def insert_columns(
    table: Table, columns: Mapping[str, Sequence[Any]], constants: Mapping[str, Any]
) -> None:
    """Insert rows given column by column; ``constants`` are the same on every row.

    On PostgreSQL the COPY text is built a column at a time and sent in large
    chunks: psycopg's ``write_row`` adapts each value in Python, which costs more
    than the server's whole COPY for a million rows.
    """
    names = [*columns, *constants]
    count = len(next(iter(columns.values())))
    if not is_postgres():
        fixed = [repeat(value, count) for value in constants.values()]
        insert_rows(table, names, zip(*columns.values(), *fixed, strict=False))
        return
    texts = [_copy_texts(values) for values in columns.values()]
    texts += [repeat(_copy_text(value), count) for value in constants.values()]
    lines = map("\t".join, zip(*texts, strict=False))
    sql = f"COPY {table.name} ({', '.join(names)}) FROM STDIN"
    cursor = _raw_connection().cursor()
    # A writer thread sends each chunk while the next is being built, so the
    # server's work (constraints, indexes) overlaps ours.
    with cursor, cursor.copy(sql, writer=QueuedLibpqWriter(cursor)) as copy:
        while chunk := list(islice(lines, _COPY_CHUNK)):
            copy.write("\n".join(chunk) + "\n")


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_COPY_CHUNK = 50_000


def _copy_text(value: Any) -> str:
    """One value in COPY's text format."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).translate(_COPY_ESCAPES)


def _copy_texts(values: Sequence[Any]) -> Sequence[str]:
    """A column in COPY's text format; text needing no escape passes through as it is."""
    kinds = set(map(type, values))
    if kinds <= {int}:
        return list(map(str, values))
    if kinds <= {str, type(None)}:
        present = [v for v in values if v is not None]
        if not _NEEDS_ESCAPE.search("".join(present)):
            return (
                values
                if len(present) == len(values)
                else ["\\N" if v is None else v for v in values]
            )
    return [_copy_text(v) for v in values]


@contextmanager
def _big_cache(raw: Any) -> Iterator[None]:
    """SQLite's default 2 MB page cache makes index upkeep for a million rows
    thrash; a larger cache for the bulk write only (the connection goes back to the pool)."""
    (before,) = raw.execute("PRAGMA cache_size").fetchone()
    raw.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KB}")
    try:
        yield
    finally:
        raw.execute(f"PRAGMA cache_size = {before}")


def update_rows(
    table: Table, key: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """Set ``columns`` from each row (values in ``columns`` order, then the key) by ``key``."""
    if not rows:
        return
    raw = _raw_connection()
    if not is_postgres():
        assignments = ", ".join(f"{c} = ?" for c in columns)
        with _big_cache(raw):
            raw.executemany(f"UPDATE {table.name} SET {assignments} WHERE {key} = ?", rows)
        return
    # PostgreSQL: COPY into a scratch table, then one UPDATE … FROM joins it.
    scratch = f"upd_{uuid.uuid4().hex[:12]}"
    names = ", ".join([*columns, key])
    with raw.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMP TABLE {scratch} ON COMMIT DROP AS "
            f"SELECT {names} FROM {table.name} WITH NO DATA"
        )
        with cursor.copy(f"COPY {scratch} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        assignments = ", ".join(f"{c} = s.{c}" for c in columns)
        cursor.execute(
            f"UPDATE {table.name} AS t SET {assignments} "
            f"FROM {scratch} AS s WHERE t.{key} = s.{key}"
        )
        cursor.execute(f"DROP TABLE {scratch}")
