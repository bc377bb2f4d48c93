"""The floor of lock + draw: riskctl-draw/1 (draw-spec.md) done minimally.

Validation of the manifest's rules, the four digests and the seed, the keyed target
selection and the team picks; nothing else. The lock stores the manifest as one
compressed JSON blob, the draw inserts its selections with a raw ``executemany``.
Checked against draw-vectors.json by :func:`check_vectors` before every bench run.
"""

from __future__ import annotations

import heapq
import json
import unicodedata
import zlib
from hashlib import sha256
from pathlib import Path
from typing import Any

VERSION = "riskctl-draw/1"
VECTORS = Path("/work/shared/design/draw-vectors.json")
_BAD = ("\t", "\n", "\r", "\x00")


class DrawError(ValueError):
    pass


def _name(value: Any, what: str) -> str:
    if not isinstance(value, str) or not value or any(c in value for c in _BAD):
        raise DrawError(f"bad {what}: {value!r}")
    if not value.isascii() and unicodedata.normalize("NFC", value) != value:
        raise DrawError(f"{what} not NFC: {value!r}")
    return value


def _digest(lines: list[str]) -> str:
    return sha256("".join(lines).encode()).hexdigest()


def validate(m: dict[str, Any]) -> None:
    _name(m["plan"], "plan")
    strata: dict[str, int] = {}
    seen: set[str] = set()
    for t in m["targets"]:
        tid = _name(t["id"], "target id")
        if tid in seen:
            raise DrawError(f"duplicate target {tid!r}")
        seen.add(tid)
        s = _name(t["stratum"], "stratum")
        strata[s] = strata.get(s, 0) + 1
    for s, n in m["quotas"].items():
        _name(s, "stratum")
        if not isinstance(n, int) or isinstance(n, bool) or not 0 <= n <= strata.get(s, 0):
            raise DrawError(f"bad quota {s!r}: {n!r}")
    people: set[str] = set()
    for i in m.get("inspectors", []):
        iid = _name(i["id"], "inspector id")
        if iid in people:
            raise DrawError(f"duplicate inspector {iid!r}")
        people.add(iid)
        _name(i["unit"], "unit")
    for i, t in m.get("conflicts", []):
        if i not in people or t not in seen:
            raise DrawError(f"conflict names an unknown id: {i!r}, {t!r}")
    team, cap = m.get("team_size", 2), m.get("cap")
    if not isinstance(team, int) or team < 0 or (team and (not isinstance(cap, int) or cap < 1)):
        raise DrawError("bad team_size or cap")
    entropy = m["entropy"]
    if not isinstance(entropy, str) or not entropy.strip() or "\n" in entropy or "\r" in entropy:
        raise DrawError("bad entropy")


def digests(m: dict[str, Any]) -> tuple[str, str, str, str]:
    targets = sorted(f"{t['id']}\t{t['stratum']}\n" for t in m["targets"])
    inspectors = sorted(f"{i['id']}\t{i['unit']}\n" for i in m.get("inspectors", []))
    conflicts = sorted({f"{i}\t{t}\n" for i, t in m.get("conflicts", [])})
    quotas = sorted(f"{s}\t{n}\n" for s, n in m["quotas"].items())
    return _digest(targets), _digest(inspectors), _digest(conflicts), _digest(quotas)


def draw(m: dict[str, Any], frozen: tuple[str, str, str, str] | None = None) -> dict[str, Any]:
    d_t, d_i, d_c, d_q = frozen or digests(m)
    team_size, cap = m.get("team_size", 2), m.get("cap") or 0
    seed = sha256(
        f"{VERSION}\n{m['plan']}\n{d_t}\n{d_i}\n{d_c}\n{d_q}\n{team_size}\n{cap}\n{m['entropy']}".encode()
    ).digest()
    # Targets: the quota's smallest keys per stratum, then all by key.
    by_stratum: dict[str, list[tuple[bytes, str]]] = {}
    prefix = seed + b"T\x00"
    for t in m["targets"]:
        key = sha256(prefix + t["id"].encode()).digest()  # bytes order = integer order
        by_stratum.setdefault(t["stratum"], []).append((key, t["id"]))
    chosen = []
    for s, n in m["quotas"].items():
        chosen += [(k, tid, s) for k, tid in heapq.nsmallest(n, by_stratum.get(s, []))]
    chosen.sort()
    teams = _teams(m, seed, [tid for _, tid, _ in chosen], team_size, cap) if team_size else None
    selected, lines = [], []
    for pos, (key, tid, s) in enumerate(chosen):
        team = teams[pos] if teams else []
        selected.append({"target": tid, "stratum": s, "key": key.hex(), "inspectors": team})
        lines.append(f"{tid}\t{s}\t{','.join(team)}\n")
    return {
        "version": VERSION,
        "targets_digest": d_t,
        "inspectors_digest": d_i,
        "conflicts_digest": d_c,
        "quotas_digest": d_q,
        "seed": seed.hex(),
        "selected": selected,
        "result_digest": _digest(lines),
    }


def _teams(m, seed: bytes, order: list[str], team_size: int, cap: int) -> list[list[str]]:
    people = sorted(m.get("inspectors", []), key=lambda i: i["id"])
    ids = [i["id"] for i in people]
    unit = {i["id"]: i["unit"] for i in people}
    n = len(ids)
    load = dict.fromkeys(ids, 0)
    free: dict[str, int] = {}  # inspectors under the cap, per unit
    for i in ids:
        free[unit[i]] = free.get(unit[i], 0) + 1
    total_free = n
    banned: dict[str, set[str]] = {}
    for i, t in m.get("conflicts", []):
        banned.setdefault(t, set()).add(i)
    teams = []
    for t in order:
        tb = t.encode()
        no = banned.get(t, ())
        team: list[str] = []
        units: set[str] = set()
        for j in range(team_size):
            # |E| and |F| from counts: free inspectors minus team members and conflicts.
            out_e = sum(1 for x in team if load[x] < cap)
            out_f = 0
            for x in no:
                if load[x] < cap and x not in team:
                    out_e += 1
                    if unit[x] not in units:
                        out_f += 1
            e_count = total_free - out_e
            if e_count <= 0:
                raise DrawError(f"no eligible inspector for target {t!r} (pick {j + 1})")
            f_count = total_free - sum(free[u] for u in units) - out_f
            mixed = f_count > 0
            base = seed + b"I\x00" + tb + b"\x00" + str(j).encode() + b"\x00"
            c = 0
            while True:
                x = ids[int.from_bytes(sha256(base + str(c).encode()).digest()) % n]
                c += 1
                if load[x] >= cap or x in team or x in no or (mixed and unit[x] in units):
                    continue
                break
            team.append(x)
            units.add(unit[x])
            load[x] += 1
            if load[x] == cap:
                free[unit[x]] -= 1
                total_free -= 1
        teams.append(team)
    return teams


def compress(m: dict[str, Any]) -> bytes:
    return zlib.compress(json.dumps(m, ensure_ascii=False, separators=(",", ":")).encode(), 1)


def decompress(blob: bytes) -> dict[str, Any]:
    return json.loads(zlib.decompress(blob))


def check_vectors() -> None:
    """Every vector of draw-vectors.json reproduced to the byte, the error refused."""
    for vector in json.loads(VECTORS.read_text(encoding="utf-8"))["vectors"]:
        expected = vector["expected"]
        try:
            validate(vector["manifest"])
            got = draw(vector["manifest"])
        except DrawError:
            if expected.get("error"):
                continue
            raise
        if expected.get("error") or got != expected:
            raise AssertionError(f"draw floor differs from vector {vector['name']}")
