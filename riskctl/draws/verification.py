"""Public verification (公开核验) of a manifest, bounded in work and shared fairly.

Anyone may post a manifest to ``POST /api/v1/draws/verify``, so nobody may make it
burn the service's CPU. Every limit is a counter in the database
(:mod:`riskctl.core.throttle`), so it holds across every worker and host:

1. before a byte of the body is read, the client address may have made at most
   ``VERIFY_MAX_REQUESTS`` requests in ``VERIFY_WINDOW_MINUTES`` (429), the service
   may be running at most ``VERIFY_CONCURRENT`` verifications (503), and reading
   the body (about one unit per 32 bytes) is charged to the address's budget;
2. once parsed, the manifest's work is estimated (:mod:`riskctl.draws.engine.cost`); above
   ``VERIFY_MAX_WORK`` it is refused without running (503), else charged to the
   address's ``VERIFY_ADDRESS_WORK`` per window (429);
3. the run itself stops when that work, or ``VERIFY_MAX_SECONDS``, is spent (503),
   which stays well under gunicorn's worker timeout.

The bureau's real size (1,000,000 targets, 2,000 inspectors) needs a fifth (its
usual ratios) to a half (api.md's default ratios, 287,500 drawn) of ``VERIFY_MAX_WORK``.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import current_app

from riskctl.core import clock, throttle
from riskctl.core.errors import ServiceUnavailable, TooManyRequests
from riskctl.draws.engine import cost
from riskctl.draws.engine.draw import DrawResult
from riskctl.draws.runner import parse, run

BYTES_PER_UNIT = 32  # reading and validating JSON costs about one unit per 32 bytes
BUSY_RETRY_SECONDS = 10


@dataclass(frozen=True)
class _Rules:
    requests: throttle.Rule
    work: throttle.Rule
    running: throttle.Rule
    max_work: int
    max_seconds: int


def _rules() -> _Rules:
    config = current_app.config
    window = timedelta(minutes=config["VERIFY_WINDOW_MINUTES"])
    seconds = config["VERIFY_MAX_SECONDS"]
    return _Rules(
        requests=throttle.Rule("verify.requests", config["VERIFY_MAX_REQUESTS"], window),
        work=throttle.Rule("verify.work", config["VERIFY_ADDRESS_WORK"], window),
        # A slot a killed worker never gave back frees itself when this window ends.
        running=throttle.Rule(
            "verify.running", config["VERIFY_CONCURRENT"], timedelta(seconds=2 * seconds + 60)
        ),
        max_work=config["VERIFY_MAX_WORK"],
        max_seconds=seconds,
    )


class Admission:
    """A verification let in: :meth:`verify` runs it within its limits."""

    def __init__(self, rules: _Rules, address: str) -> None:
        self.rules = rules
        self.address = address

    def verify(self, document: Any) -> DrawResult:
        manifest = parse(document)
        work = cost.estimate(manifest).total
        rules = self.rules
        if work > rules.max_work:
            raise ServiceUnavailable(
                f"该清单核验约需 {work:,} 个计算单位，超过公开核验服务的单次上限 "
                f"{rules.max_work:,}，未予计算；请按 riskctl-draw/1 规范自行复算"
            )
        _charge(rules, self.address, work)
        # The estimate bounds the expected work; the run may use up to the cap, so a
        # manifest just under its estimate never fails on chance.
        budget = cost.Budget(rules.max_work, time.monotonic() + rules.max_seconds)
        try:
            return run(manifest, budget)
        except cost.WorkLimitExceeded as exc:
            if exc.reason == "time":
                raise ServiceUnavailable(
                    f"核验超过 {rules.max_seconds} 秒仍未完成，已停止；请稍后再试或自行复算",
                    retry_after=BUSY_RETRY_SECONDS,
                ) from exc
            raise ServiceUnavailable(
                f"该清单的回避关系或单位构成使核验超过了计算上限 {rules.max_work:,}，已停止；"
                "请按 riskctl-draw/1 规范自行复算"
            ) from exc


def _charge(rules: _Rules, address: str, units: int) -> None:
    charged = throttle.hit(rules.work, address, units)
    if not charged.allowed:
        raise TooManyRequests(
            f"本地址 {rules.work.window.seconds // 60} 分钟内的核验计算量已达上限，"
            f"请于 {charged.window_end_local}（{clock.zone_label()}）后再试",
            retry_after=charged.retry_after,
        )


@contextmanager
def admission(remote_addr: str | None, content_length: int | None) -> Iterator[Admission]:
    """Let one verification in (step 1 of the module doc) and hold its slot until done.

    Enter before reading the request body.
    """
    rules = _rules()
    address = throttle.client_subject(remote_addr)
    requests = throttle.hit(rules.requests, address)
    if not requests.allowed:
        raise TooManyRequests(
            f"本地址核验请求过于频繁（{rules.requests.window.seconds // 60} 分钟内至多 "
            f"{rules.requests.limit} 次），请于 {requests.window_end_local}"
            f"（{clock.zone_label()}）后再试",
            retry_after=requests.retry_after,
        )
    reading = max(1, (content_length or current_app.config["VERIFY_MAX_UPLOAD"]) // BYTES_PER_UNIT)
    _charge(rules, address, min(reading, rules.work.limit))
    slot = throttle.hit(rules.running, "*")
    if not slot.allowed:
        raise ServiceUnavailable(
            "核验服务繁忙（其他核验正在计算），请稍后再试", retry_after=BUSY_RETRY_SECONDS
        )
    try:
        yield Admission(rules, address)
    finally:
        throttle.release(rules.running, "*")
