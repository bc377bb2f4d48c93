"""What every warning rule's evaluation shares: signals, evidence, colours, thresholds.

A rule has two steps: ``gather`` (``riskctl.warnings.sources``) reads the records with
SQL aggregates and returns plain data; ``evaluate`` (here) is a pure function from that
data and the thresholds to a list of :class:`Signal`. Moments in the gathered data are
already in the bureau's time zone (``clock.local``), so evaluating needs no clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

RED, YELLOW = "red", "yellow"
# A warning names at most this many of the records it rests on (with a link to the list).
MAX_EVIDENCE = 30


@dataclass(frozen=True)
class Evidence:
    """A record a signal rests on: ``kind`` and ``ref`` identify it, ``args`` filter a list."""

    label: str
    kind: str
    ref: str = ""
    args: tuple[tuple[str, str], ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {"label": self.label, "kind": self.kind, "ref": self.ref, "args": dict(self.args)}

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.ref}"


@dataclass(frozen=True)
class Signal:
    """One condition found by a rule; ``subject_key`` is its stable identity."""

    subject_key: str
    unit: str | None
    colour: str
    title: str
    evidence: tuple[Evidence, ...] = ()
    risk_point_id: int | None = None


def doubling(count: float, threshold: float) -> str | None:
    """The colour of a count against its threshold: none below it, yellow from it, red
    from twice it."""
    if count < threshold:
        return None
    return RED if count >= 2 * threshold else YELLOW


def shown(moment: datetime) -> str:
    """A gathered moment (already in the bureau's time) as people read it, as
    ``clock.display`` shows it: ``2026-12-04 01:35``."""
    return moment.strftime("%Y-%m-%d %H:%M")
