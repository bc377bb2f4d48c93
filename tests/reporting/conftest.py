"""A quarter of records in every module, with the key figures a report must show for them.

The quarter is the one before the current quarter (so it is complete and may be
issued whatever day the tests run); the quarter before it supplies the change
column, and records dated after it must not count.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from pypdf import PdfReader

from riskctl.core import clock
from riskctl.core.db import db
from riskctl.reporting.periods import Quarter, quarter_of
from tests.factories.inspections import plan_with_draw
from tests.factories.leniency import leniency_item, leniency_record, refusal
from tests.factories.rectification import make_item
from tests.factories.reviews import review_campaign, reviewed_file
from tests.factories.risks import retire, risk_point
from tests.factories.warnings import make_warning
from tests.snapshots import seed_once

WQY = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"


@dataclass
class Records:
    quarter: Quarter
    previous: Quarter
    expected: dict[str, dict[str, object]]  # section → key figure → value
    points: dict[str, object]


def day(quarter: Quarter, n: int) -> date:
    """The ``n``-th day of the quarter (0 = its first)."""
    return quarter.start + timedelta(days=n)


def _risks(q: Quarter, p: Quarter) -> dict[str, object]:
    overdue = [
        {
            "text": "建立暂扣物品台账",
            "owner": "王平",
            "deadline": day(q, 10),
            "status": "in_progress",
        }
    ]
    points = {
        "high": risk_point(
            "ZD1-1", "选择性执法、随意减免处罚", 3, 3, day(p, 5), q.end + timedelta(90), overdue
        ),
        "medium": risk_point(
            "ZD1-2", "<b>夜间</b>巡查 & 暂扣物品未登记", 2, 2, day(q, 3), day(q, 40)
        ),
        "retired": risk_point("ZD2-1", "罚没款未及时上缴", 1, 1, day(p, 7), q.end + timedelta(200)),
        "new_high": risk_point(
            "ZD2-1", "执法记录仪选择性使用", 3, 2, day(q, 20), q.end + timedelta(90)
        ),
        "later": risk_point(
            "ZD2-1", "统计日之后新登记", 3, 3, q.end + timedelta(5), q.end + timedelta(90)
        ),
    }
    retire(points["retired"], day(q, 30))
    return points


def _inspections(q: Quarter, p: Quarter) -> None:
    plan_with_draw(
        "SJ-P-01",
        day(p, 10),
        [
            {
                "class": "A",
                "result": "no_problem",
                "inspected_on": day(p, 15),
                "published": "on_time",
            },
        ],
    )
    plan_with_draw(
        "SJ-Q-01",
        day(q, 10),
        [
            {
                "class": "A",
                "result": "no_problem",
                "inspected_on": day(q, 15),
                "published": "on_time",
            },
            {"class": "B", "result": "corrected", "inspected_on": day(q, 16), "published": "late"},
            {"class": "C", "result": "falsified", "inspected_on": day(q, 17)},
            {"class": "D"},
        ],
    )


def _reviews(q: Quarter, p: Quarter) -> None:
    earlier = review_campaign("PC-P", p.start, p.end)
    reviewed_file(earlier, "ZD1-1", 82, "合格", day(p, 40))
    campaign = review_campaign("PC-Q", q.start, q.end)
    reviewed_file(campaign, "ZD1-1", 95, "优秀", day(q, 40))
    reviewed_file(
        campaign,
        "ZD1-2",
        80,
        "合格",
        day(q, 41),
        [("CX2", "未依法告知陈述、申辩或听证权利", "程序", 8.0)],
    )
    reviewed_file(
        campaign,
        "ZD2-1",
        0,
        "不合格",
        day(q, 42),
        [("F03", "执法人员少于2人", None, 0.0)],
        referred=True,
    )


def _leniency(q: Quarter, p: Quarter) -> None:
    item = leniency_item("MF-01", "占道经营（首次、及时改正）")
    first = leniency_record(item, "ZD1-1", day(p, 20), followup="passed")
    leniency_record(item, "ZD1-1", day(q, 5), followup="passed")
    leniency_record(item, "ZD1-2", day(q, 6), followup="passed")
    leniency_record(item, "ZD2-1", day(q, 7), followup="failed")
    leniency_record(item, "ZD2-1", day(q, 8), ground="minor")
    refusal(first, day(q, 9))


def _ledger(q: Quarter, bureau) -> None:
    def item(unit: str, ref: str, opened: date, deadline: date, closed: date | None = None):
        make_item(
            bureau,
            unit,
            ref=ref,
            source="review_finding",
            title="案卷未载明裁量理由",
            opened=opened,
            deadline=deadline,
            closed=closed,
        )

    item("ZD1-1", "R-RED", day(q, 10), day(q, 30))
    item("ZD2-1", "R-GREEN", day(q, 60), q.end + timedelta(40))
    item("ZD1-1", "R-CLOSED", day(q, 5), day(q, 25), closed=day(q, 20))
    item("ZD2-1", "R-LATER", q.end + timedelta(3), q.end + timedelta(30))
    for unit, colour, raised, closed in (
        ("ZD1-1", "red", day(q, 50), None),
        ("ZD2-1", "yellow", day(q, 20), day(q, 35)),
    ):
        make_warning(
            bureau,
            unit=unit,
            subject=f"unit:{unit}",
            colour=colour,
            title="整改事项超期未销号",
            evidence=[],
            raised=raised,
            closed=closed,
        )


@pytest.fixture
def records(app, request, bureau) -> Records:
    return seed_once(app, request, bureau, "reporting", lambda: _records(bureau))


def _records(bureau) -> Records:
    q = quarter_of(clock.today()).previous()
    p = q.previous()
    points = _risks(q, p)
    _inspections(q, p)
    _reviews(q, p)
    _leniency(q, p)
    _ledger(q, bureau)
    db.session.commit()
    expected = {
        "risks": {"points": 3, "high": 2, "overdue_reviews": 1, "overdue_measures": 1},
        "inspections": {"plans": 1, "results": 3, "found": 2, "on_time_rate": 33.3},
        "reviews": {"files": 3, "failed": 1, "pass_rate": 66.7},
        "leniency": {"decisions": 4, "correction_rate": 66.7, "refused": 1},
        "rectification": {"open": 2, "red": 1},
        "warnings": {"open": 1, "red": 1},
    }
    return Records(q, p, expected, points)


def pdf_text(pdf: bytes) -> str:
    """All text of the PDF without whitespace, so wrapped lines still match."""
    pages = PdfReader(io.BytesIO(pdf)).pages
    return "".join("".join(page.extract_text().split()) for page in pages)
