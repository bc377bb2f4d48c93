"""Counting SQLAlchemy events while a block of a test runs."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event


@contextmanager
def heard(*listened: tuple[Any, str]) -> Iterator[Counter[str]]:
    """How often each ``(target, event name)`` fired while the block ran, by event name
    (an event that never fired counts 0)."""
    fired: Counter[str] = Counter()
    listeners = []
    for target, name in listened:

        def listener(*_args: Any, _name: str = name) -> None:
            fired[_name] += 1

        event.listen(target, name, listener)
        listeners.append((target, name, listener))
    try:
        yield fired
    finally:
        for target, name, listener in listeners:
            event.remove(target, name, listener)
