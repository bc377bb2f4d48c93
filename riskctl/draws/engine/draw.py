"""The riskctl-draw/1 procedure (双随机公开抽取), as a pure function of a parsed manifest.

This is the only implementation of the draw: inspection draws, case-review
draws, the ``draws verify`` command and the verify endpoint all call it, so a
published result can be recomputed byte for byte (see ``design/draw-spec.md``).
No Flask, no database.
"""

from __future__ import annotations

import hashlib
import heapq
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from riskctl.draws.engine import cost
from riskctl.draws.engine.cost import PICK_OVERHEAD, Budget, WorkLimitExceeded
from riskctl.draws.engine.manifest import ALGORITHM, DrawError, Manifest, ManifestError

_sha256 = hashlib.sha256
_NOBODY: frozenset[int] = frozenset()
_NO_UNITS: Mapping[int, int] = MappingProxyType({})
_UNLIMITED = 1 << 62  # a budget no run reaches: draws of the bureau's own plans
_BELOW_TAB = [bytes([b]) for b in range(9)]  # U+0000 to U+0008 in UTF-8


@dataclass(frozen=True, slots=True)
class Digests:
    """Digests of the frozen inputs (step 1); computable before entropy exists."""

    targets_digest: str
    inspectors_digest: str
    conflicts_digest: str
    quotas_digest: str


@dataclass(frozen=True, slots=True)
class Selection:
    """One drawn target (抽中对象) with its hex key and team in pick order."""

    target: str
    stratum: str
    key: str
    inspectors: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DrawResult:
    """A finished draw: everything 一公开 shows, given as :func:`result_as_dict`."""

    digests: Digests
    seed: str
    selected: tuple[Selection, ...]
    result_digest: str


def _digest(lines: Iterable[str]) -> str:
    """D(lines), the lines given without their "\\n"; no lines hashes zero bytes."""
    body = list(lines)
    text = "\n".join(body) + "\n" if body else ""
    return _sha256(text.encode()).hexdigest()


def _roster_digest(ids: Sequence[str], values: Sequence[str]) -> str:
    """D of the lines ``id TAB value`` sorted by id.

    Sorting the lines themselves gives the same order, faster, when no id or value
    holds a tab or a character below it (U+0000 to U+0008): a line then orders as its
    id does, since where an id is a prefix of another, its TAB sorts before the
    other's next character. Otherwise the lines are sorted by id explicitly.
    """
    lines = list(map("\t".join, zip(ids, values, strict=True)))
    lines.sort()
    data = ("\n".join(lines) + "\n" if lines else "").encode()
    # In UTF-8 these bytes only ever stand for those characters; ``in`` scans bytes fast.
    if data.count(b"\t") == len(lines) and not any(c in data for c in _BELOW_TAB):
        return _sha256(data).hexdigest()
    order = sorted(range(len(ids)), key=ids.__getitem__)
    lines = list(map("\t".join, zip(ids, values, strict=True)))
    return _digest(map(lines.__getitem__, order))


def compute_digests(manifest: Manifest) -> Digests:
    """Step 1: D_T, D_I, D_C, D_Q. Entropy plays no part (plan lock time)."""
    return Digests(
        targets_digest=_roster_digest(manifest.target_ids, manifest.target_strata),
        inspectors_digest=_roster_digest(manifest.inspector_ids, manifest.inspector_units),
        conflicts_digest=_digest(map("\t".join, manifest.conflicts)),
        quotas_digest=_digest(f"{s}\t{n}" for s, n in manifest.quotas),
    )


def _seed(manifest: Manifest, digests: Digests, entropy: str) -> bytes:
    parts = (
        ALGORITHM,
        manifest.plan,
        digests.targets_digest,
        digests.inspectors_digest,
        digests.conflicts_digest,
        digests.quotas_digest,
        str(manifest.team_size),
        str(manifest.cap),
        entropy,
    )
    return _sha256("\n".join(parts).encode()).digest()


def _select_targets(manifest: Manifest, seed: bytes) -> list[tuple[bytes, str]]:
    """Step 3: ``(key ‖ u(id), stratum)`` of the selected targets in result order.

    Appending the id bytes to the 32-byte key makes plain bytes order equal
    "by key, ties by id", so no tuples are built per target. Strata with a
    zero quota are never hashed: their keys are not published.
    """
    quotas = {s: n for s, n in manifest.quotas if n}
    members: dict[str, list[str]] = {s: [] for s in quotas}
    for target, stratum in zip(manifest.target_ids, manifest.target_strata, strict=True):
        group = members.get(stratum)
        if group is not None:
            group.append(target)
    prefix = seed + b"T\x00"
    chosen: list[tuple[bytes, str]] = []
    for stratum, group in members.items():
        n = quotas[stratum]
        keyed = [_sha256(prefix + (b := t.encode())).digest() + b for t in group]
        best = sorted(keyed)[:n] if 4 * n >= len(keyed) else heapq.nsmallest(n, keyed)
        chosen.extend((k, stratum) for k in best)
    chosen.sort()
    return chosen


class _Staffing:
    """Step 4's state: P (inspectors sorted by id), loads, and per unit the
    count of inspectors still under the cap. One who reaches the cap leaves
    those counts for good; a target's conflicts and team are subtracted only
    while that target is staffed. The counts tell whether E and F are empty
    without ever building them."""

    def __init__(self, manifest: Manifest) -> None:
        roster = sorted(zip(manifest.inspector_ids, manifest.inspector_units, strict=True))
        self.people = [i for i, _ in roster]
        position = {i: x for x, i in enumerate(self.people)}
        units = {u: k for k, u in enumerate(sorted(set(manifest.inspector_units)))}
        self.unit_of = [units[u] for _, u in roster]
        self.conflicted: dict[bytes, set[int]] = {}
        for inspector, target in manifest.conflicts:
            self.conflicted.setdefault(target.encode(), set()).add(position[inspector])
        self.cap = manifest.cap
        self.load = [0] * len(self.people)
        self.open_by_unit = Counter(self.unit_of)
        self.open_total = len(self.people)

    def barred(self, target: bytes) -> tuple[AbstractSet[int], Mapping[int, int], int]:
        """Who may not serve ``target``, how many of them are still open per unit, and
        in all. They cannot be picked for it, so these counts hold while it is staffed."""
        barred = self.conflicted.get(target, _NOBODY)
        if not barred:
            return _NOBODY, _NO_UNITS, 0
        per_unit = Counter(self.unit_of[x] for x in barred if self.load[x] < self.cap)
        return barred, per_unit, per_unit.total()

    def pool_sizes(
        self, team: list[int], barred_open: Mapping[int, int], barred_total: int
    ) -> tuple[int, int]:
        """|E| and |F| for the next pick (every open team member is in a team unit)."""
        if not team:
            eligible = self.open_total - barred_total
            return eligible, eligible
        load, cap, unit_of = self.load, self.cap, self.unit_of
        open_members = sum(1 for x in team if load[x] < cap)
        eligible = self.open_total - barred_total - open_members
        in_team_units = (
            sum(self.open_by_unit[u] - barred_open.get(u, 0) for u in {unit_of[x] for x in team})
            - open_members
        )
        return eligible, eligible - in_team_units

    def pick(
        self, prefix: bytes, team: list[int], barred: AbstractSet[int], mixed: bool, limit: int
    ) -> tuple[int, int]:
        """The first candidate of the hash sequence that is in the pool, and how many
        candidates were tried; :class:`WorkLimitExceeded` after ``limit`` tries."""
        team_units = {self.unit_of[x] for x in team} if mixed else set()
        members = set(team)
        size, load, cap, unit_of = len(self.people), self.load, self.cap, self.unit_of
        c = 0
        while c < limit:
            x = int.from_bytes(_sha256(prefix + b"%d" % c).digest(), "big") % size
            c += 1
            if (
                load[x] < cap
                and x not in barred
                and x not in members
                and unit_of[x] not in team_units
            ):
                return x, c
        raise WorkLimitExceeded("work")

    def assign(self, x: int) -> None:
        self.load[x] += 1
        if self.load[x] == self.cap:
            self.open_by_unit[self.unit_of[x]] -= 1
            self.open_total -= 1


def _assign_teams(
    manifest: Manifest, seed: bytes, targets: list[bytes], budget: Budget
) -> list[tuple[str, ...]]:
    """Step 4: a team for each selected target, in result order."""
    staffing = _Staffing(manifest)
    per_pick = PICK_OVERHEAD + manifest.team_size
    teams: list[tuple[str, ...]] = []
    for target in targets:
        barred, barred_open, barred_total = staffing.barred(target)
        team: list[int] = []
        for j in range(manifest.team_size):
            eligible, mixed_units = staffing.pool_sizes(team, barred_open, barred_total)
            if eligible == 0:
                raise DrawError(target.decode(), j)
            prefix = seed + b"I\x00" + target + b"\x00%d\x00" % j
            # pool = F when F is non-empty: teams mix units (交叉执法).
            x, tries = staffing.pick(prefix, team, barred, mixed_units > 0, budget.left + 1)
            budget.spend(tries + per_pick)
            staffing.assign(x)
            team.append(x)
        teams.append(tuple(staffing.people[x] for x in team))
    return teams


def run_draw(manifest: Manifest, budget: Budget | None = None) -> DrawResult:
    """Run riskctl-draw/1 (steps 1–5). Raises :class:`DrawError` when a target
    cannot be staffed; nothing is kept in that case. With a ``budget`` the run
    stops with :class:`WorkLimitExceeded` once its work or time is spent (see
    ``cost.py``); the result, when there is one, is the same as without."""
    if manifest.entropy is None:
        raise ManifestError("尚未录入公开随机数 entropy，不能抽取", "entropy")
    budget = budget or Budget(_UNLIMITED)
    work = cost.estimate(manifest)
    budget.spend(work.rosters)
    digests = compute_digests(manifest)
    seed = _seed(manifest, digests, manifest.entropy)
    budget.spend(work.keys)
    chosen = _select_targets(manifest, seed)
    targets = [k[32:] for k, _ in chosen]
    teams = (
        _assign_teams(manifest, seed, targets, budget)
        if manifest.team_size
        else [()] * len(targets)
    )
    selected = tuple(
        Selection(t.decode(), stratum, k[:32].hex(), team)
        for t, (k, stratum), team in zip(targets, chosen, teams, strict=True)
    )
    result_digest = _digest(f"{s.target}\t{s.stratum}\t{','.join(s.inspectors)}" for s in selected)
    return DrawResult(digests, seed.hex(), selected, result_digest)


def result_as_dict(result: DrawResult, digests: Digests | None = None) -> dict[str, Any]:
    """The published draw (一公开) in the ``expected`` shape of draw-vectors.json.

    ``digests`` defaults to those the draw was seeded with; passing others is
    refused because the seed already commits to them.
    """
    if digests is not None and digests != result.digests:
        raise ValueError("digests do not match the ones this draw was seeded with")
    d = result.digests
    return {
        "version": ALGORITHM,
        "targets_digest": d.targets_digest,
        "inspectors_digest": d.inspectors_digest,
        "conflicts_digest": d.conflicts_digest,
        "quotas_digest": d.quotas_digest,
        "seed": result.seed,
        "selected": [
            {
                "target": s.target,
                "stratum": s.stratum,
                "key": s.key,
                "inspectors": list(s.inspectors),
            }
            for s in result.selected
        ],
        "result_digest": result.result_digest,
    }
