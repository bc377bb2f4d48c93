"""The 免罚清单 import's preview: items added, items changed (old → new per field) and
items the file switches to 停用."""

from __future__ import annotations

from riskctl.core.tabular.preview import SHOWN, Entry, Preview, changes
from riskctl.leniency.items.operations import (
    ACTIVE_LABELS,
    COLUMNS,
    CONTENT_FIELDS,
    ItemRow,
    plan_import,
)
from riskctl.leniency.queries import item_by_code

_LABELS = {c.field: c.header for c in COLUMNS if c.field in CONTENT_FIELDS}


def _readable(values: dict) -> dict:
    return {k: ACTIVE_LABELS[v] if k == "active" else v for k, v in values.items()}


def preview_of(plan: list[ItemRow], limit: int | None = SHOWN) -> Preview:
    """What confirming ``plan`` does (at most ``limit`` rows listed per section; None: all)."""
    preview = Preview(cap=limit)
    for entry in plan:
        data = entry.data
        if entry.action == "same":
            preview.unchanged += 1
        elif entry.action == "create":
            preview.new.add(Entry(data["code"], data["name"], entry.row))
        else:
            item = item_by_code(data["code"])
            old = {k: getattr(item, k) for k in CONTENT_FIELDS}
            found = changes(_LABELS, _readable(old), _readable(data))
            section = (
                preview.deactivated if old["active"] and not data["active"] else preview.changed
            )
            section.add(Entry(data["code"], item.name, entry.row, found))
    return preview


def full_preview(data: bytes, filename: str) -> Preview:
    """The staged file's preview with every row listed (下载完整预览)."""
    return preview_of(plan_import(data, filename), limit=None)
