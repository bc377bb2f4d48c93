"""A riskctl-draw/1 manifest (抽取清单): its fields checked and parsed into a Manifest.

Every input of the draw is refused here, with a Chinese message naming the field,
before the draw (``draw.py``) runs. No Flask, no database.

Ordering note: the spec sorts by the UTF-8 bytes of ids. For strings of
Unicode scalar values, UTF-8 byte order equals code point order, which is how
Python compares ``str`` (unlike UTF-16 languages). Lone surrogates, the only
case where the two could differ, are refused while parsing, so plain ``str``
sorting is exact here.
"""

from __future__ import annotations

import json
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

ALGORITHM = "riskctl-draw/1"
DEFAULT_TEAM_SIZE = 2

_REQUIRED = ("plan", "targets", "quotas")
_FIELDS = ("plan", "targets", "quotas", "inspectors", "conflicts", "team_size", "cap", "entropy")
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
    target_ids, target_strata, target_set = _roster(obj["targets"], _TARGETS)
    quotas = _quotas(obj["quotas"], target_strata)
    inspector_ids, inspector_units, inspector_set = _roster(obj.get("inspectors", []), _INSPECTORS)
    conflicts = _conflicts(obj.get("conflicts", []), inspector_set, target_set)
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


def manifest_as_dict(
    manifest: Manifest,
    *,
    targets: list[dict[str, str]] | None = None,
    inspectors: list[dict[str, str]] | None = None,
) -> dict[str, Any]:
    """The manifest in its published JSON shape; ``parse_manifest`` reads it back.

    ``targets`` / ``inspectors``: the rosters already in that shape (``{"id", "stratum"}``
    and ``{"id", "unit"}`` items, keys in that order) that ``manifest`` was parsed from,
    which parsing keeps as they are; passed, they are used instead of being rebuilt.
    """
    out: dict[str, Any] = {
        "plan": manifest.plan,
        "targets": targets
        if targets is not None
        else [
            {"id": t, "stratum": s}
            for t, s in zip(manifest.target_ids, manifest.target_strata, strict=True)
        ],
        "quotas": dict(manifest.quotas),
        "inspectors": inspectors
        if inspectors is not None
        else [
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


def _roster(
    items: Any, kind: _RosterKind
) -> tuple[tuple[str, ...], tuple[str, ...], frozenset[str]]:
    """Ids and groups of a roster of ``{"id", group_key}`` objects, and the set of ids
    (built once: the conflicts are checked against it).

    A million targets are checked list-wide first; only when that finds
    something does the item-by-item pass run, to name the first offender.
    """
    columns = _clean_columns(items, kind.group_key)
    if columns is None:
        _check_roster_items(items, kind)
        ids = [item["id"] for item in items]
        columns = ids, [item[kind.group_key] for item in items], frozenset(ids)
    ids, groups, id_set = columns
    return tuple(ids), tuple(groups), id_set


def _clean_columns(
    items: Any, group_key: str
) -> tuple[list[Any], list[Any], frozenset[str]] | None:
    """The id and group columns and the set of ids if the whole roster passes, else None."""
    if type(items) is not list or not set(map(type, items)) <= {dict}:
        return None
    try:
        ids = list(map(itemgetter("id"), items))
        groups = list(map(itemgetter(group_key), items))
        clean = (
            sum(map(len, items)) == 2 * len(items)
            and _all_clean(ids)
            and len(id_set := frozenset(ids)) == len(ids)
            and _all_clean(set(groups))
        )
    except (KeyError, TypeError):  # a missing key, or an unhashable group
        return None
    return (ids, groups, id_set) if clean else None


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
    value: Any, inspectors: AbstractSet[str], targets: AbstractSet[str]
) -> tuple[tuple[str, str], ...]:
    """Distinct 回避 pairs, sorted by inspector id then target id."""
    if type(value) is not list:
        raise ManifestError(f"回避关系应为列表，收到 {_show(value)}", "conflicts")
    if not value:
        return ()
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
