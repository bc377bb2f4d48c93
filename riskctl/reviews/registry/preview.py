"""The case-file import's preview: files added and the fields a changed file gets."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from riskctl.accounts.models import Unit
from riskctl.core.db import db
from riskctl.core.tabular.preview import SHOWN, Entry, Preview, changes
from riskctl.reviews.models import PROCEDURES
from riskctl.reviews.registry.imports import COLUMNS, compare

_HEADERS = {c.field: c.header for c in COLUMNS}
_LABELS = {
    "unit_id": _HEADERS["unit"],
    "case_type": _HEADERS["case_type"],
    "procedure": _HEADERS["procedure"],
    "handlers": _HEADERS["handlers"],
    "handler_names": _HEADERS["handler_names"],
    "approver": _HEADERS["approver"],
    "approver_name": _HEADERS["approver_name"],
    "closed_on": _HEADERS["closed_on"],
    "penalty_fen": _HEADERS["penalty"],
}


def _readable(values: dict[str, Any], units: dict[int, str]) -> dict[str, Any]:
    out = dict(values)
    out["unit_id"] = units.get(out.get("unit_id"), out.get("unit_id"))
    out["procedure"] = PROCEDURES.get(out.get("procedure"), out.get("procedure"))
    fen = out.get("penalty_fen")
    out["penalty_fen"] = None if fen is None else f"{fen / 100:.2f}"
    return out


def preview_of(data: bytes, filename: str, limit: int | None = SHOWN) -> Preview:
    """ImportProblems when a row is bad; else what confirming the file does (writes nothing):
    at most ``limit`` rows listed per section (None: all, the full preview)."""
    rows, existing, new, changed = compare(data, filename)
    units = dict(db.session.execute(select(Unit.id, Unit.name)).all())
    preview = Preview(unchanged=len(rows) - len(new) - len(changed), deactivates=False, cap=limit)
    for row in new:
        preview.new.add(Entry(row["case_no"], row["case_type"] or "", row["row"]))
    for row in changed:
        case = existing[row["case_no"]]
        old = {field: getattr(case, field) for field in _LABELS}
        found = changes(_LABELS, _readable(old, units), _readable(row, units))
        preview.changed.add(Entry(row["case_no"], case.case_type, row["row"], found))
    return preview


def full_preview(data: bytes, filename: str) -> Preview:
    """The staged file's preview with every row listed (下载完整预览)."""
    return preview_of(data, filename, limit=None)
