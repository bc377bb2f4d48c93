"""The import's preview, row by row: the points it adds and the fields it changes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from riskctl.accounts.models import Unit
from riskctl.core.db import db
from riskctl.core.tabular.preview import SHOWN, Entry, Preview, changes
from riskctl.risks.imports.operations import ImportPlan, current_values
from riskctl.risks.models import RiskPoint
from riskctl.risks.spreadsheet import COLUMNS, format_measure

_LABELS = {c.field: c.header for c in COLUMNS if c.field not in ("unit", "post", "title", "level")}


def _plain(values: dict[str, Any]) -> dict[str, Any]:
    measures = values.get("measures")
    if measures is None:
        return values
    return {**values, "measures": [format_measure(m) for m in measures]}


def preview_of(plan: ImportPlan) -> Preview:
    """What ``plan`` will do (at most ``SHOWN`` rows listed per section)."""
    preview = Preview(unchanged=plan.unchanged, deactivates=False)
    for data in plan.creates:
        preview.new.add(Entry(f"{data['unit'].name} / {data['post']}", data["title"]))
    listed = dict(plan.updates[:SHOWN])
    old = current_values(list(listed))
    names = {
        point_id: (f"{unit} / {post}", title)
        for point_id, unit, post, title in db.session.execute(
            select(RiskPoint.id, Unit.name, RiskPoint.post, RiskPoint.title)
            .join(Unit, Unit.id == RiskPoint.unit_id)
            .where(RiskPoint.id.in_(list(listed)))
        )
    }
    for point_id, new in listed.items():
        key, title = names[point_id]
        preview.changed.add(
            Entry(key, title, changes=changes(_LABELS, _plain(old[point_id]), _plain(new)))
        )
    preview.changed.count(len(plan.updates) - len(listed))
    return preview
