"""What a re-locked manifest changed (清单变更): targets, inspectors and conflicts added or
removed, as the public draw page shows them. A pure function of the two documents."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

# Ids listed per kind of change; the counts are always complete, and anyone holding both
# manifests can list the rest.
LISTED = 200
LABELS = {"targets": "检查对象", "inspectors": "检查人员", "conflicts": "回避关系"}


def _diff(old: Iterable[str], new: Iterable[str]) -> dict[str, Any]:
    before, after = set(old), set(new)
    added, removed = sorted(after - before), sorted(before - after)
    return {
        "added": added[:LISTED],
        "removed": removed[:LISTED],
        "added_count": len(added),
        "removed_count": len(removed),
    }


def manifest_changes(
    old: dict[str, Any], new: dict[str, Any], shown: Callable[[str], str]
) -> dict[str, Any]:
    """Added and removed entries between two manifest documents.

    ``shown`` turns a target id into what may be published (masked when it is personal
    data). A target whose stratum changed, or an inspector whose unit changed, shows as
    removed and added.
    """
    targets = _diff(
        (f"{shown(t['id'])}（{t['stratum']}）" for t in old["targets"]),
        (f"{shown(t['id'])}（{t['stratum']}）" for t in new["targets"]),
    )
    inspectors = _diff(
        (f"{i['id']}（{i['unit']}）" for i in old["inspectors"]),
        (f"{i['id']}（{i['unit']}）" for i in new["inspectors"]),
    )
    conflicts = _diff(
        (f"{i} ↔ {shown(t)}" for i, t in old["conflicts"]),
        (f"{i} ↔ {shown(t)}" for i, t in new["conflicts"]),
    )
    quotas = {"before": old["quotas"], "after": new["quotas"]}
    return {
        "targets": targets,
        "inspectors": inspectors,
        "conflicts": conflicts,
        "quotas": quotas if old["quotas"] != new["quotas"] else None,
    }


def is_empty(changes: dict[str, Any]) -> bool:
    return changes["quotas"] is None and not any(
        changes[k]["added_count"] or changes[k]["removed_count"] for k in LABELS
    )
