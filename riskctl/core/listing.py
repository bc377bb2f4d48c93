"""One way every list page sorts, pages and says why it is empty.

A view names the columns a person may sort by (a whitelist: the ``?sort=`` value only
ever picks one of these keys, never reaches SQL itself) and hands its query over::

    lst = listing(query, {"code": Plan.code, "created": Plan.created_at}, default="-created")
    return render_template("…", lst=lst)

``?sort=key&dir=asc|desc`` chooses the order (an unknown key or direction is ignored:
the default order applies), ``?page=&per_page=`` the page (``core.http.page_args``).
The templates render it with the macros of ``_macros.html``: ``sort_th``, ``pager``
and ``empty``; every link they build keeps the page's other query arguments (the
filters).

A detail page with several tables gives each its own ``prefix`` (``listing(…,
prefix="units_")``): that table reads ``?units_sort=&units_dir=&units_page=&units_per_page=``,
its links carry those names (and an anchor ``#units``), so paging one table never moves
another, and none of them counts as a filter of any list on the page.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask import request, url_for
from sqlalchemy import ColumnElement, Select, func, inspect, select
from sqlalchemy.orm import aliased

from riskctl.core.counting import count_rows
from riskctl.core.db import db
from riskctl.core.http import page_args

# Query arguments that are not filters: changing them never empties a list. A sub-table's
# own (``<prefix>page``…) are not either.
NOT_FILTERS = frozenset({"page", "per_page", "sort", "dir"})

Column = ColumnElement[Any] | Sequence[ColumnElement[Any]] | Any


@dataclass
class Listing:
    """One page of a list, how it is sorted, and whether filters narrowed it."""

    items: list[Any]
    total: int
    page: int
    per_page: int
    sort: str
    desc: bool
    filtered: bool
    estimated: bool = False
    sortable: tuple[str, ...] = field(default_factory=tuple)
    prefix: str = ""

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    def __iter__(self):
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __bool__(self) -> bool:
        return bool(self.items)

    def url(self, **changes: Any) -> str:
        """This page with this table's ``page``/``sort``/``dir`` changed (``list_url``), the
        other tables' and the filters kept; a sub-table's link lands on its own anchor."""
        named = {f"{self.prefix}{name}": value for name, value in changes.items()}
        return list_url(**named) + (f"#{self.prefix.rstrip('_')}" if self.prefix else "")

    def arg(self, name: str) -> str:
        """The query argument this table reads for ``name`` (``page``, ``sort``, ``dir``)."""
        return f"{self.prefix}{name}"


def sort_choice(keys: Iterable[str], default: str, prefix: str = "") -> tuple[str, bool]:
    """``(key, descending)`` from ``?sort=&dir=``; ``default`` ("-key" = descending) otherwise."""
    keys = tuple(keys)
    raw = (request.args.get(f"{prefix}sort") or "").strip()
    if raw in keys:
        return raw, (request.args.get(f"{prefix}dir") or "").strip() == "desc"
    return default.lstrip("-"), default.startswith("-")


def _not_filter(key: str) -> bool:
    """Paging or sorting, of the main list or of a sub-table (``units_page``, ``units_dir``)."""
    return key in NOT_FILTERS or key.rsplit("_", 1)[-1] in NOT_FILTERS


def is_filtered(ignore: Iterable[str] = ()) -> bool:
    """True when a filter (any query argument but paging, sorting and ``ignore``) is set."""
    skip = set(ignore)
    return any(
        value.strip()
        for key, value in request.args.items(multi=True)
        if key not in skip and not _not_filter(key)
    )


def listing(
    query: Select,
    sorts: Mapping[str, Column],
    default: str,
    *,
    tiebreak: Sequence[ColumnElement[Any]] = (),
    rows: bool = False,
    ignore: Iterable[str] = (),
    prefix: str = "",
    per_page: int | None = None,
) -> Listing:
    """One page of ``query`` in the chosen order; ``rows`` keeps whole rows (several columns).

    ``default`` is the key sorted by when none is asked for ("-key": descending); "" keeps
    the query's own ``order_by`` until a header is clicked.
    """
    key, desc = sort_choice(sorts, default, prefix)
    ordered = query  # no key chosen (default ""): the query's own order
    if key in sorts:
        columns = sorts[key]
        columns = list(columns) if isinstance(columns, list | tuple) else [columns]
        if not tiebreak and not rows:  # equal keys keep a stable order across pages
            tiebreak = [k.desc() if desc else k.asc() for k in _keys(query)]
        ordered = query.order_by(None).order_by(
            *[c.desc() if desc else c.asc() for c in columns], *tiebreak
        )
    page, per_page = page_args(prefix, per_page)
    if rows:  # several columns: counted exactly (no single key to estimate from)
        bare = query.order_by(None).subquery()
        total, estimated = db.session.scalar(select(func.count()).select_from(bare)), False
    else:
        total, estimated = count_rows(query)
    window = ordered.limit(per_page).offset((page - 1) * per_page)
    found = db.session.execute(window).all() if rows else db.session.scalars(window).all()
    return Listing(
        list(found),
        total,
        page,
        per_page,
        key,
        desc,
        is_filtered(ignore),
        estimated,
        tuple(sorts),
        prefix,
    )


def _keys(query: Select) -> list[ColumnElement[Any]]:
    entity = query.column_descriptions[0]["entity"]
    return list(inspect(entity).primary_key) if entity is not None else []


def listing_of(
    items: Iterable[Any],
    sorts: Mapping[str, Callable[[Any], Any]],
    default: str,
    *,
    ignore: Iterable[str] = (),
    prefix: str = "",
    per_page: int | None = None,
) -> Listing:
    """The same over rows already in memory (a short computed list): sorted, then paged.

    ``default`` "" keeps the rows' own order until a header is clicked; ``per_page`` is the
    page size when the URL names none.
    """
    key, desc = sort_choice(sorts, default, prefix)
    everything = list(items)
    if key in sorts:
        get = sorts[key]
        everything = sorted(everything, key=lambda item: _comparable(get(item)), reverse=desc)
    page, per_page = page_args(prefix, per_page)
    start = (page - 1) * per_page
    return Listing(
        everything[start : start + per_page],
        len(everything),
        page,
        per_page,
        key,
        desc,
        is_filtered(ignore),
        False,
        tuple(sorts),
        prefix,
    )


def _comparable(value: Any) -> tuple[int, Any]:
    """Empty values sort last (first when descending), and never compare with others."""
    return (0, "") if value is None or value == "" else (1, value)


def list_url(**changes: Any) -> str:
    """This page's URL with its query arguments (the filters) kept, ``changes`` applied.

    A change to ``None`` removes that argument (``page=None``: back to the first page).
    """
    args = request.args.to_dict(flat=False)
    for name, value in changes.items():
        if value is None:
            args.pop(name, None)
        else:
            args[name] = [str(value)]
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def clear_url() -> str:
    """This page without any filter (its path arguments kept)."""
    return url_for(request.endpoint, **(request.view_args or {}))


def related(value: ColumnElement[Any], key: ColumnElement[Any], ref: ColumnElement[Any]) -> Any:
    """A sort key read from another table (``value`` of the row whose ``key`` is ``ref``).

    E.g. ``related(Unit.path, Unit.id, Record.unit_id)``: the list needs no extra join. The
    other table is aliased, so the subquery never correlates with the list's own FROM (a
    list already joined to that table, or a table pointing at itself: a unit's parent).
    ``ref`` must be a column of the list's own query: a ``related`` inside another one
    would not correlate with the list (write the two-step join out instead).
    """
    other = aliased(value.class_)
    return select(getattr(other, value.key)).where(getattr(other, key.key) == ref).scalar_subquery()
