"""The figures of a quarter (季度数据快照), read from one consistent view of the database.

Every number the report prints comes from the plain dict built here; the dict is
archived with the PDF, so a figure can be traced back to what the records said at
the moment of issue.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, is_dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask import current_app

from riskctl.core import clock
from riskctl.core.db import db, is_postgres
from riskctl.reporting.figures import SECTIONS, KeyFigure
from riskctl.reporting.periods import Quarter

FORMAT = 1


@contextmanager
def consistent_read() -> Iterator[None]:
    """Run the block's queries on one read-only snapshot of the database.

    A fresh app context gives the block its own session (the caller's transaction,
    which may hold locks, stays untouched), and every module's query functions that
    use ``db.session`` read through it. PostgreSQL: a REPEATABLE READ, READ ONLY
    transaction. SQLite: an explicit BEGIN, because the driver would otherwise run
    each SELECT in its own implicit transaction.
    """
    with current_app.app_context():
        session = db.session
        if is_postgres():
            session.connection(
                execution_options={
                    "isolation_level": "REPEATABLE READ",
                    "postgresql_readonly": True,
                }
            )
        else:
            session.connection().exec_driver_sql("BEGIN")
        try:
            yield
        finally:
            session.rollback()


def plain(value: Any) -> Any:
    """JSON-ready data: dates as ISO text, decimals as floats, dataclasses as dicts."""
    if is_dataclass(value) and not isinstance(value, type):
        return plain(asdict(value))
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def _change(value: Any, previous: Any) -> float | int | None:
    if not isinstance(value, int | float) or not isinstance(previous, int | float):
        return None
    change = value - previous
    # Percentages carry one decimal; a float difference would print 66.70000000000002.
    return round(change, 1) if isinstance(change, float) else change


def _summary(keys: list[tuple[str, KeyFigure]], current: dict, previous: dict) -> list[dict]:
    rows = []
    for section, figure in keys:
        value = current[section].get(figure.key)
        before = previous[section].get(figure.key)
        rows.append(
            {
                "section": section,
                "key": figure.key,
                "label": figure.label,
                "unit": figure.unit,
                "value": value,
                "previous": before,
                "change": _change(value, before),
            }
        )
    return rows


def build_snapshot(quarter: Quarter, today: date) -> dict[str, Any]:
    """All figures of ``quarter`` counted up to ``today`` (or its end), and the previous
    quarter's key figures for the change column, from one consistent read."""
    as_of = quarter.as_of(today)
    before = quarter.previous()
    with consistent_read():
        sections = {name: module.section(quarter, as_of) for name, module in SECTIONS.items()}
        previous = {
            name: module.key_figures(before, before.end) for name, module in SECTIONS.items()
        }
    keys = [(name, figure) for name, module in SECTIONS.items() for figure in module.KEY_FIGURES]
    current = {name: section["key"] for name, section in sections.items()}
    snapshot = {
        "format": FORMAT,
        "org": current_app.config["BUREAU_NAME"],
        "period": {
            "year": quarter.year,
            "quarter": quarter.number,
            "label": quarter.label,
            "start": quarter.start,
            "end": quarter.end,
            "as_of": as_of,
            "previous": before.label,
            # 统计口径: days and quarters are the bureau's (Beijing midnights).
            "time_zone": clock.zone().key,
            "time_zone_label": clock.zone_label(),
        },
        "summary": _summary(keys, current, previous),
        "sections": sections,
    }
    return json.loads(canonical_json(snapshot))


def canonical_json(snapshot: dict[str, Any]) -> str:
    """The snapshot as archived: sorted keys, Chinese kept readable."""
    return json.dumps(plain(snapshot), ensure_ascii=False, sort_keys=True, indent=1)
