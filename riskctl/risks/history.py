"""Versions of a risk point (版本记录): the whole point as plain data, and what changed."""

from __future__ import annotations

from datetime import date
from typing import Any

from riskctl.risks.models import FIELD_LABELS, RiskPoint
from riskctl.risks.rules import Matrix

# Fields copied as they are; unit, level, measures and the dates are rendered.
PLAIN_FIELDS = (
    "post",
    "power",
    "stage",
    "title",
    "description",
    "category",
    "likelihood",
    "impact",
    "responsible",
    "supervisor",
    "indicator",
    "status",
)
SNAPSHOT_FIELDS = (
    "unit",
    "post",
    "power",
    "stage",
    "title",
    "description",
    "category",
    "likelihood",
    "impact",
    "level",
    "measures",
    "responsible",
    "supervisor",
    "indicator",
    "next_review",
    "last_reviewed",
    "status",
)


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def snapshot_of(
    unit_code: str, values: dict[str, Any], measures: list[dict[str, Any]], matrix: Matrix
) -> dict[str, Any]:
    """A version's snapshot from plain values (``measures`` with dates as ``date``)."""
    data = {field: values[field] for field in PLAIN_FIELDS}
    data.update(
        unit=unit_code,
        level=matrix.level(values["likelihood"], values["impact"]),
        measures=[{**m, "deadline": _iso(m["deadline"])} for m in measures],
        next_review=_iso(values["next_review"]),
        last_reviewed=_iso(values.get("last_reviewed")),
    )
    return {field: data[field] for field in SNAPSHOT_FIELDS}


def snapshot(point: RiskPoint, matrix: Matrix) -> dict[str, Any]:
    """The point as JSON-ready data, with the level the matrix gave it at that moment."""
    values = {
        field: getattr(point, field) for field in (*PLAIN_FIELDS, "next_review", "last_reviewed")
    }
    measures = [
        {"text": m.text, "owner": m.owner, "deadline": m.deadline, "status": m.status}
        for m in point.measures
    ]
    return snapshot_of(point.unit.code, values, measures, matrix)


def diff(before: dict[str, Any] | None, after: dict[str, Any]) -> list[dict[str, Any]]:
    """Field-by-field changes; a new point lists every filled field with ``before`` None."""
    changes = []
    for field in SNAPSHOT_FIELDS:
        old = before.get(field) if before else None
        new = after.get(field)
        if old != new and not (before is None and new in ("", None, [])):
            changes.append(
                {"field": field, "label": FIELD_LABELS[field], "before": old, "after": new}
            )
    return changes
