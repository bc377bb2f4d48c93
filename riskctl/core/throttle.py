"""Rate limits kept in the database (限流), shared by every worker and every host.

A :class:`Rule` allows ``limit`` units per ``window`` to each subject: an address,
an account name, or ``"*"`` for the whole service. A window opens at the first hit
after the previous one ended. One ``INSERT … ON CONFLICT DO UPDATE … RETURNING``
both decides and counts a hit, and counts it only when it fits, so parallel
requests on any number of workers never get more than ``limit`` through.

Counters are written on a connection of their own and committed at once: a
request that is refused or fails (its own transaction rolls back) still counted,
and every other worker sees the count immediately. Call :func:`hit` before the
request's session writes anything (on SQLite a second writer would wait for it).
"""

from __future__ import annotations

import ipaddress
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import BigInteger, Boolean, String, case, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column

from riskctl.core import clock
from riskctl.core.db import UTCDateTime, db

SUBJECT_MAX = 100
MAX_WINDOW = timedelta(days=1)
_PRUNE_CHANCE = 0.01


class ThrottleCounter(db.Model):
    """Units used by one subject under one rule in the current window."""

    __tablename__ = "throttle_counters"

    rule: Mapped[str] = mapped_column(String(40), primary_key=True)
    subject: Mapped[str] = mapped_column(String(SUBJECT_MAX), primary_key=True)
    used: Mapped[int] = mapped_column(BigInteger)
    window_start: Mapped[datetime] = mapped_column(UTCDateTime)
    # The verdict of the latest hit, written by the same statement that counted it.
    accepted: Mapped[bool] = mapped_column(Boolean)


@dataclass(frozen=True)
class Rule:
    name: str
    limit: int
    window: timedelta

    def __post_init__(self) -> None:
        if self.limit < 1 or not timedelta(0) < self.window <= MAX_WINDOW:
            raise ValueError(f"throttle rule {self.name}: limit >= 1, 0 < window <= 1 day")


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    used: int
    window_end: datetime

    @property
    def retry_after(self) -> int:
        """Seconds until the window ends (for the Retry-After header), at least 1."""
        return max(1, int((self.window_end - clock.now()).total_seconds()) + 1)

    @property
    def window_end_local(self) -> str:
        """When the window ends, in the bureau's time: ``2026-12-04 14:05``."""
        return clock.display(self.window_end)


def subject_key(value: str) -> str:
    return value[:SUBJECT_MAX]


def client_subject(remote_addr: str | None) -> str:
    """The subject for a client address: IPv4 as is, IPv6 by its /64 (one host's
    share of addresses is a whole /64, which would otherwise dodge every limit)."""
    try:
        address = ipaddress.ip_address(remote_addr or "")
    except ValueError:
        return subject_key(remote_addr or "unknown")
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def _insert(dialect: str):
    return (postgresql if dialect == "postgresql" else sqlite).insert(ThrottleCounter.__table__)


def hit(rule: Rule, subject: str, weight: int = 1) -> Verdict:
    """Count ``weight`` units for ``subject`` if they fit under ``rule``; say whether they did.

    A refused hit counts nothing, so refusals never extend a window.
    """
    subject = subject_key(subject)
    table = ThrottleCounter.__table__
    now = clock.now()
    expired = table.c.window_start <= now - rule.window
    base = case((expired, 0), else_=table.c.used)
    fits = base + weight <= rule.limit
    first = weight <= rule.limit
    with db.engine.begin() as conn:
        statement = (
            _insert(conn.dialect.name)
            .values(
                rule=rule.name,
                subject=subject,
                used=weight if first else 0,
                window_start=now,
                accepted=first,
            )
            .on_conflict_do_update(
                index_elements=[table.c.rule, table.c.subject],
                set_={
                    "used": case((fits, base + weight), else_=base),
                    "window_start": case((expired, now), else_=table.c.window_start),
                    "accepted": fits,
                },
            )
            .returning(table.c.used, table.c.window_start, table.c.accepted)
        )
        used, start, accepted = conn.execute(statement).one()
        if random.random() < _PRUNE_CHANCE:
            conn.execute(delete(table).where(table.c.window_start < now - MAX_WINDOW))
    return Verdict(bool(accepted), used, start + rule.window)


def release(rule: Rule, subject: str, weight: int = 1) -> None:
    """Give back units of the current window (a login that succeeded, a finished run)."""
    table = ThrottleCounter.__table__
    with db.engine.begin() as conn:
        conn.execute(
            update(table)
            .where(
                table.c.rule == rule.name,
                table.c.subject == subject_key(subject),
                table.c.window_start > clock.now() - rule.window,
            )
            .values(used=case((table.c.used > weight, table.c.used - weight), else_=0))
        )


def clear(rule: Rule, subject: str) -> bool:
    """Lift the limit for ``subject`` now (an administrator unlocking an account)."""
    table = ThrottleCounter.__table__
    with db.engine.begin() as conn:
        result = conn.execute(
            delete(table).where(table.c.rule == rule.name, table.c.subject == subject_key(subject))
        )
    return result.rowcount > 0


def exhausted(rule: Rule, threshold: int | None = None) -> list[ThrottleCounter]:
    """Subjects that used at least ``threshold`` (default: the whole limit) this window."""
    threshold = rule.limit if threshold is None else threshold
    return list(
        db.session.scalars(
            select(ThrottleCounter)
            .where(
                ThrottleCounter.rule == rule.name,
                ThrottleCounter.used >= threshold,
                ThrottleCounter.window_start > clock.now() - rule.window,
            )
            .order_by(ThrottleCounter.window_start.desc())
        )
    )


def window_end(rule: Rule, counter: ThrottleCounter) -> datetime:
    return counter.window_start + rule.window
