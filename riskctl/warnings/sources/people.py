"""Officers named by name in warnings (not by their 执法证号), from the inspectors' roster."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import TypeVar

from sqlalchemy import select

from riskctl.core.db import db
from riskctl.inspections.models import Inspector

Row = TypeVar("Row")


def named(rows: Iterable[Row], number_of: Callable[[Row], str]) -> list[Row]:
    """``rows`` (frozen dataclasses with a ``person`` field) with the officer's name set."""
    rows = list(rows)
    numbers = sorted({number_of(r) for r in rows})
    query = select(Inspector.code, Inspector.name).where(Inspector.code.in_(numbers))
    names = dict(db.session.execute(query).all()) if numbers else {}
    return [replace(r, person=names.get(number_of(r), "")) for r in rows]
