"""How many rows a list's query matches: exact up to a bound, estimated past it.

Counting a million matching rows on every page request costs more than the page
itself; past ``EXACT_UP_TO`` matches a list says "about N" instead (the API adds
``"total_estimated": true``).

A key prefix filter (:func:`key_prefix`) is counted as a range of the column's index
(``column >= prefix AND column < successor``), while the page keeps testing each row it
walks in its own order: the range in the page's statement would make the planner read
the whole range and sort it for 20 rows.
"""

from __future__ import annotations

from typing import Any, ClassVar

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Select,
    func,
    inspect,
    literal_column,
    select,
    true,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import visitors
from sqlalchemy.sql.visitors import InternalTraversal

from riskctl.core.db import db, is_postgres

EXACT_UP_TO = 100_000
# The estimate: the share of matches among SAMPLE rows, read as WINDOWS key ranges spread
# evenly over the table's id range (ids are dense: rows are never hard-deleted), times
# that range. Evenly spread, not the newest rows alone: a status depends on a record's
# age (the newest are still open), so the newest rows say little about the rest.
SAMPLE = 20_000
WINDOWS = 20
# SQLite without ANALYZE statistics guesses that ``status = ?`` finds 10 rows and a key
# range a quarter of the table, so it walked the status index (800,000 entries) instead
# of the 20,000 keys. likelihood() tells it the key range is the narrow one.
_NARROW = literal_column("0.001")


def count_rows(query: Select, exact_up_to: int = EXACT_UP_TO) -> tuple[int, bool]:
    """``(total, estimated)`` for the ORM ``query`` (one entity, one integer key)."""
    bare = _as_ranges(query.order_by(None))
    capped = db.session.scalar(
        select(func.count()).select_from(_keys_only(bare).limit(exact_up_to + 1).subquery())
    )
    if capped <= exact_up_to:
        return capped, False
    return max(exact_up_to + 1, _estimate(bare)), True


class KeyPrefix(ColumnElement[bool]):
    """``column`` starts with ``prefix``, taken literally (``%`` and ``_`` are characters
    like any other) and case by case (``Login`` does not find ``login.success``)."""

    __visit_name__ = "key_prefix"
    type = Boolean()
    # The prefix's value is in the bound parameters of ``like`` and ``head``, not in the
    # cache key: one compiled statement serves every prefix.
    _traverse_internals: ClassVar[list[tuple[str, Any]]] = [
        ("column", InternalTraversal.dp_clauseelement),
        ("like", InternalTraversal.dp_clauseelement),
        ("head", InternalTraversal.dp_clauseelement),
    ]

    def __init__(self, column: ColumnElement[str], prefix: str) -> None:
        self.column, self.prefix = column, prefix
        # PostgreSQL: LIKE (case-sensitive there) lets the planner weigh the index range
        # against the page's order. SQLite's LIKE ignores case and uses no index: the
        # page compares the string's head instead.
        self.like = column.startswith(prefix, autoescape=True)
        self.head = func.substr(column, 1, len(prefix)) == prefix

    def as_range(self) -> ColumnElement[bool]:
        """The same rows as a range of ``column``'s index (exact: UTF-8 text compares in
        code point order, byte by byte, in SQLite's BINARY collation and in PostgreSQL's
        pattern operators, the ones ``varchar_pattern_ops`` indexes)."""
        if not self.prefix:
            return true()
        above = _successor(self.prefix)
        if is_postgres():  # not >= and <: under a language collation those are no range
            low = self.column.op("~>=~", is_comparison=True)(self.prefix)
            return low if above is None else low & self.column.op("~<~", is_comparison=True)(above)
        low = self.column >= self.prefix
        return low if above is None else low & (self.column < above)


@compiles(KeyPrefix)
def _compile_key_prefix(element: KeyPrefix, compiler: Any, **kw: Any) -> str:
    return compiler.process(element.head, **kw)


@compiles(KeyPrefix, "postgresql")
def _compile_key_prefix_pg(element: KeyPrefix, compiler: Any, **kw: Any) -> str:
    return compiler.process(element.like, **kw)


def key_prefix(column: ColumnElement[str], prefix: str) -> KeyPrefix:
    """A filter for rows whose ``column`` starts with ``prefix``: a row test in the page,
    an index range in :func:`count_rows`."""
    return KeyPrefix(column, prefix)


def _successor(prefix: str) -> str | None:
    """The least string above every string that starts with ``prefix``, in code point
    order: its last character raised by one (U+10FFFF has none above it: dropped, and the
    one before raised). None when every character is U+10FFFF."""
    chars = list(prefix)
    while chars:
        last = ord(chars.pop())
        if last < 0x10FFFF:
            above = last + 1
            if 0xD800 <= above <= 0xDFFF:  # surrogates are never in a stored string
                above = 0xE000
            return "".join(chars) + chr(above)
    return None


def _as_ranges(query: Select) -> Select:
    """``query`` with each top-level :class:`KeyPrefix` as its index range (a prefix
    nested in an OR stays a row test: the same count, read the slow way)."""
    if not any(isinstance(c, KeyPrefix) for c in query._where_criteria):
        return query

    def swap(element: Any) -> Any:
        return element.as_range() if isinstance(element, KeyPrefix) else None

    return visitors.replacement_traverse(query, {}, swap)


def _keys_only(query: Select) -> Select:
    """The same rows with no column read: an index alone can answer the count. A
    DISTINCT or grouped query keeps its columns (they decide how many rows there are)."""
    if query._distinct or query._group_by_clauses:
        return query
    return query.with_only_columns(literal_column("1"), maintain_column_froms=True)


def _estimate(query: Select) -> int:
    entity = query.column_descriptions[0]["entity"]
    (key,) = inspect(entity).primary_key
    # Two scalar subqueries, not min() and max() in one SELECT: SQLite answers a lone min
    # or max from the primary key's ends, but scans a whole index for the pair.
    low, high = db.session.execute(
        select(select(func.min(key)).scalar_subquery(), select(func.max(key)).scalar_subquery())
    ).one()
    if low is None:
        return 0
    span = high - low + 1
    windows = _windows(low, span)
    counts = [_count_of(query.where(_within(key, first, last))) for first, last in windows]
    both = counts[0]
    for more in counts[1:]:
        both = both + more
    hits = db.session.scalar(select(both))
    read = sum(last - first + 1 for first, last in windows)
    return round(hits * span / read)


def _windows(low: int, span: int) -> list[tuple[int, int]]:
    """``WINDOWS`` key ranges of ``SAMPLE`` keys in all, each centred in its own equal
    share of ``[low, low + span)``; the whole range when it holds no more than SAMPLE."""
    if span <= SAMPLE:
        return [(low, low + span - 1)]
    width = max(1, SAMPLE // WINDOWS)
    starts = [low + (2 * k + 1) * span // (2 * WINDOWS) - width // 2 for k in range(WINDOWS)]
    return [(start, start + width - 1) for start in starts]


def _within(key: Any, first: int, last: int) -> ColumnElement[bool]:
    if is_postgres():
        return key.between(first, last)
    # Untyped: a Boolean function would be compared "= 1", which no index serves.
    return func.likelihood(key.between(first, last), _NARROW)


def _count_of(query: Select) -> Any:
    """``SELECT count(*)`` of ``query``'s rows, as a scalar subquery (built for each of
    the sample's windows: the cheapest form to build, where the rows allow it)."""
    if query._distinct or query._group_by_clauses:
        return select(func.count()).select_from(query.subquery()).scalar_subquery()
    return query.with_only_columns(func.count(), maintain_column_froms=True).scalar_subquery()
