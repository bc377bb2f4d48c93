"""Examples for the review campaigns' document (checked against their schemas by the suite)."""

from __future__ import annotations

CAMPAIGN_EXAMPLE = {
    "code": "PC-2026-H1",
    "name": "2026 年上半年行政处罚案卷评查",
    "period_start": "2026-01-01",
    "period_end": "2026-06-30",
    "quotas": {"ZD1": 3, "ZD2": 2},
    "reviewers": ["fazhi", "jiwei"],
    "team_size": 2,
}

CAMPAIGN_ANSWER = {
    **CAMPAIGN_EXAMPLE,
    "cap": None,
    "status": "draft",
    "rubric_version": 1,
    "reviewers": [
        {"username": "fazhi", "name": "法制科 李法", "unit": "FZK", "badge_no": "ZF-FZK-0101"},
        {"username": "jiwei", "name": "纪委 王洁", "unit": "JW", "badge_no": "ZF-JW-0102"},
    ],
    "manifest_id": None,
    "draw_id": None,
}
