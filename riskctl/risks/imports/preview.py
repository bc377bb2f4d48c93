"""The import's preview, row by row: the points it adds and the fields it changes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from riskctl.accounts.models import Unit
from riskctl.core.db import db
from riskctl.core.tabular.preview import SHOWN, Entry, Preview, changes, listed
from riskctl.risks.imports.operations import ImportPlan, current_values, planned
from riskctl.risks.models import RiskPoint
from riskctl.risks.spreadsheet import COLUMNS, format_measure

_LABELS = {c.field: c.header for c in COLUMNS if c.field not in ("unit", "post", "title", "level")}


def _plain(values: dict[str, Any]) -> dict[str, Any]:
    measures = values.get("measures")
    if measures is None:
        return values
    return {**values, "measures": [format_measure(m) for m in measures]}


def preview_of(plan: ImportPlan, limit: int | None = SHOWN) -> Preview:
    """What ``plan`` will do (at most ``limit`` rows listed per section; None: all)."""
    preview = Preview(unchanged=plan.unchanged, deactivates=False, cap=limit)
    for data in plan.creates:
        preview.new.add(Entry(f"{data['unit'].name} / {data['post']}", data["title"]))
    shown = 0
    for chunk in listed(plan.updates, limit):
        batch = dict(chunk)
        old = current_values(list(batch))
        names = {
            point_id: (f"{unit} / {post}", title)
            for point_id, unit, post, title in db.session.execute(
                select(RiskPoint.id, Unit.name, RiskPoint.post, RiskPoint.title)
                .join(Unit, Unit.id == RiskPoint.unit_id)
                .where(RiskPoint.id.in_(list(batch)))
            )
        }
        for point_id, new in batch.items():
            key, title = names[point_id]
            preview.changed.add(
                Entry(key, title, changes=changes(_LABELS, _plain(old[point_id]), _plain(new)))
            )
        shown += len(batch)
    preview.changed.count(len(plan.updates) - shown)
    return preview


def full_preview(data: bytes, filename: str) -> Preview:
    """The staged file's preview with every row listed (下载完整预览)."""
    return preview_of(planned(data, filename), limit=None)
