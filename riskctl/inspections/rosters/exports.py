"""Roster export in the import's own columns, so that an export re-imports unchanged."""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator, Sequence

from sqlalchemy import Select, select

from riskctl.accounts.models import Unit
from riskctl.core.db import db
from riskctl.core.errors import ValidationFailed
from riskctl.core.tabular.writing import safe_cell, write_xlsx
from riskctl.inspections.models import TARGET_KINDS, Inspector, Target
from riskctl.inspections.rosters.imports import INSPECTORS, TARGETS

XLSX_MAX_ROWS = 100_000
_BATCH = 10_000


def _headers(spec) -> list[str]:
    return [c.header for c in spec.columns]


def _target_rows(query: Select) -> Iterator[Sequence[object]]:
    ids = query.with_only_columns(Target.id).order_by(None).subquery()
    rows = db.session.execute(
        select(
            Target.code,
            Target.name,
            Target.credit_code,
            Target.kind,
            Target.address,
            Target.credit_class,
            Unit.code,
            Target.closed,
        )
        .join(Unit, Unit.id == Target.unit_id)
        .where(Target.id.in_(select(ids.c.id)))
        .order_by(Target.code)
        .execution_options(yield_per=_BATCH)
    )
    for code, name, credit, kind, address, klass, unit, closed in rows:
        yield (
            code,
            name,
            credit or "",
            TARGET_KINDS[kind],
            address,
            klass,
            unit,
            "已关闭停业" if closed else "在营",
        )


def _inspector_rows(query: Select) -> Iterator[Sequence[object]]:
    ids = query.with_only_columns(Inspector.id).order_by(None).subquery()
    rows = db.session.execute(
        select(
            Inspector.code,
            Inspector.name,
            Inspector.license_no,
            Unit.code,
            Inspector.fields,
            Inspector.active,
        )
        .join(Unit, Unit.id == Inspector.unit_id)
        .where(Inspector.id.in_(select(ids.c.id)))
        .order_by(Inspector.code)
        .execution_options(yield_per=_BATCH)
    )
    for code, name, licence, unit, fields, active in rows:
        yield (code, name, licence, unit, fields, "在岗" if active else "停用")


def _source(roster: str, query: Select) -> tuple[list[str], Iterator[Sequence[object]]]:
    if roster == "targets":
        return _headers(TARGETS), _target_rows(query)
    return _headers(INSPECTORS), _inspector_rows(query)


def as_xlsx(roster: str, query: Select, total: int) -> bytes:
    if total > XLSX_MAX_ROWS:
        raise ValidationFailed.field(
            "format",
            (f"共 {total} 条，超过 Excel 导出上限 {XLSX_MAX_ROWS} 条；请先筛选，或导出为 CSV"),
        )
    headers, rows = _source(roster, query)
    title = "检查对象名录库" if roster == "targets" else "执法检查人员名录库"
    return write_xlsx(headers, rows, title)


def as_csv(roster: str, query: Select) -> Iterator[bytes]:
    """UTF-8 CSV with a BOM (Excel), streamed in batches: a million rows never sit in memory."""
    headers, rows = _source(roster, query)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    yield codecs.BOM_UTF8 + buffer.getvalue().encode()
    batch: list[Sequence[object]] = []
    for row in rows:
        batch.append([safe_cell(v) for v in row])
        if len(batch) == _BATCH:
            yield _encode(batch)
            batch = []
    if batch:
        yield _encode(batch)


def _encode(batch: list[Sequence[object]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(batch)
    return buffer.getvalue().encode()
