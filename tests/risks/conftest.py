"""Risk-register factories: valid point data, points made through the operations, logins."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import openpyxl
import pytest

from riskctl.core import clock
from riskctl.core.db import db
from riskctl.risks import operations
from riskctl.risks.models import RiskPoint
from riskctl.risks.spreadsheet import HEADERS
from tests.conftest import csrf_token


def point_data(**overrides: Any) -> dict[str, Any]:
    """A valid risk point as the API takes it (a 高 point: 3 × 3)."""
    data = {
        "unit": "ZD1-1",
        "post": "现场执法岗",
        "power": "行政处罚",
        "stage": "承办",
        "title": "对占道经营选择性执法",
        "description": "对熟人不予查处",
        "category": "岗位职责风险",
        "likelihood": 3,
        "impact": 3,
        "measures": [
            {
                "text": "全程佩戴执法记录仪",
                "owner": "张勇",
                "deadline": "2099-09-30",
                "status": "in_progress",
            },
        ],
        "responsible": "张勇",
        "supervisor": "陈明",
        "indicator": "执法记录仪开启率",
    }
    data.update(overrides)
    return data


def make_point(today: date | None = None, actor: str = "discipline", **overrides: Any) -> RiskPoint:
    """A committed point created by the operation (dates as ``date`` objects)."""
    data = point_data(**overrides)
    data["measures"] = [
        {**m, "deadline": date.fromisoformat(m["deadline"]) if m.get("deadline") else None}
        for m in data["measures"]
    ]
    if isinstance(data.get("next_review"), str):
        data["next_review"] = date.fromisoformat(data["next_review"])
    point = operations.create_point(data, actor=actor, today=today or clock.today())
    db.session.commit()
    return point


@pytest.fixture
def web(login):
    """``web("discipline")`` → (signed-in test client, CSRF token)."""

    def for_user(username: str):
        client = login(username)
        return client, csrf_token(client)

    return for_user


# Spreadsheets ------------------------------------------------------------------

ROW = [
    "市容秩序第一中队",
    "现场执法岗",
    "行政处罚",
    "承办",
    "选择性执法",
    "对熟人不予查处",
    "岗位职责风险",
    3,
    3,
    "高",
    "全程记录（责任人：张勇；完成时限：2099-09-30）",
    "张勇",
    "陈明",
    "开启率",
    "2026-12-31",
]


def xlsx(*rows, headers=HEADERS, sheets=None) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "风险点"
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    for name, cells in (sheets or {}).items():
        extra = book.create_sheet(name)
        for row in cells:
            extra.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def row(**changes):
    values = dict(zip(HEADERS, ROW, strict=True))
    values.update(changes)
    return [values[h] for h in HEADERS]
