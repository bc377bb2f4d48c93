"""Rate limits in the database: counted atomically, shared by every worker."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import select

from riskctl.core import clock, throttle
from riskctl.core.db import db
from riskctl.core.throttle import Rule, ThrottleCounter

RULE = Rule("test.rule", 5, timedelta(minutes=15))


def test_a_rule_lets_its_limit_through_and_refusals_count_nothing():
    verdicts = [throttle.hit(RULE, "1.2.3.4") for _ in range(8)]
    assert [v.allowed for v in verdicts] == [True] * 5 + [False] * 3
    assert [v.used for v in verdicts] == [1, 2, 3, 4, 5, 5, 5, 5]
    assert throttle.hit(RULE, "5.6.7.8").allowed  # another subject has its own count
    refused = verdicts[-1]
    assert 14 * 60 <= refused.retry_after <= 15 * 60 + 1
    assert refused.window_end_local == clock.display(refused.window_end)  # the bureau's time


def test_weights_are_counted_only_when_they_fit():
    rule = Rule("test.work", 100, timedelta(minutes=10))
    assert throttle.hit(rule, "a", 60).allowed
    assert not throttle.hit(rule, "a", 50).allowed
    assert throttle.hit(rule, "a", 40).allowed
    assert not throttle.hit(rule, "b", 101).allowed  # more than the limit never fits
    assert throttle.hit(rule, "b", 100).allowed


def test_a_new_window_opens_once_the_old_one_has_ended():
    for _ in range(5):
        throttle.hit(RULE, "x")
    assert not throttle.hit(RULE, "x").allowed
    counter = db.session.scalar(select(ThrottleCounter))
    counter.window_start = clock.now() - RULE.window - timedelta(seconds=1)
    db.session.commit()
    verdict = throttle.hit(RULE, "x")
    assert verdict.allowed and verdict.used == 1


def test_release_gives_units_back_and_clear_lifts_the_limit():
    for _ in range(5):
        throttle.hit(RULE, "x")
    throttle.release(RULE, "x")
    assert throttle.hit(RULE, "x").allowed
    assert not throttle.hit(RULE, "x").allowed
    assert [c.subject for c in throttle.exhausted(RULE)] == ["x"]
    assert throttle.clear(RULE, "x") is True
    assert throttle.exhausted(RULE) == []
    assert throttle.hit(RULE, "x").used == 1
    throttle.release(RULE, "x", 10)
    assert db.session.scalar(select(ThrottleCounter.used)) == 0  # never below zero


def test_counts_survive_the_requests_rollback():
    throttle.hit(RULE, "x")
    db.session.rollback()
    assert db.session.scalar(select(ThrottleCounter.used)) == 1


def test_parallel_hits_never_get_more_than_the_limit_through(app):
    results: list[bool] = []
    start = threading.Barrier(24)

    def attempt() -> None:
        with app.app_context():
            start.wait()
            results.append(throttle.hit(RULE, "parallel").allowed)
            db.session.remove()

    threads = [threading.Thread(target=attempt) for _ in range(24)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False] * 19 + [True] * 5
    assert db.session.scalar(select(ThrottleCounter.used)) == 5


def test_client_addresses_count_ipv6_by_its_64_prefix():
    assert throttle.client_subject("10.0.0.7") == "10.0.0.7"
    assert throttle.client_subject("2001:db8:1:2:aaaa::1") == "2001:db8:1:2::/64"
    assert throttle.client_subject("2001:db8:1:2:bbbb::9") == "2001:db8:1:2::/64"
    assert throttle.client_subject("::ffff:10.0.0.7") == "10.0.0.7"
    assert throttle.client_subject("") == "unknown"
