"""Links from a warning's evidence to the records it rests on.

Evidence is stored as (kind, ref, args), not as URLs: a link is built when a page or
the API shows it, so it follows the other modules' routes; a kind whose page is not
installed shows its label without a link.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, url_for
from werkzeug.routing import BuildError

from riskctl.core.auth.policy import may_open

# kind → (endpoint, name of the URL argument that takes ``ref``, or None for a list)
LINKS: dict[str, tuple[str, str | None]] = {
    "risk_point": ("risks.detail", "point_id"),
    "risk_measure": ("risks.detail", None),
    "rectification_item": ("rectification.item", "item_id"),
    "rectification_list": ("rectification.ledger", None),
    "leniency_record": ("leniency.record", "record_id"),
    "leniency_list": ("leniency.records", None),
    "leniency_refusals": ("leniency.refusals", None),
    "leniency_stats": ("leniency_stats.index", None),
    "inspection_task": ("inspection_results.task", "task_id"),
    "inspection_plan": ("inspection_pages.plan", "code"),
    "draw": ("draws.show", "draw_id"),
    "review_file": ("review_files.review_file", "file_id"),
    "review_campaign": ("reviews.campaign", "code"),
    "review_results": ("reviews.results", "code"),
    "audit_entries": ("admin.audit_log", None),
}


def evidence_url(item: dict[str, Any]) -> str | None:
    endpoint, ref_arg = LINKS.get(item.get("kind", ""), ("", None))
    if endpoint not in current_app.view_functions or not may_open(endpoint):
        return None  # not installed, or not for this reader: the label without a link
    values = dict(item.get("args") or {})
    if ref_arg:
        values[ref_arg] = item.get("ref", "")
    try:
        return url_for(endpoint, **values)
    except (BuildError, ValueError):
        return None


def with_urls(evidence: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**item, "url": evidence_url(item)} for item in evidence]
