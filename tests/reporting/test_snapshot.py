"""The snapshot: every figure of the quarter, counted from the records, in one consistent read."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text

from riskctl.core import clock
from riskctl.core.db import db
from riskctl.reporting.periods import quarter_of
from riskctl.reporting.snapshot import build_snapshot, consistent_read

# Dates count from the bureau's today: run at moments where UTC and Beijing disagree.
pytestmark = pytest.mark.usefixtures("instant")


def test_the_key_figures_equal_what_the_records_say(records):
    snapshot = build_snapshot(records.quarter, records.quarter.end)
    for section, figures in records.expected.items():
        assert snapshot["sections"][section]["key"] == figures, section


def test_the_summary_compares_with_the_previous_quarter(records):
    snapshot = build_snapshot(records.quarter, records.quarter.end)
    rows = {(r["section"], r["key"]): r for r in snapshot["summary"]}
    points = rows[("risks", "points")]
    assert (points["value"], points["previous"], points["change"]) == (3, 2, 1)
    assert rows[("inspections", "on_time_rate")]["previous"] == 100.0
    assert rows[("inspections", "on_time_rate")]["change"] == -66.7
    assert rows[("leniency", "refused")]["change"] == 1
    assert rows[("warnings", "open")]["previous"] == 0
    assert snapshot["period"]["previous"] == records.previous.label


def test_the_register_is_counted_as_it_stood_at_the_quarter_end(records):
    risks = build_snapshot(records.quarter, records.quarter.end)["sections"]["risks"]
    units = {u["code"]: u for u in risks["units"]}
    assert units["ZD1-1"]["levels"] == {"高": 1, "中": 0, "低": 0}
    assert units["ZD2-1"]["levels"] == {"高": 1, "中": 0, "低": 0}  # retired and later excluded
    assert risks["heat_map"]["counts"] == [[0, 0, 0], [0, 1, 0], [0, 1, 1]]
    changes = {c["code"]: c for c in risks["changes"]}
    assert changes["ZD2-1"]["added"] == 1 and changes["ZD2-1"]["retired"] == 1
    assert [r["title"] for r in risks["retired"]] == ["罚没款未及时上缴"]
    assert [r["days_overdue"] for r in risks["overdue_reviews"]] == [
        (records.quarter.end - records.points["medium"].next_review).days
    ]
    assert risks["overdue_measures"][0]["measure"] == "建立暂扣物品台账"


def test_inspections_list_draws_with_digests_coverage_and_results(records):
    data = build_snapshot(records.quarter, records.quarter.end)["sections"]["inspections"]
    assert [p["code"] for p in data["plans"]] == ["SJ-Q-01"]
    assert len(data["draws"]) == 1 and len(data["draws"][0]["result_digest"]) == 64
    coverage = {c["class"]: (c["drawn"], c["inspected"]) for c in data["coverage"]}
    assert coverage == {"A": (1, 1), "B": (1, 1), "C": (1, 1), "D": (1, 0)}
    results = {r["code"]: r["count"] for r in data["results"]}
    assert results["no_problem"] == results["corrected"] == results["falsified"] == 1
    assert data["publication"] == {
        "total": 3,
        "on_time": 1,
        "late": 1,
        "overdue": 1,
        "pending": 0,
        "on_time_rate": 33.3,
    }


def test_reviews_leniency_and_ledger_details(records):
    sections = build_snapshot(records.quarter, records.quarter.end)["sections"]
    reviews = sections["reviews"]
    assert reviews["totals"]["grades"] == {"优秀": 1, "合格": 1, "不合格": 1}
    assert reviews["referred"] == 1
    assert {r["code"] for r in reviews["frequent"]} == {"CX2", "F03"}
    leniency = sections["leniency"]
    assert leniency["first_offence"] == 3 and leniency["minor"] == 1
    assert {u["code"]: u["total"] for u in leniency["units"]} == {
        "ZD1-1": 1,
        "ZD1-2": 1,
        "ZD2-1": 2,
    }
    assert leniency["median"] == 0.5  # decisions per officer taking part: 0.5, 0.5 and 1
    flagged = [(r["code"], r["ratio"]) for r in leniency["unit_rates"] if r["flagged"]]
    assert flagged == [("ZD2-1", 2.0)]
    ledger = sections["rectification"]
    assert ledger["counts"] == {"red": 1, "yellow": 0, "green": 1, "open": 2}
    assert ledger["closed_in_quarter"] == 1
    assert [i["title"] for i in ledger["overdue"]] == ["案卷未载明裁量理由"]
    assert sections["warnings"]["units"] == [
        {"name": "市容秩序第一中队", "red": 1, "yellow": 0, "open": 1}
    ]


def test_an_empty_bureau_gives_zeros_and_no_rates(bureau):
    snapshot = build_snapshot(quarter_of(clock.today()).previous(), clock.today())
    values = {(r["section"], r["key"]): r["value"] for r in snapshot["summary"]}
    assert values[("risks", "points")] == 0
    assert values[("inspections", "on_time_rate")] is None
    assert values[("reviews", "pass_rate")] is None


def test_the_snapshot_is_read_in_one_transaction(app, is_postgres):
    with consistent_read():
        if is_postgres:
            level = db.session.execute(text("SHOW transaction_isolation")).scalar()
            assert level == "repeatable read"
        else:
            db.session.execute(text("SELECT 1"))
            assert db.session.connection().connection.dbapi_connection.in_transaction


def test_a_write_committed_during_the_snapshot_is_not_seen(app, bureau, is_postgres):
    if not is_postgres:
        pytest.skip("SQLite: a reader's transaction blocks writers, so no write can interleave")

    def write() -> None:
        with app.app_context():
            db.session.execute(text("UPDATE units SET name = '改名后的中队' WHERE code = 'ZD1-1'"))
            db.session.commit()

    with consistent_read():
        before = db.session.execute(text("SELECT name FROM units WHERE code = 'ZD1-1'")).scalar()
        writer = threading.Thread(target=write)
        writer.start()
        writer.join(30)
        after = db.session.execute(text("SELECT name FROM units WHERE code = 'ZD1-1'")).scalar()
    assert before == after == "市容秩序第一中队"
