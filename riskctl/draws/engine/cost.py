"""What a riskctl-draw/1 run costs, known before it runs, and a budget that stops it.

Work is counted in units of about one SHA-256 of the engine (≈ 2 µs in CPython):

- the rosters: every target, inspector and conflict pair is sorted and hashed
  into the digests (one unit each);
- step 3: one key per target of a stratum with a non-zero quota;
- step 4: per pick, a few units of bookkeeping plus the team's size, and the
  candidates tried until one is in the pool.

The candidates are the part a hostile manifest inflates. After ``k`` picks at most
``⌊k / cap⌋`` inspectors are full, so the pool of pick ``j`` of a team holds at
least ``|P| − ⌊k / cap⌋ − j`` inspectors and the expected number of tries is at
most ``|P|`` over that. Summed over every pick this is a harmonic sum, which
:func:`estimate` bounds in closed form. Conflicts and the preference for
mixed-unit teams can shrink a pool below that bound, so the run itself also
counts its tries against the same :class:`Budget` and stops when it is spent.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from riskctl.draws.engine.manifest import Manifest

PICK_OVERHEAD = 3  # units of bookkeeping per pick besides the team's size
_EULER = 0.5772156649015329


class WorkLimitExceeded(Exception):
    """The run used up its budget of work or time; nothing is returned."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # "work" or "time"


@dataclass(frozen=True, slots=True)
class Estimate:
    rosters: int
    keys: int
    picks: int
    tries: int

    @property
    def total(self) -> int:
        return self.rosters + self.keys + self.picks + self.tries


def _harmonic(n: int) -> float:
    """H(n) = 1 + 1/2 + … + 1/n, with H(0) = 0 (asymptotic form above 64)."""
    if n <= 64:
        return math.fsum(1 / k for k in range(1, n + 1))
    return math.log(n) + _EULER + 1 / (2 * n) - 1 / (12 * n * n)


def _tries_bound(picks: int, people: int, team_size: int, cap: int) -> int:
    """Upper bound of the expected candidates tried over ``picks`` picks (see module doc)."""
    if picks == 0 or people == 0:
        return 0
    floor_pool = people - (team_size - 1)  # the pool of the team's last pick, nobody full
    blocks = -(-picks // cap)  # ⌈picks / cap⌉: blocks of ``cap`` picks, one more full each
    # Blocks while the pool bound is at least 1: |P| / (floor_pool − b) for b < blocks.
    open_blocks = min(blocks, max(floor_pool, 0))
    sum_open = _harmonic(floor_pool) - _harmonic(floor_pool - open_blocks) if open_blocks else 0
    # Beyond that the bound is a pool of one: |P| tries per pick (the draw will fail).
    tries = cap * people * sum_open + (blocks - open_blocks) * cap * people
    return max(picks, math.ceil(tries))


def estimate(manifest: Manifest) -> Estimate:
    """The work :func:`riskctl.draws.engine.draw.run_draw` may need for ``manifest``."""
    people = len(manifest.inspector_ids)
    quotas = dict(manifest.quotas)
    keyed = sum(manifest.target_strata.count(s) for s, n in quotas.items() if n)
    picks = sum(quotas.values()) * manifest.team_size
    return Estimate(
        rosters=len(manifest.target_ids) + people + len(manifest.conflicts),
        keys=keyed,
        picks=picks * (PICK_OVERHEAD + manifest.team_size),
        tries=_tries_bound(picks, people, manifest.team_size, max(manifest.cap, 1))
        if manifest.team_size
        else 0,
    )


class Budget:
    """Units of work and a deadline (``time.monotonic()``) a run may not pass."""

    def __init__(self, units: int, deadline: float | None = None) -> None:
        self.left = units
        self.deadline = deadline

    def spend(self, units: int) -> None:
        self.left -= units
        if self.left < 0:
            raise WorkLimitExceeded("work")
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise WorkLimitExceeded("time")
