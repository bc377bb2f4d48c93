"""Statistics for a period: counts, correction rate, refused repeats, rates against the median."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from riskctl.core import clock
from riskctl.core.db import db
from riskctl.leniency import operations
from riskctl.leniency.stats import queries as stats
from tests.leniency.conftest import body, credit_code, days_ago, id_card, random_credit_code

# Dates count from the bureau's today: run at moments where UTC and Beijing disagree.
pytestmark = pytest.mark.usefixtures("instant")

URL = "/api/v1/leniency/stats"


@pytest.fixture
def period():
    today = clock.today()
    return stats.Period(today - timedelta(days=60), today)


@pytest.fixture
def dataset(bureau, make_record):
    """ZD1-1: 4 decisions by ZF1101/ZF1102 (one of them twice the same party, minor);
    ZD2-1: 2 decisions by ZF2101/ZF2102/ZF2103; one record outside the period."""
    rng = random.Random(7)
    legal = bureau.users["legal"]
    a = make_record(occurred_at=days_ago(50))
    b = make_record(occurred_at=days_ago(40), ground="minor")  # same party, same officers
    # 轻微不罚 after an earlier record waits for 法制审核; approved, it counts.
    operations.review_held(b, {"approve": True, "note": "违法行为轻微且已当场改正"}, legal)
    c = make_record(occurred_at=days_ago(30), party_id=random_credit_code(rng), item_code="CG-002")
    d = make_record(
        occurred_at=days_ago(20),
        party_id=id_card(),
        item_code="CG-003",
        ground="minor",
        correction_deadline=days_ago(19).date(),
    )
    e = make_record(
        unit="ZD2-1",
        occurred_at=days_ago(10),
        party_id=random_credit_code(rng),
        officers=["ZF2101", "ZF2102"],
    )
    f = make_record(
        unit="ZD2-1",
        occurred_at=days_ago(5),
        party_id=random_credit_code(rng),
        officers=["ZF2102", "ZF2103"],
        item_code="CG-002",
    )
    make_record(occurred_at=days_ago(90), party_id=random_credit_code(rng))
    today = clock.today()
    for record, result in ((a, "passed"), (b, "passed"), (c, "failed")):
        operations.sign_commitment(record, {"signed_on": record.occurred_on}, today)
        operations.record_followup(
            record,
            {
                "checked_on": record.occurred_on + timedelta(days=5),
                "result": result,
                "officer": "ZF1101",
            },
            legal,
            today,
        )
    db.session.commit()
    return {"a": a, "b": b, "c": c, "d": d, "e": e, "f": f}


def test_counts_by_item_unit_and_officer(dataset, period):
    assert [(c.key, c.total, c.first_offence, c.minor) for c in stats.by_item(period)] == [
        ("CG-001", 3, 2, 1),
        ("CG-002", 2, 2, 0),
        ("CG-003", 1, 0, 1),
    ]
    assert [(c.key, c.label, c.total) for c in stats.by_unit(period)] == [
        ("ZD1-1", "市容秩序第一中队", 4),
        ("ZD2-1", "环境卫生第一中队", 2),
    ]
    assert [(c.key, c.total) for c in stats.by_officer(period)] == [
        ("ZF1101", 4),
        ("ZF1102", 4),
        ("ZF2102", 2),
        ("ZF2101", 1),
        ("ZF2103", 1),
    ]


def test_the_period_bounds_the_figures(dataset):
    today = clock.today()
    last_fortnight = stats.Period(today - timedelta(days=14), today)
    assert [(c.key, c.total) for c in stats.by_unit(last_fortnight)] == [("ZD2-1", 2)]


def test_correction_rate_counts_followups_of_the_period(dataset, period):
    result = stats.correction(period, clock.today())
    assert (result.passed, result.failed, result.pending) == (2, 1, 3)
    assert result.rate == pytest.approx(2 / 3)
    # d (20 days ago) is past its follow-up deadline; e and f are not yet
    assert result.overdue == 1


def test_refused_repeats_are_counted_by_unit(api, dataset, period):
    response = api("officer").post("/api/v1/leniency/records", json=body())
    assert response.status_code == 409
    assert stats.refusals_by_unit(period) == [("ZD1-1", "市容秩序第一中队", 1)]


def test_unit_rates_are_decisions_per_officer_against_the_median(dataset, period):
    table = stats.unit_rates(period, warn_ratio=1.2)
    rows = {r.key: r for r in table.rows}
    assert (rows["ZD1-1"].decisions, rows["ZD1-1"].officers, rows["ZD1-1"].rate) == (4, 2, 2.0)
    assert (rows["ZD2-1"].decisions, rows["ZD2-1"].officers) == (2, 3)
    assert rows["ZD2-1"].rate == pytest.approx(0.667)
    assert table.median == pytest.approx((2.0 + 2 / 3) / 2, abs=1e-3)
    assert rows["ZD1-1"].ratio == pytest.approx(1.5) and rows["ZD1-1"].flagged
    assert not rows["ZD2-1"].flagged


def test_officer_rates_against_the_median(dataset, period):
    table = stats.officer_rates(period, warn_ratio=2.0)
    assert table.median == 2
    flagged = [r.key for r in table.rows if r.flagged]
    assert flagged == ["ZF1101", "ZF1102"]


def test_one_officer_deciding_for_the_same_party_again_is_listed(dataset, period):
    repeats = stats.same_party_repeats(period)
    assert [(r.officer, r.decisions, r.record_ids) for r in repeats] == [
        ("ZF1101", 2, [dataset["a"].id, dataset["b"].id]),
        ("ZF1102", 2, [dataset["a"].id, dataset["b"].id]),
    ]
    assert repeats[0].party_masked == dataset["a"].party_masked
    assert credit_code() not in str(repeats)


def test_an_empty_period_has_no_median(bureau):
    today = clock.today()
    empty = stats.Period(today - timedelta(days=3), today)
    assert stats.unit_rates(empty, 2.0) == stats.RateTable(None, [])
    assert stats.correction(empty, today).rate is None


def test_quarters():
    assert stats.quarter(2026, 1) == stats.Period(date(2026, 1, 1), date(2026, 3, 31))
    assert stats.quarter(2026, 4) == stats.Period(date(2026, 10, 1), date(2026, 12, 31))
    assert stats.quarter_of(date(2026, 8, 15)) == stats.quarter(2026, 3)


def test_the_api_serves_the_summary_for_readers_of_statistics(api, dataset, period):
    response = api("leader").get(f"{URL}?from={period.start}&to={period.end}")
    assert response.status_code == 200
    summary = response.get_json()
    assert summary["period"] == {"from": period.start.isoformat(), "to": period.end.isoformat()}
    assert (summary["total"], summary["first_offence"], summary["minor"]) == (6, 4, 2)
    assert summary["correction"]["passed"] == 2
    assert summary["unit_rates"]["rows"][0]["key"] == "ZD1-1"
    assert api("officer").get(URL).status_code == 403
    assert api("legal").get(f"{URL}?year=2026&quarter=5").status_code == 422
    assert api("legal").get(f"{URL}?from={period.end}&to={period.start}").status_code == 422
