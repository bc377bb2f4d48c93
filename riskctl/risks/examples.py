"""Examples for the risk-point API's document (checked against their schemas by the suite)."""

from __future__ import annotations

POINT_EXAMPLE = {
    "unit": "ZD1-1",
    "post": "中队长",
    "power": "行政处罚",
    "stage": "调查取证",
    "title": "选择性执法",
    "description": "对熟人违法行为不予立案",
    "category": "执法办案",
    "likelihood": 2,
    "impact": 3,
    "measures": [
        {
            "text": "双人执法、全程记录",
            "owner": "张三",
            "deadline": "2026-12-31",
            "status": "planned",
        }
    ],
    "responsible": "张三",
    "supervisor": "李四",
    "indicator": "投诉数",
}

POINT_ANSWER = {
    **POINT_EXAMPLE,
    "id": 9,
    "unit_name": "市容秩序第一中队",
    "level": "中",
    "level_label": "中",
    "measures": [{**POINT_EXAMPLE["measures"][0], "status_label": "计划中"}],
    "next_review": "2027-06-02",
    "last_reviewed": None,
    "status": "active",
    "status_label": "在用",
    "retire_reason": None,
    "retired_at": None,
    "version": 1,
    "created_at": "2026-12-04T02:49:49+00:00",
    "updated_at": "2026-12-04T02:49:49+00:00",
}
