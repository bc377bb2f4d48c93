"""The riskctl-draw/1 procedure (双随机公开抽取), as a pure function of a manifest.

This is the only implementation of the draw: inspection draws, case-review
draws, the ``draws verify`` command and the verify endpoint all call it, so a
published result can be recomputed byte for byte (see
``design/draw-spec.md``). No Flask, no database.

Ordering note: the spec sorts by the UTF-8 bytes of ids. For strings of
Unicode scalar values, UTF-8 byte order equals code point order, which is how
Python compares ``str`` (unlike UTF-16 languages). Lone surrogates, the only
case where the two could differ, are refused while parsing, so plain ``str``
sorting is exact here.
"""

from __future__ import annotations

import hashlib
import heapq
import json
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from riskctl.draws import cost
from riskctl.draws.cost import PICK_OVERHEAD, Budget, WorkLimitExceeded

ALGORITHM = "riskctl-draw/1"
DEFAULT_TEAM_SIZE = 2

_sha256 = hashlib.sha256
_REQUIRED = ("plan", "targets", "quotas")
_FIELDS = ("plan", "targets", "quotas", "inspectors", "conflicts", "team_size", "cap", "entropy")
_NOBODY: frozenset[int] = frozenset()
_NO_UNITS: Mapping[int, int] = MappingProxyType({})
_UNLIMITED = 1 << 62  # a budget no run reaches: draws of the bureau's own plans
_FORBIDDEN = (("\t", "制表符"), ("\n", "换行符"), ("\r", "回车符"), ("\x00", "空字符"))


class DrawSpecError(ValueError):
    """A manifest that cannot be drawn; ``field`` names the manifest key at fault."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class ManifestError(DrawSpecError):
    """The manifest breaks a rule of the spec; nothing is drawn."""


class DrawError(DrawSpecError):
    """Step 4 found no eligible inspector (E is empty) for ``target`` at pick ``pick``."""

    def __init__(self, target: str, pick: int) -> None:
        super().__init__(
            f"对象 {_show(target)} 没有可派的检查人员（第 {pick + 1} 名：回避或已达上限）"
        )
        self.target = target
        self.pick = pick


@dataclass(frozen=True, slots=True)
class Manifest:
    """A validated manifest (抽取清单). Build it with :func:`parse_manifest`.

    Rosters are parallel tuples in the order given, so a million targets cost
    no per-target objects. ``conflicts`` holds each distinct pair once, sorted;
    ``quotas`` is sorted by stratum; ``cap`` is 0 when none was given;
    ``entropy`` is None until the public randomness is entered.
    """

    plan: str
    target_ids: tuple[str, ...]
    target_strata: tuple[str, ...]
    quotas: tuple[tuple[str, int], ...]
    inspector_ids: tuple[str, ...]
    inspector_units: tuple[str, ...]
    conflicts: tuple[tuple[str, str], ...]
    team_size: int
    cap: int
    entropy: str | None


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


# --- parsing ---------------------------------------------------------------


def parse_manifest(obj: Any, *, require_entropy: bool = True) -> Manifest:
    """Validate a JSON-like manifest and freeze it.

    Raises :class:`ManifestError` for the first broken rule, checking fields in
    the spec's order, so the same input always gives the same message. Pass
    ``require_entropy=False`` when locking a plan, before entropy is entered.
    """
    if type(obj) is not dict:
        raise ManifestError(f"抽取清单应为 JSON 对象，收到 {_show(obj)}")
    for key in sorted(map(str, obj)):
        if key not in _FIELDS:
            raise ManifestError(f"抽取清单含有未知字段 {_show(key)}", key)
    for key in (*_REQUIRED, *(("entropy",) if require_entropy else ())):
        if key not in obj:
            raise ManifestError(f"抽取清单缺少字段 {_show(key)}", key)
    plan = _checked_text(obj["plan"], "计划编号", "plan")
    target_ids, target_strata = _roster(obj["targets"], _TARGETS)
    quotas = _quotas(obj["quotas"], target_strata)
    inspector_ids, inspector_units = _roster(obj.get("inspectors", []), _INSPECTORS)
    conflicts = _conflicts(obj.get("conflicts", []), inspector_ids, target_ids)
    team_size = _count(obj.get("team_size", DEFAULT_TEAM_SIZE), "每组人数", "team_size")
    if team_size > 0 and not inspector_ids:
        raise ManifestError(f"每组人数为 {team_size}，检查人员名录却为空", "inspectors")
    cap = _cap(obj.get("cap"), team_size)
    entropy = _entropy(obj["entropy"]) if "entropy" in obj else None
    return Manifest(
        plan,
        target_ids,
        target_strata,
        quotas,
        inspector_ids,
        inspector_units,
        conflicts,
        team_size,
        cap,
        entropy,
    )


def manifest_as_dict(manifest: Manifest) -> dict[str, Any]:
    """The manifest in its published JSON shape; ``parse_manifest`` reads it back."""
    out: dict[str, Any] = {
        "plan": manifest.plan,
        "targets": [
            {"id": t, "stratum": s}
            for t, s in zip(manifest.target_ids, manifest.target_strata, strict=True)
        ],
        "quotas": dict(manifest.quotas),
        "inspectors": [
            {"id": i, "unit": u}
            for i, u in zip(manifest.inspector_ids, manifest.inspector_units, strict=True)
        ],
        "conflicts": [list(pair) for pair in manifest.conflicts],
        "team_size": manifest.team_size,
    }
    if manifest.cap:
        out["cap"] = manifest.cap
    if manifest.entropy is not None:
        out["entropy"] = manifest.entropy
    return out


def _show(value: Any) -> str:
    """A value as the message should quote it, short and JSON-like."""
    if isinstance(value, str):
        # Escape lone surrogates too, so the message itself is valid UTF-8.
        text = json.dumps(value, ensure_ascii=False).encode(errors="backslashreplace").decode()
        return text if len(text) <= 80 else text[:78] + '…"'
    if value is None or isinstance(value, bool | int | float):
        return json.dumps(value)
    return {dict: "JSON 对象", list: "列表", tuple: "列表"}.get(type(value), type(value).__name__)


def _text_problem(value: str) -> str | None:
    if not value:
        return "为空"
    for char, name in _FORBIDDEN:
        if char in value:
            return f"含有{name}"
    try:
        value.encode()
    except UnicodeEncodeError:
        return "含有无法编码为 UTF-8 的字符"
    if not unicodedata.is_normalized("NFC", value):
        return "不是 NFC 规范形式"
    return None


def _checked_text(value: Any, label: str, field: str) -> str:
    if type(value) is not str:
        raise ManifestError(f"{label}应为字符串，收到 {_show(value)}", field)
    problem = _text_problem(value)
    if problem:
        raise ManifestError(f"{label} {_show(value)} {problem}", field)
    return value


def _all_clean(values: Iterable[Any]) -> bool:
    """Fast whole-list form of :func:`_text_problem` over distinct values;
    False means "look closer", never "wrong".

    A newline-joined string is NFC exactly when each part is: LF never
    composes or reorders with its neighbours.
    """
    values = list(values)
    if not values:
        return True
    if set(map(type, values)) != {str} or min(map(len, values)) == 0:
        return False
    joined = "\n".join(values)
    if joined.count("\n") != len(values) - 1 or any(c in joined for c in "\t\r\x00"):
        return False
    try:
        joined.encode()
    except UnicodeEncodeError:
        return False
    return unicodedata.is_normalized("NFC", joined)


@dataclass(frozen=True)
class _RosterKind:
    field: str
    group_key: str
    name: str  # 名录
    noun: str
    group_label: str


_TARGETS = _RosterKind("targets", "stratum", "检查对象名录", "对象", "分层")
_INSPECTORS = _RosterKind("inspectors", "unit", "检查人员名录", "检查人员", "所属单位")


def _roster(items: Any, kind: _RosterKind) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Ids and groups of a roster of ``{"id", group_key}`` objects.

    A million targets are checked list-wide first; only when that finds
    something does the item-by-item pass run, to name the first offender.
    """
    columns = _clean_columns(items, kind.group_key)
    if columns is None:
        _check_roster_items(items, kind)
        columns = [item["id"] for item in items], [item[kind.group_key] for item in items]
    ids, groups = columns
    return tuple(ids), tuple(groups)


def _clean_columns(items: Any, group_key: str) -> tuple[list[Any], list[Any]] | None:
    """The id and group columns if the whole roster passes, else None."""
    if type(items) is not list or not set(map(type, items)) <= {dict}:
        return None
    try:
        ids = [item["id"] for item in items]
        groups = [item[group_key] for item in items]
        clean = (
            sum(map(len, items)) == 2 * len(items)
            and _all_clean(ids)
            and len(set(ids)) == len(ids)
            and _all_clean(set(groups))
        )
    except (KeyError, TypeError):  # a missing key, or an unhashable group
        return None
    return (ids, groups) if clean else None


def _check_roster_items(items: Any, kind: _RosterKind) -> None:
    if type(items) is not list:
        raise ManifestError(f"{kind.name}应为列表，收到 {_show(items)}", kind.field)
    keys = {"id", kind.group_key}
    seen: set[str] = set()
    for number, item in enumerate(items, start=1):
        where = f"{kind.name}第 {number} 项"
        if type(item) is not dict:
            raise ManifestError(f"{where}应为 JSON 对象，收到 {_show(item)}", kind.field)
        missing, unknown = sorted(keys - set(item)), sorted(map(str, set(item) - keys))
        if missing:
            raise ManifestError(f"{where}缺少字段 {_show(missing[0])}", kind.field)
        if unknown:
            raise ManifestError(f"{where}含有未知字段 {_show(unknown[0])}", kind.field)
        item_id = _checked_text(item["id"], f"{kind.noun}编号", kind.field)
        group_label = f"{kind.noun} {_show(item_id)} 的{kind.group_label}"
        _checked_text(item[kind.group_key], group_label, kind.field)
        if item_id in seen:
            raise ManifestError(f"{kind.noun}编号 {_show(item_id)} 重复", kind.field)
        seen.add(item_id)


def _quotas(value: Any, target_strata: Sequence[str]) -> tuple[tuple[str, int], ...]:
    if type(value) is not dict:
        raise ManifestError(f"配额应为对象（分层 → 抽取数），收到 {_show(value)}", "quotas")
    sizes = Counter(target_strata)
    for stratum, n in value.items():
        _checked_text(stratum, "配额中的分层", "quotas")
        if stratum not in sizes:
            raise ManifestError(f"配额中的分层 {_show(stratum)} 在检查对象名录中不存在", "quotas")
        if type(n) is not int:
            raise ManifestError(f"分层 {_show(stratum)} 的配额应为整数，收到 {_show(n)}", "quotas")
        if not 0 <= n <= sizes[stratum]:
            raise ManifestError(
                f"分层 {_show(stratum)} 的配额 {n} 应在 0 到该层对象数 {sizes[stratum]} 之间",
                "quotas",
            )
    for stratum in sorted(sizes):
        if stratum not in value:
            raise ManifestError(f"分层 {_show(stratum)} 没有配额（不抽取请填 0）", "quotas")
    return tuple(sorted(value.items()))


def _conflicts(
    value: Any, inspector_ids: Iterable[str], target_ids: Iterable[str]
) -> tuple[tuple[str, str], ...]:
    """Distinct 回避 pairs, sorted by inspector id then target id."""
    if type(value) is not list:
        raise ManifestError(f"回避关系应为列表，收到 {_show(value)}", "conflicts")
    if not value:
        return ()
    inspectors, targets = set(inspector_ids), set(target_ids)
    pairs: set[tuple[str, str]] = set()
    for number, pair in enumerate(value, start=1):
        if type(pair) not in (list, tuple) or len(pair) != 2:
            raise ManifestError(
                f"回避关系第 {number} 项应为 [检查人员编号, 对象编号]，收到 {_show(pair)}",
                "conflicts",
            )
        inspector, target = pair
        if type(inspector) is not str or inspector not in inspectors:
            raise ManifestError(
                f"回避关系中的检查人员 {_show(inspector)} 不在检查人员名录中", "conflicts"
            )
        if type(target) is not str or target not in targets:
            raise ManifestError(f"回避关系中的对象 {_show(target)} 不在检查对象名录中", "conflicts")
        pairs.add((inspector, target))
    return tuple(sorted(pairs))


def _count(value: Any, label: str, field: str) -> int:
    if type(value) is not int:
        raise ManifestError(f"{label} {field} 应为整数，收到 {_show(value)}", field)
    if value < 0:
        raise ManifestError(f"{label} {field} 不能为负数，收到 {value}", field)
    return value


def _cap(value: Any, team_size: int) -> int:
    """Most targets per inspector; 0 stands for "not given" (only with team_size 0)."""
    if value is None:
        if team_size > 0:
            raise ManifestError("每组人数大于 0 时必须给出每人上限 cap", "cap")
        return 0
    cap = _count(value, "每人上限", "cap")
    if team_size > 0 and cap < 1:
        raise ManifestError(f"每组人数大于 0 时，每人上限 cap 至少为 1，收到 {cap}", "cap")
    return cap


def _entropy(value: Any) -> str:
    if type(value) is not str:
        raise ManifestError(f"公开随机数 entropy 应为字符串，收到 {_show(value)}", "entropy")
    if not value:
        raise ManifestError("公开随机数 entropy 为空", "entropy")
    if "\n" in value or "\r" in value:
        raise ManifestError(f"公开随机数 entropy {_show(value)} 含有换行，应为一行文本", "entropy")
    try:
        value.encode()
    except UnicodeEncodeError:
        raise ManifestError("公开随机数 entropy 含有无法编码为 UTF-8 的字符", "entropy") from None
    return value


# --- the draw --------------------------------------------------------------


def _digest(lines: Iterable[str]) -> str:
    """D(lines), the lines given without their "\\n"; no lines hashes zero bytes."""
    body = list(lines)
    text = "\n".join(body) + "\n" if body else ""
    return _sha256(text.encode()).hexdigest()


def _roster_digest(ids: Sequence[str], values: Sequence[str]) -> str:
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
