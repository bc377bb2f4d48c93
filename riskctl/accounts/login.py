"""Signing in (登录) behind two throttles kept in the database.

Failed sign-ins are limited per account name (``LOGIN_MAX_FAILURES``) and per client
address (``LOGIN_MAX_FAILURES_PER_ADDRESS``) in a window of ``LOGIN_WINDOW_MINUTES``.
Each attempt takes a slot under both limits *before* the password is checked, so
parallel attempts can never check more passwords than the limits allow; a sign-in
that succeeds gives its slots back. A locked user is told until when, and an
administrator can lift the lock at once (page and ``flask users unlock``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from werkzeug.security import check_password_hash

from riskctl.accounts import operations
from riskctl.accounts.models import LoginAttempt, User
from riskctl.accounts.operations import check_credentials
from riskctl.core import audit, clock, throttle
from riskctl.core.db import db
from riskctl.core.errors import TooManyRequests, ValidationFailed

ACCOUNT, ADDRESS = "login.account", "login.address"


def _rules() -> tuple[throttle.Rule, throttle.Rule]:
    config = current_app.config
    window = timedelta(minutes=config["LOGIN_WINDOW_MINUTES"])
    return (
        throttle.Rule(ACCOUNT, config["LOGIN_MAX_FAILURES"], window),
        throttle.Rule(ADDRESS, config["LOGIN_MAX_FAILURES_PER_ADDRESS"], window),
    )


def authenticate(username: str, password: str, remote_addr: str) -> User | None:
    """The user if the password is right; None if wrong; 429 while a limit holds."""
    account_rule, address_rule = _rules()
    address = throttle.client_subject(remote_addr)
    by_address = throttle.hit(address_rule, address)
    if not by_address.allowed:
        raise TooManyRequests(
            f"本机地址（{address}）登录失败次数过多，请于 {by_address.window_end_local}"
            f"（{clock.zone_label()}）后再试；如需提前解除，请联系系统管理员",
            retry_after=by_address.retry_after,
        )
    by_account = throttle.hit(account_rule, username)
    if not by_account.allowed:
        throttle.release(address_rule, address)
        raise _locked(by_account)
    user = check_credentials(username, password)
    if user is not None:
        throttle.release(address_rule, address)
        throttle.clear(account_rule, username)
    db.session.add(
        LoginAttempt(
            username=username[:60], remote_addr=remote_addr[:64], succeeded=user is not None
        )
    )
    audit.record(
        "login.success" if user else "login.failure",
        "user",
        username[:120],
        {"remote_addr": remote_addr},
        actor=username if user else "anonymous",
    )
    if user is None:
        _record_locks(username, address, by_account, by_address)
    return user


def _locked(verdict: throttle.Verdict) -> TooManyRequests:
    return TooManyRequests(
        f"该账号登录失败次数过多，已临时锁定至 {verdict.window_end_local}（{clock.zone_label()}），"
        "届时可再试；如需提前解锁，请联系系统管理员",
        retry_after=verdict.retry_after,
    )


def change_password(user: User, current: str, new: str) -> None:
    """The user's own change: a wrong current password counts as a failed sign-in."""
    account_rule, _ = _rules()
    verdict = throttle.hit(account_rule, user.username)
    if not verdict.allowed:
        raise _locked(verdict)
    if not check_password_hash(user.password_hash, current):
        raise ValidationFailed.field("current_password", "当前密码不正确")
    throttle.release(account_rule, user.username)
    operations.change_password(user, new)


def _record_locks(
    username: str, address: str, account: throttle.Verdict, by_address: throttle.Verdict
) -> None:
    """The failure that used up a limit is audited as the start of a lock."""
    account_rule, address_rule = _rules()
    if account.used >= account_rule.limit:
        audit.record(
            "login.lock", "user", username[:120], {"until": account.window_end.isoformat()}
        )
    if by_address.used >= address_rule.limit:
        audit.record("login.lock", "address", address, {"until": by_address.window_end.isoformat()})


@dataclass(frozen=True)
class Lock:
    kind: str  # "account" or "address"
    subject: str
    failures: int
    until: datetime


def locks() -> list[Lock]:
    """Accounts and addresses whose sign-ins are refused now."""
    found = []
    for kind, rule in zip(("account", "address"), _rules(), strict=True):
        for counter in throttle.exhausted(rule):
            found.append(
                Lock(kind, counter.subject, counter.used, throttle.window_end(rule, counter))
            )
    return found


def unlock(kind: str, subject: str) -> bool:
    """Lift a lock now (解除锁定); audited. False when there was nothing to lift."""
    account_rule, address_rule = _rules()
    rule = account_rule if kind == "account" else address_rule
    lifted = throttle.clear(rule, subject)
    if lifted:
        audit.record("login.unlock", "user" if kind == "account" else "address", subject[:120])
    return lifted
