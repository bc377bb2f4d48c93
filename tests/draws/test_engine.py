"""The draw engine reproduces riskctl-draw/1: the published vectors to the byte,
every manifest rule, and a literal reference implementation on random manifests."""

from __future__ import annotations

import copy
import hashlib
import json
import random
import re
import unicodedata
from pathlib import Path
from typing import Any

import pytest

from riskctl.draws.engine.draw import Digests, compute_digests, result_as_dict, run_draw
from riskctl.draws.engine.manifest import (
    DrawError,
    DrawSpecError,
    ManifestError,
    manifest_as_dict,
    parse_manifest,
)

VECTORS = json.loads(Path(__file__).with_name("draw-vectors.json").read_text("utf-8"))["vectors"]
GOOD = [v for v in VECTORS if "error" not in v["expected"]]
BAD = [v for v in VECTORS if "error" in v["expected"]]


def draw(obj: dict[str, Any]) -> dict[str, Any]:
    return result_as_dict(run_draw(parse_manifest(obj)))


def vector(name: str) -> dict[str, Any]:
    return copy.deepcopy(next(v["manifest"] for v in VECTORS if v["name"] == name))


# --- a literal reference: builds E and F as lists, sorts by UTF-8 bytes -----


class NaiveDrawError(Exception):
    def __init__(self, target: str, pick: int) -> None:
        self.target, self.pick = target, pick


def _h(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def _d(lines: list[str]) -> str:
    return hashlib.sha256(b"".join(line.encode() for line in lines)).hexdigest()


def _b(s: str) -> bytes:
    return s.encode("utf-8")


def naive_draw(m: dict[str, Any]) -> dict[str, Any]:
    targets, inspectors = m["targets"], m.get("inspectors", [])
    team_size, cap = m.get("team_size", 2), m.get("cap", 0)
    pairs = sorted({tuple(p) for p in m.get("conflicts", [])}, key=lambda p: (_b(p[0]), _b(p[1])))
    by_id = sorted(targets, key=lambda t: _b(t["id"]))
    digests = {
        "targets_digest": _d([f"{t['id']}\t{t['stratum']}\n" for t in by_id]),
        "inspectors_digest": _d(
            [f"{i['id']}\t{i['unit']}\n" for i in sorted(inspectors, key=lambda i: _b(i["id"]))]
        ),
        "conflicts_digest": _d([f"{i}\t{t}\n" for i, t in pairs]),
        "quotas_digest": _d(
            [f"{s}\t{n}\n" for s, n in sorted(m["quotas"].items(), key=lambda q: _b(q[0]))]
        ),
    }
    seed = _h(
        _b(
            "riskctl-draw/1\n"
            + m["plan"]
            + "\n"
            + "".join(digests[k] + "\n" for k in digests)
            + f"{team_size}\n{cap}\n"
            + m["entropy"]
        )
    )

    def key(t: dict[str, str]) -> tuple[int, bytes]:
        return int.from_bytes(_h(seed + b"T\x00" + _b(t["id"])), "big"), _b(t["id"])

    selected = []
    for stratum, n in m["quotas"].items():
        selected += sorted((t for t in targets if t["stratum"] == stratum), key=key)[:n]
    selected.sort(key=key)

    people = sorted(inspectors, key=lambda i: _b(i["id"]))
    load = {i["id"]: 0 for i in people}
    barred = set(pairs)
    rows = []
    for t in selected:
        team: list[dict[str, str]] = []
        for j in range(team_size):
            e = [
                i
                for i in people
                if load[i["id"]] < cap and i not in team and (i["id"], t["id"]) not in barred
            ]
            if not e:
                raise NaiveDrawError(t["id"], j)
            f = [i for i in e if i["unit"] not in {x["unit"] for x in team}]
            pool = f or e
            c = 0
            while True:
                digest = _h(seed + b"I\x00" + _b(t["id"]) + _b(f"\x00{j}\x00{c}"))
                x = people[int.from_bytes(digest, "big") % len(people)]
                if x in pool:
                    break
                c += 1
            team.append(x)
            load[x["id"]] += 1
        rows.append(
            {
                "target": t["id"],
                "stratum": t["stratum"],
                "key": format(key(t)[0], "064x"),
                "inspectors": [x["id"] for x in team],
            }
        )
    lines = [f"{r['target']}\t{r['stratum']}\t{','.join(r['inspectors'])}\n" for r in rows]
    return {
        "version": "riskctl-draw/1",
        **digests,
        "seed": seed.hex(),
        "selected": rows,
        "result_digest": _d(lines),
    }


# Characters chosen to make UTF-8 byte order, UTF-16 order and naive line
# sorting disagree: a control char below TAB, an astral char, a halfwidth one.
ALPHABET = ["a", "b", "A", "0", "-", "é", "中", "队", "\x01", "\uff61", "\U00010000", "\U0001f600"]


def random_text(rng: random.Random, length: int = 3) -> str:
    return "".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, length)))


def random_manifest(rng: random.Random) -> dict[str, Any]:
    ids = list({random_text(rng, 4) for _ in range(rng.randint(0, 30))})
    strata = [random_text(rng, 2) for _ in range(rng.randint(1, 3))]
    targets = [{"id": t, "stratum": rng.choice(strata)} for t in ids]
    sizes = {s: sum(t["stratum"] == s for t in targets) for s in strata}
    people = list({"P" + random_text(rng) for _ in range(rng.randint(1, 10))})
    units = [random_text(rng, 2) for _ in range(rng.randint(1, 3))]
    team_size = rng.choice([0, 1, 2, 2, 3])
    pairs = (
        [[rng.choice(people), rng.choice(ids)] for _ in range(rng.randint(0, 20))] if ids else []
    )
    obj: dict[str, Any] = {
        "plan": "R-" + random_text(rng),
        "targets": targets,
        "quotas": {s: rng.randint(0, n) for s, n in sizes.items() if n},
        "inspectors": [{"id": p, "unit": rng.choice(units)} for p in people],
        "conflicts": pairs + pairs[: rng.randint(0, 2)],
        "team_size": team_size,
        "entropy": random_text(rng, 8),
    }
    if team_size or rng.random() < 0.5:
        obj["cap"] = rng.randint(1, 6)
    return obj


def outcome(fn: Any, obj: dict[str, Any]) -> dict[str, Any]:
    try:
        return fn(obj)
    except (DrawError, NaiveDrawError) as e:
        return {"error": (e.target, e.pick)}


def test_fast_engine_equals_literal_reference_on_random_manifests() -> None:
    rng = random.Random(20261120)
    seen = {"error": 0, "team": 0, "shared_unit": 0, "at_cap": 0}
    for _ in range(400):
        obj = random_manifest(rng)
        expected = outcome(naive_draw, obj)
        assert outcome(draw, obj) == expected, json.dumps(obj, ensure_ascii=False)
        if "error" in expected:
            seen["error"] += 1
            continue
        teams = [row["inspectors"] for row in expected["selected"] if row["inspectors"]]
        seen["team"] += bool(teams)
        unit = {i["id"]: i["unit"] for i in obj["inspectors"]}
        seen["shared_unit"] += any(len({unit[i] for i in t}) < len(t) for t in teams)
        loads = [sum(i in t for t in teams) for i in unit]
        seen["at_cap"] += bool(teams) and max(loads) == obj["cap"]
    # The generator must reach every branch, or the comparison proves little.
    assert min(seen.values()) >= 20, seen


# --- the published vectors ---------------------------------------------------


@pytest.mark.parametrize("vec", GOOD, ids=[v["name"] for v in GOOD])
def test_vector_is_reproduced_byte_for_byte(vec: dict[str, Any]) -> None:
    result = draw(vec["manifest"])
    assert result == vec["expected"]
    assert json.dumps(result, ensure_ascii=False) == json.dumps(vec["expected"], ensure_ascii=False)


@pytest.mark.parametrize("vec", GOOD, ids=[v["name"] for v in GOOD])
def test_reference_reproduces_vector(vec: dict[str, Any]) -> None:
    assert naive_draw(vec["manifest"]) == vec["expected"]


@pytest.mark.parametrize("vec", BAD, ids=[v["name"] for v in BAD])
def test_error_vector_is_refused_naming_the_target(vec: dict[str, Any]) -> None:
    target, pick = re.fullmatch(
        r"no eligible inspector for target '(.+)' \(pick (\d+)\)", vec["expected"]["reason"]
    ).groups()
    with pytest.raises(DrawError) as caught:
        draw(vec["manifest"])
    assert (caught.value.target, caught.value.pick) == (target, int(pick))
    assert f'"{target}"' in caught.value.message
    assert caught.value.message == str(caught.value)


def test_digests_work_before_entropy_is_entered() -> None:
    vec = GOOD[0]
    obj = {k: v for k, v in vec["manifest"].items() if k != "entropy"}
    manifest = parse_manifest(obj, require_entropy=False)
    digests = compute_digests(manifest)
    assert digests == Digests(**{k: vec["expected"][k] for k in Digests.__slots__})
    with pytest.raises(ManifestError) as caught:
        run_draw(manifest)
    assert caught.value.field == "entropy"


def test_entropy_is_required_by_default() -> None:
    obj = vector("tiny-two-strata")
    del obj["entropy"]
    with pytest.raises(ManifestError) as caught:
        parse_manifest(obj)
    assert caught.value.field == "entropy"


def test_result_as_dict_refuses_digests_of_another_manifest() -> None:
    result = run_draw(parse_manifest(vector("tiny-two-strata")))
    other = compute_digests(parse_manifest(vector("medium-four-classes")))
    assert result_as_dict(result, result.digests) == result_as_dict(result)
    with pytest.raises(ValueError):
        result_as_dict(result, other)


def test_manifest_round_trips_through_its_published_shape() -> None:
    manifest = parse_manifest(vector("medium-four-classes"))
    again = parse_manifest(json.loads(json.dumps(manifest_as_dict(manifest))))
    assert again == manifest
    assert run_draw(again) == run_draw(manifest)


# --- properties of the procedure ---------------------------------------------


def test_roster_order_does_not_change_the_result() -> None:
    obj = vector("medium-four-classes")
    expected = draw(obj)
    rng = random.Random(7)
    for _ in range(3):
        for field in ("targets", "inspectors", "conflicts"):
            rng.shuffle(obj[field])
        obj["quotas"] = dict(reversed(obj["quotas"].items()))
        assert draw(obj) == expected


def test_duplicate_conflict_pairs_count_once() -> None:
    obj = vector("tiny-two-strata")
    expected = draw(obj)
    obj["conflicts"] = obj["conflicts"] * 3
    assert draw(obj) == expected


def test_conflicts_and_cap_are_respected() -> None:
    obj = vector("medium-four-classes")
    result = draw(obj)
    barred = {tuple(pair) for pair in obj["conflicts"]}
    loads: dict[str, int] = {}
    for row in result["selected"]:
        assert len(set(row["inspectors"])) == obj["team_size"]
        for inspector in row["inspectors"]:
            assert (inspector, row["target"]) not in barred
            loads[inspector] = loads.get(inspector, 0) + 1
    assert max(loads.values()) <= obj["cap"]


def roster(n_targets: int, units: list[str], per_unit: int) -> dict[str, Any]:
    return {
        "plan": "P-1",
        "targets": [{"id": f"T{k:03d}", "stratum": "S"} for k in range(n_targets)],
        "quotas": {"S": n_targets},
        "inspectors": [{"id": f"{u}-{k}", "unit": u} for u in units for k in range(per_unit)],
        "conflicts": [],
        "team_size": 2,
        "cap": n_targets,
        "entropy": "e",
    }


def test_teams_mix_units_when_they_can() -> None:
    result = draw(roster(60, ["一中队", "二中队", "三中队"], 3))
    for row in result["selected"]:
        assert len({i.split("-")[0] for i in row["inspectors"]}) == 2


def test_team_shares_a_unit_only_when_no_other_unit_is_eligible() -> None:
    obj = roster(10, ["一中队", "二中队"], 2)
    # 二中队 is in conflict with T000, so its team must come from 一中队 alone.
    obj["conflicts"] = [["二中队-0", "T000"], ["二中队-1", "T000"]]
    rows = {row["target"]: row["inspectors"] for row in draw(obj)["selected"]}
    assert sorted(rows["T000"]) == ["一中队-0", "一中队-1"]
    assert all(len({i[:3] for i in team}) == 2 for t, team in rows.items() if t != "T000")


def test_cap_limits_every_inspector() -> None:
    obj = roster(12, ["一中队", "二中队"], 3)
    obj["cap"] = 4
    loads: dict[str, int] = {}
    for row in draw(obj)["selected"]:
        for i in row["inspectors"]:
            loads[i] = loads.get(i, 0) + 1
    assert loads == {i["id"]: 4 for i in obj["inspectors"]}


def test_cap_exhaustion_fails_naming_the_target_that_cannot_be_staffed() -> None:
    obj = roster(4, ["一中队"], 2)
    obj["cap"] = 3  # room for three teams of two, and four targets drawn
    with pytest.raises(DrawError) as caught:
        draw(obj)
    with pytest.raises(NaiveDrawError) as reference:
        naive_draw(obj)
    assert (caught.value.target, caught.value.pick) == (reference.value.target, 0)


def test_target_with_every_inspector_in_conflict_fails_naming_it() -> None:
    obj = roster(5, ["一中队", "二中队"], 2)
    obj["conflicts"] = [[i["id"], "T003"] for i in obj["inspectors"]]
    with pytest.raises(DrawError) as caught:
        draw(obj)
    assert caught.value.target == "T003"
    assert caught.value.pick == 0
    assert '"T003"' in caught.value.message
    assert caught.value.field is None


def test_team_size_zero_gives_an_empty_third_field() -> None:
    obj = vector("tiny-two-strata")
    obj["team_size"] = 0
    del obj["cap"]
    result = run_draw(parse_manifest(obj))
    assert all(s.inspectors == () for s in result.selected)
    lines = "".join(f"{s.target}\t{s.stratum}\t\n" for s in result.selected)
    assert result.result_digest == hashlib.sha256(lines.encode()).hexdigest()
    assert len(result.selected) == 4


def test_ids_sort_by_utf8_bytes_not_utf16_units() -> None:
    # U+FF61 < U+10000 in UTF-8 (and code points); UTF-16 puts the astral one first.
    obj = {
        "plan": "P",
        "targets": [{"id": "\U00010000", "stratum": "S"}, {"id": "\uff61", "stratum": "S"}],
        "quotas": {"S": 0},
        "team_size": 0,
        "entropy": "e",
    }
    lines = "\uff61\tS\n\U00010000\tS\n"
    digests = compute_digests(parse_manifest(obj))
    assert digests.targets_digest == hashlib.sha256(lines.encode()).hexdigest()


def test_id_with_control_char_below_tab_sorts_after_its_prefix() -> None:
    obj = {
        "plan": "P",
        "targets": [{"id": "a\x01", "stratum": "S"}, {"id": "a", "stratum": "S"}],
        "quotas": {"S": 0},
        "team_size": 0,
        "entropy": "e",
    }
    lines = "a\tS\na\x01\tS\n"
    digests = compute_digests(parse_manifest(obj))
    assert digests.targets_digest == hashlib.sha256(lines.encode()).hexdigest()


@pytest.mark.parametrize(
    ("ids", "strata"),
    [
        (["ab", "a", "a b", "a!", "b", "个体", "个"], ["S"] * 7),  # prefixes, lines sorted
        (["a\x08", "a", "a\x01b", "b"], ["S"] * 4),  # below TAB: sorted by id instead
        (["b", "a", "ab"], ["S\x02", "S", "T"]),  # a value below TAB: same digest either way
    ],
)
def test_roster_digest_sorts_by_id_whatever_the_characters(
    ids: list[str], strata: list[str]
) -> None:
    obj = {
        "plan": "P",
        "targets": [{"id": t, "stratum": s} for t, s in zip(ids, strata, strict=True)],
        "quotas": dict.fromkeys(strata, 0),
        "team_size": 0,
        "entropy": "e",
    }
    by_id = sorted(zip(ids, strata, strict=True), key=lambda row: row[0].encode())
    lines = "".join(f"{t}\t{s}\n" for t, s in by_id)
    digests = compute_digests(parse_manifest(obj))
    assert digests.targets_digest == hashlib.sha256(lines.encode()).hexdigest()


def test_empty_lists_hash_zero_bytes() -> None:
    digests = compute_digests(parse_manifest(vector("sample-only-no-team")))
    empty = hashlib.sha256(b"").hexdigest()
    assert (digests.inspectors_digest, digests.conflicts_digest) == (empty, empty)


# --- manifests that break a rule ---------------------------------------------


def tiny() -> dict[str, Any]:
    return vector("tiny-two-strata")


def with_target(**item: Any) -> dict[str, Any]:
    obj = tiny()
    obj["targets"][2] = item
    return obj


def with_inspector(**item: Any) -> dict[str, Any]:
    obj = tiny()
    obj["inspectors"][1] = item
    return obj


def edit(**fields: Any) -> dict[str, Any]:
    return {**tiny(), **fields}


def without(field: str) -> dict[str, Any]:
    obj = tiny()
    del obj[field]
    return obj


T1 = "91410402MA44XXXX1A"
BAD_MANIFESTS = {
    "not an object": (["plan"], None, "JSON 对象"),
    "unknown field": (edit(teamsize=2), "teamsize", '"teamsize"'),
    "missing plan": (without("plan"), "plan", '"plan"'),
    "missing targets": (without("targets"), "targets", '"targets"'),
    "missing quotas": (without("quotas"), "quotas", '"quotas"'),
    "plan empty": (edit(plan=""), "plan", '"" 为空'),
    "plan not a string": (edit(plan=7), "plan", "收到 7"),
    "plan with line feed": (edit(plan="P\n1"), "plan", r'"P\n1" 含有换行符'),
    "targets not a list": (edit(targets={"id": "a"}), "targets", "应为列表"),
    "target not an object": (edit(targets=[T1]), "targets", "第 1 项"),
    "target missing stratum": (with_target(id="X"), "targets", '缺少字段 "stratum"'),
    "target extra field": (with_target(id="X", stratum="A", name="n"), "targets", '"name"'),
    "target id with tab": (
        with_target(id="X\t", stratum="A"),
        "targets",
        r'对象编号 "X\t" 含有制表符',
    ),
    "target id with CR": (with_target(id="X\r", stratum="A"), "targets", r'"X\r" 含有回车符'),
    "target id with NUL": (
        with_target(id="X\x00", stratum="A"),
        "targets",
        r'"X\u0000" 含有空字符',
    ),
    "target id empty": (with_target(id="", stratum="A"), "targets", '"" 为空'),
    "target id not NFC": (with_target(id="Cafe\u0301", stratum="A"), "targets", "NFC"),
    "target id lone surrogate": (with_target(id="X\ud800", stratum="A"), "targets", "UTF-8"),
    "target id a number": (with_target(id=17, stratum="A"), "targets", "收到 17"),
    "stratum with LF": (with_target(id="X", stratum="A\n"), "targets", r'"A\n" 含有换行符'),
    "stratum not NFC": (with_target(id="X", stratum="A\u0301"), "targets", '"X" 的分层'),
    "duplicate target": (with_target(id=T1, stratum="A"), "targets", f'"{T1}" 重复'),
    "quotas not an object": (edit(quotas=[2, 2]), "quotas", "应为对象"),
    "quota unknown stratum": (edit(quotas={"A": 2, "C": 2, "B": 1}), "quotas", '"B"'),
    "quota missing stratum": (edit(quotas={"A": 2}), "quotas", '"C" 没有配额'),
    "quota negative": (edit(quotas={"A": -1, "C": 2}), "quotas", "-1"),
    "quota too large": (edit(quotas={"A": 5, "C": 2}), "quotas", "配额 5"),
    "quota bool": (edit(quotas={"A": True, "C": 2}), "quotas", "收到 true"),
    "quota float": (edit(quotas={"A": 2.0, "C": 2}), "quotas", "收到 2.0"),
    "inspectors not a list": (edit(inspectors="ZF"), "inspectors", "应为列表"),
    "inspector unit with tab": (with_inspector(id="Z", unit="一\t"), "inspectors", r'"一\t"'),
    "inspector id with CR": (with_inspector(id="Z\r", unit="一"), "inspectors", r'"Z\r"'),
    "duplicate inspector": (
        with_inspector(id="ZF-0101", unit="一"),
        "inspectors",
        '"ZF-0101" 重复',
    ),
    "inspector missing unit": (with_inspector(id="Z"), "inspectors", '"unit"'),
    "no inspectors for teams": (edit(inspectors=[], conflicts=[]), "inspectors", "为空"),
    "conflicts not a list": (edit(conflicts={"ZF-0101": T1}), "conflicts", "应为列表"),
    "conflict not a pair": (edit(conflicts=[["ZF-0101"]]), "conflicts", "第 1 项"),
    "conflict unknown inspector": (edit(conflicts=[["ZF-9", T1]]), "conflicts", '"ZF-9"'),
    "conflict unknown target": (edit(conflicts=[["ZF-0101", "X"]]), "conflicts", '"X"'),
    "team_size negative": (edit(team_size=-1), "team_size", "-1"),
    "team_size bool": (edit(team_size=True), "team_size", "收到 true"),
    "team_size string": (edit(team_size="2"), "team_size", '收到 "2"'),
    "cap missing with teams": (without("cap"), "cap", "cap"),
    "cap zero with teams": (edit(cap=0), "cap", "收到 0"),
    "cap negative": (edit(cap=-3, team_size=0), "cap", "-3"),
    "cap bool": (edit(cap=True), "cap", "收到 true"),
    "entropy empty": (edit(entropy=""), "entropy", "为空"),
    "entropy two lines": (edit(entropy="07 13\n22"), "entropy", r'"07 13\n22"'),
    "entropy with CR": (edit(entropy="07\r"), "entropy", "换行"),
    "entropy a number": (edit(entropy=7), "entropy", "收到 7"),
}


@pytest.mark.parametrize(("obj", "field", "named"), BAD_MANIFESTS.values(), ids=list(BAD_MANIFESTS))
def test_bad_manifest_is_refused_naming_the_value(obj: Any, field: str, named: str) -> None:
    with pytest.raises(ManifestError) as caught:
        parse_manifest(obj)
    assert caught.value.field == field
    assert named in caught.value.message
    assert isinstance(caught.value, DrawSpecError)
    assert isinstance(caught.value, ValueError)


def test_the_first_broken_rule_is_reported_the_same_way_every_time() -> None:
    obj = edit(plan="", team_size=-1, entropy="")
    messages = set()
    for _ in range(3):
        with pytest.raises(ManifestError) as caught:
            parse_manifest(obj)
        messages.add((caught.value.field, caught.value.message))
    assert messages == {("plan", '计划编号 "" 为空')}


def test_team_size_defaults_to_two() -> None:
    obj = tiny()
    del obj["team_size"]
    assert parse_manifest(obj).team_size == 2
    assert draw(obj) == draw(tiny())


def acceptable(s: str) -> bool:
    """Independent statement of the string rule, for the large-roster fast path."""
    try:
        s.encode()
    except UnicodeEncodeError:
        return False
    return (
        bool(s) and not any(c in s for c in "\t\n\r\x00") and unicodedata.normalize("NFC", s) == s
    )


def test_large_roster_check_agrees_with_the_string_rule() -> None:
    rng = random.Random(3)
    pieces = ["a", "e", "\u0301", "\u0327", "\u1100", "\u1161", "\t", "\n", "\x00", "\ud800", "中"]
    for _ in range(300):
        ids = list({"".join(rng.choices(pieces, k=rng.randint(0, 3))) for _ in range(40)})
        if rng.random() < 0.5:  # half the rosters clean, to exercise acceptance
            ids = [t for t in ids if acceptable(t)]
        obj = {
            "plan": "P",
            "targets": [{"id": t, "stratum": "S"} for t in ids],
            "quotas": {"S": 0} if ids else {},
            "team_size": 0,
            "entropy": "e",
        }
        bad = [t for t in ids if not acceptable(t)]
        if not bad:
            assert parse_manifest(obj).target_ids == tuple(ids)
            continue
        with pytest.raises(ManifestError) as caught:
            parse_manifest(obj)
        shown = json.dumps(bad[0], ensure_ascii=False).encode(errors="backslashreplace").decode()
        assert f"对象编号 {shown} " in caught.value.message
