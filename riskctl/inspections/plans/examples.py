"""Examples for the inspection plans' document (checked against their schemas by the suite)."""

from __future__ import annotations

from riskctl.draws.schemas import ENTROPY_EXAMPLE

PLAN_EXAMPLE = {
    "code": "JH-2026-01",
    "name": "2026 年第一季度双随机抽查",
    "items": ["CC-001"],
    "ratios": {"A": 0.03, "B": 0.05, "C": 0.1, "D": 0.2},
    "team_size": 2,
}

PLAN_ANSWER = {
    **PLAN_EXAMPLE,
    "quotas": None,
    "cap": None,
    "exclude_recent_months": 0,
    "lookback_months": 12,
    "cross_unit": False,
    "units": None,
    "status": "draft",
    "status_label": "草稿",
    "created_by": "fazhi",
    "created_at": "2026-12-04T02:49:49+00:00",
    "locked_at": None,
    "manifest_id": None,
    "draw_id": None,
    "drawn_at": None,
    "frame": None,
}


DRAW_ANSWER = {
    "plan": "JH-2026-01",
    "draw_id": 12,
    "round": 1,
    "seed": "9f2c4e…（64 位十六进制）",
    "result_digest": "5b1d0a…（64 位十六进制）",
    "selected": 18,
    **ENTROPY_EXAMPLE,
    "drawn_at": "2026-04-01T09:30:00+00:00",
    "public_url": "/public/draws/12",
}
