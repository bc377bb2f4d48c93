"""A roster import's preview, row by row: new rows, changed fields (old → new), and the
rows the file leaves out (moved out if the user chooses so)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from riskctl.accounts.models import Unit
from riskctl.core.db import db
from riskctl.core.tabular.preview import SHOWN, Entry, Preview, changes, listed
from riskctl.inspections.models import TARGET_KINDS
from riskctl.inspections.rosters.imports import ROSTERS, Analysis, analyse

_WORDS = {
    "kind": TARGET_KINDS,
    "closed": {True: "已关闭停业", False: "在营"},
}
# The stored column → the file's column (the rest share their name).
_COLUMN_OF = {"unit_id": "unit", "closed": "status", "active": "status"}


def _labels(analysis: Analysis) -> dict[str, str]:
    headers = {c.field: c.header for c in analysis.spec.columns}
    labels = {name: headers[_COLUMN_OF.get(name, name)] for name in analysis.fields}
    labels.setdefault("active", "名录状态")  # targets: a row back in the file is restored
    return labels


def _readable(values: dict[str, Any], units: dict[int, str], listed: bool) -> dict[str, Any]:
    out = dict(values)
    for name, words in _WORDS.items():
        if name in out and out[name] is not None:
            out[name] = words.get(out[name], out[name])
    if "active" in out:
        out["active"] = (
            ("在岗" if out["active"] else "停用")
            if listed
            else ("在库" if out["active"] else "已移出")
        )
    if "unit_id" in out:
        out["unit_id"] = units.get(out["unit_id"], out["unit_id"])
    return out


def preview_of(analysis: Analysis, limit: int | None = SHOWN) -> Preview:
    """What confirming ``analysis`` does (at most ``limit`` rows listed per section; None:
    every row, the full preview)."""
    spec, columns, fields = analysis.spec, analysis.columns, analysis.fields
    preview = Preview(unchanged=analysis.unchanged, cap=limit)
    units = dict(db.session.execute(select(Unit.id, Unit.name)).all())
    for chunk in listed(analysis.new, limit):
        for i in chunk:
            preview.new.add(Entry(columns["code"][i], columns["name"][i]))
    preview.new.count(len(analysis.new) - len(preview.new.entries))

    table = spec.table
    names = ("active", *(f for f in fields if f != "active"))
    labels, listed_status = _labels(analysis), "active" in fields
    for chunk in listed(analysis.changed, limit):
        batch = dict(chunk)
        stored = {
            row_id: dict(zip(names, values, strict=True))
            for row_id, *values in db.session.execute(
                select(table.c.id, *(table.c[f] for f in names)).where(
                    table.c.id.in_(list(batch.values()))
                )
            )
        }
        for i, row_id in batch.items():
            old = {
                k: (bool(v) if k in ("active", "closed") else v) for k, v in stored[row_id].items()
            }
            new = {f: columns[f][i] for f in fields}
            new.setdefault("active", True)  # a file row is in the roster
            found = changes(
                labels, _readable(old, units, listed_status), _readable(new, units, listed_status)
            )
            preview.changed.add(Entry(columns["code"][i], columns["name"][i], changes=found))
    preview.changed.count(len(analysis.changed) - len(preview.changed.entries))

    shown = 0
    for missing in listed(analysis.missing, limit):
        for code, name in db.session.execute(
            select(spec.model.code, spec.model.name)
            .where(spec.model.id.in_(missing))
            .order_by(spec.model.code)
        ):
            preview.deactivated.add(Entry(code, name))
        shown += len(missing)
    preview.deactivated.count(len(analysis.missing) - shown)
    return preview


def full_preview(roster: str) -> Callable[[bytes, str], Preview]:
    """The staged file's preview with every row listed (下载完整预览), for one roster."""

    def build(data: bytes, filename: str) -> Preview:
        return preview_of(analyse(ROSTERS[roster], data, filename), limit=None)

    return build
