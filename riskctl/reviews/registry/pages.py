"""The case-file register's API list read as plain rows (``riskctl.core.lean``)."""

from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import Select
from sqlalchemy.orm import aliased

from riskctl.accounts.models import Unit, User
from riskctl.accounts.queries import visible_unit_ids
from riskctl.core import lean
from riskctl.reviews.models import CaseFile
from riskctl.reviews.queries import case_files_in, case_files_query

_COLUMNS = (
    "id", "case_no", "case_type", "procedure", "handlers", "handler_names", "approver",
    "approver_name", "closed_on", "penalty_fen",
)  # fmt: skip


def case_files_page(
    user: User | None, scope: dict[str, Any], args: dict[str, Any]
) -> dict[str, Any]:
    """One page of ``case_files_query(…, load=False)``: the columns of ``CaseFileSchema``,
    the unit's code and name joined in."""
    return lean.page(_statement(user, scope), args, _shape())


def _statement(user: User | None, scope: dict[str, Any]) -> Select:
    if scope.get("unit") is not None:  # an ORM object: no value to key a statement by
        return case_files_query(user, **scope, load=False)
    visible = visible_unit_ids(user)
    key = tuple(sorted((k, v) for k, v in scope.items() if k != "unit"))
    return _query(None if visible is None else tuple(visible), key)


@functools.lru_cache(maxsize=256)
def _query(unit_ids: tuple[int, ...] | None, filters: tuple[tuple[str, Any], ...]) -> Select:
    """:func:`case_files_in` of filters that read nothing from the database, built once
    per value of its arguments: a statement is a value of them alone (immutable), and one
    reused keeps its cache key, so a repeated request neither builds nor walks it again."""
    return case_files_in(None if unit_ids is None else list(unit_ids), load=False, **dict(filters))


@functools.cache
def _shape() -> lean.Shape:
    unit = aliased(Unit)
    return lean.Shape(
        {name: getattr(CaseFile, name) for name in _COLUMNS}
        | {"unit.code": unit.code, "unit.name": unit.name},
        ((unit, unit.id == CaseFile.unit_id),),
    )
