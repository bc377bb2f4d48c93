"""The public verify endpoint is bounded in work, per address and for the whole service."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from riskctl.core import throttle
from riskctl.core.db import db
from riskctl.core.throttle import ThrottleCounter
from riskctl.draws import verification
from riskctl.draws.engine import cost
from riskctl.draws.engine.manifest import Manifest
from tests.draws.conftest import vector

TINY = "tiny-two-strata"
BENCH_STRATA = {"A": (100_000, 3_000), "B": (400_000, 12_000), "C": (350_000, 17_500)}


def _post(client, manifest: dict, address: str = "203.0.113.5"):
    return client.post(
        "/api/v1/draws/verify",
        data=json.dumps(manifest, ensure_ascii=False),
        content_type="application/json",
        environ_base={"REMOTE_ADDR": address},
    )


def _coupon_collector(targets: int, inspectors: int, cap: int = 1) -> dict:
    """The hostile shape: every target drawn, teams that use up every inspector's cap."""
    return {
        "plan": "X",
        "targets": [{"id": f"T{k:07d}", "stratum": "A"} for k in range(targets)],
        "quotas": {"A": targets},
        "inspectors": [{"id": f"I{k:07d}", "unit": "U"} for k in range(inspectors)],
        "conflicts": [],
        "team_size": 2,
        "cap": cap,
        "entropy": "e",
    }


def _manifest(
    strata: dict[str, tuple[int, int]], inspectors: int, units: int, cap: int, conflicts: int = 0
) -> Manifest:
    """A frozen manifest of real size built without parsing (only sizes matter to cost)."""
    ids = tuple(f"T{k:07d}" for k in range(sum(n for n, _ in strata.values())))
    groups = tuple(s for s, (n, _) in strata.items() for _ in range(n))
    people = tuple(f"I{k:07d}" for k in range(inspectors))
    return Manifest(
        "P",
        ids,
        groups,
        tuple((s, q) for s, (_, q) in sorted(strata.items())),
        people,
        tuple(f"U{k % units}" for k in range(inspectors)),
        tuple((people[k % inspectors], ids[k]) for k in range(conflicts)),
        2,
        cap,
        "e",
    )


def test_the_issues_hostile_manifest_costs_more_than_one_request_may(app):
    """1,000,000 inspectors, 500,000 targets, cap 1: refused without running."""
    hostile = _manifest({"A": (500_000, 500_000)}, 1_000_000, 1, cap=1)
    assert cost.estimate(hostile).total > app.config["VERIFY_MAX_WORK"]


@pytest.mark.parametrize(
    ("strata", "cap"),
    [
        # bench/bench_draw.py: the city's roster at its usual sampling ratios
        ({**BENCH_STRATA, "D": (150_000, 18_000)}, 60),
        # api.md's default ratios (5/10/30/70 %) and default cap on a 1,000,000 roster
        (
            {
                "A": (250_000, 12_500),
                "B": (250_000, 25_000),
                "C": (250_000, 75_000),
                "D": (250_000, 175_000),
            },
            289,
        ),
    ],
)
def test_the_bureaus_real_size_fits_in_one_request(app, strata, cap):
    bureau = _manifest(strata, 2_000, 20, cap, conflicts=20_000)
    assert cost.estimate(bureau).total < app.config["VERIFY_MAX_WORK"]


def test_an_over_budget_manifest_gets_503_and_a_chinese_message(client, monkeypatch, app):
    monkeypatch.setitem(app.config, "VERIFY_MAX_WORK", 50_000)
    response = _post(client, _coupon_collector(2_000, 4_000))
    assert response.status_code == 503
    error = response.get_json()["error"]
    assert error["code"] == "service_unavailable"
    assert "超过公开核验服务的单次上限 50,000" in error["message"]
    assert _post(client, vector(TINY)["manifest"]).status_code == 200  # small ones still run


def test_a_run_the_estimate_cannot_foresee_is_stopped_by_its_budget(client, monkeypatch, app):
    """One inspector of another unit: every second pick hunts for them (交叉执法)."""
    monkeypatch.setitem(app.config, "VERIFY_MAX_WORK", 20_000)
    manifest = _coupon_collector(300, 300, cap=1000)
    manifest["inspectors"].append({"id": "I-other", "unit": "B"})
    response = _post(client, manifest)
    assert response.status_code == 503
    assert "超过了计算上限 20,000，已停止" in response.get_json()["error"]["message"]


def test_a_run_never_passes_its_time_limit(client, monkeypatch, app):
    monkeypatch.setitem(app.config, "VERIFY_MAX_SECONDS", 0)
    response = _post(client, vector(TINY)["manifest"])
    assert response.status_code == 503
    assert "核验超过 0 秒仍未完成" in response.get_json()["error"]["message"]
    assert int(response.headers["Retry-After"]) > 0


def test_each_address_has_a_request_limit_kept_in_the_database(client, app):
    limit = app.config["VERIFY_MAX_REQUESTS"]
    manifest = vector(TINY)["manifest"]
    assert [_post(client, manifest).status_code for _ in range(limit)] == [200] * limit
    refused = _post(client, manifest)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert "本地址核验请求过于频繁" in refused.get_json()["error"]["message"]
    assert _post(client, manifest, address="198.51.100.20").status_code == 200
    counter = db.session.scalar(
        select(ThrottleCounter).where(
            ThrottleCounter.rule == "verify.requests", ThrottleCounter.subject == "203.0.113.5"
        )
    )
    assert counter.used == limit


def test_each_address_has_a_work_budget(client, monkeypatch, app):
    monkeypatch.setitem(app.config, "VERIFY_ADDRESS_WORK", 300)
    statuses = [_post(client, vector(TINY)["manifest"]).status_code for _ in range(6)]
    assert 200 in statuses and statuses[-1] == 429
    refused = _post(client, vector(TINY)["manifest"])
    assert "核验计算量已达上限" in refused.get_json()["error"]["message"]


def test_only_so_many_verifications_run_at_once_in_the_whole_service(client, app):
    with app.test_request_context():
        running = verification._rules().running
    assert throttle.hit(running, "*").allowed  # another worker is verifying
    busy = _post(client, vector(TINY)["manifest"])
    assert busy.status_code == 503 and "核验服务繁忙" in busy.get_json()["error"]["message"]
    throttle.release(running, "*")
    assert _post(client, vector(TINY)["manifest"]).status_code == 200
    bad = vector(TINY)["manifest"] | {"entropy": ""}
    assert _post(client, bad).status_code == 422
    used = db.session.scalar(
        select(ThrottleCounter.used).where(ThrottleCounter.rule == "verify.running")
    )
    assert used == 0  # every run gave its slot back, failed or not


def test_a_slot_a_killed_worker_never_returned_frees_itself(client, app):
    with app.test_request_context():
        running = verification._rules().running
    throttle.hit(running, "*")
    counter = db.session.scalar(
        select(ThrottleCounter).where(ThrottleCounter.rule == "verify.running")
    )
    counter.window_start -= running.window + timedelta(seconds=1)
    db.session.commit()
    assert _post(client, vector(TINY)["manifest"]).status_code == 200
