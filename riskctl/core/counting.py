"""How many rows a list's query matches: exact up to a bound, estimated past it.

Counting a million matching rows on every page request costs more than the page
itself; past ``EXACT_UP_TO`` matches a list says "about N" instead (the API adds
``"total_estimated": true``).
"""

from __future__ import annotations

from sqlalchemy import Select, func, inspect, literal_column, select

from riskctl.core.db import db

EXACT_UP_TO = 100_000
# The estimate: the share of matches among the SAMPLE rows with the highest ids,
# times the table's id range (ids are dense: rows are never hard-deleted).
SAMPLE = 20_000


def count_rows(query: Select, exact_up_to: int = EXACT_UP_TO) -> tuple[int, bool]:
    """``(total, estimated)`` for the ORM ``query`` (one entity, one integer key)."""
    bare = query.order_by(None)
    capped = db.session.scalar(
        select(func.count()).select_from(_keys_only(bare).limit(exact_up_to + 1).subquery())
    )
    if capped <= exact_up_to:
        return capped, False
    return max(exact_up_to + 1, _estimate(bare)), True


def _keys_only(query: Select) -> Select:
    """The same rows with no column read: an index alone can answer the count. A
    DISTINCT or grouped query keeps its columns (they decide how many rows there are)."""
    if query._distinct or query._group_by_clauses:
        return query
    return query.with_only_columns(literal_column("1"), maintain_column_froms=True)


def _estimate(query: Select) -> int:
    entity = query.column_descriptions[0]["entity"]
    (key,) = inspect(entity).primary_key
    # Two scalar subqueries, not min() and max() in one SELECT: SQLite answers a lone
    # min or max from the primary key's ends, but scans a whole index for the pair.
    low, high = db.session.execute(
        select(select(func.min(key)).scalar_subquery(), select(func.max(key)).scalar_subquery())
    ).one()
    if low is None:
        return 0
    span = high - low + 1
    window = min(SAMPLE, span)
    sample = query.where(key > high - window)
    hits = db.session.scalar(select(func.count()).select_from(sample.subquery()))
    return round(hits * span / window)
