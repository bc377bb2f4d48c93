"""Lock, then draw once: the frozen manifest, the one draw, the approved re-draw."""

from __future__ import annotations

import multiprocessing

import pytest
from sqlalchemy import func, select

from riskctl.core.audit import AuditEntry
from riskctl.core.db import db
from riskctl.core.errors import Conflict, ValidationFailed
from riskctl.draws import operations, queries
from riskctl.draws.engine.draw import result_as_dict
from riskctl.draws.engine.manifest import manifest_as_dict, parse_manifest
from riskctl.draws.models import Draw, DrawManifest, DrawSelection
from riskctl.draws.runner import recompute
from tests.draws.conftest import (
    BAD,
    ID_CARD,
    SOURCE,
    draw,
    lock,
    lock_inputs,
    vector,
    with_individual,
)


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _actions() -> list[str]:
    """The draw entries of the audit chain, in order."""
    return list(
        db.session.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.action.startswith("draw."))
            .order_by(AuditEntry.seq)
        )
    )


def test_locking_freezes_the_manifest_and_publishes_its_digests(bureau):
    manifest = lock(actor=bureau.users["legal"])
    expected = vector("tiny-two-strata")["expected"]
    assert manifest.digests == {
        k: expected[k]
        for k in ("targets_digest", "inspectors_digest", "conflicts_digest", "quotas_digest")
    }
    assert (manifest.kind, manifest.subject, manifest.plan) == (
        "inspection",
        "SJ-2026-11-001",
        "2026-Q4-市容-001",
    )
    assert (manifest.target_count, manifest.inspector_count, manifest.conflict_count) == (8, 5, 2)
    assert (manifest.team_size, manifest.cap, manifest.quotas) == (2, 2, {"A": 2, "C": 2})
    assert manifest.locked_by == "legal" and manifest.personal_ids == []
    body = vector("tiny-two-strata")["manifest"]
    body.pop("entropy")
    assert manifest.body == manifest_as_dict(parse_manifest(body, require_entropy=False))
    assert _actions() == ["draw.lock"]


def test_the_draw_reproduces_the_published_vector(bureau):
    drawn = draw(lock())
    expected = vector("tiny-two-strata")["expected"]
    assert (drawn.round, drawn.seed, drawn.result_digest) == (
        1,
        expected["seed"],
        expected["result_digest"],
    )
    assert (drawn.entropy, drawn.entropy_source, drawn.drawn_by) == (
        vector("tiny-two-strata")["manifest"]["entropy"],
        SOURCE,
        "legal",
    )
    rows = queries.selections(drawn)
    assert [(s.position, s.target_id, s.stratum, s.key, s.inspectors) for s in rows] == [
        (n, e["target"], e["stratum"], e["key"], e["inspectors"])
        for n, e in enumerate(expected["selected"], start=1)
    ]
    assert queries.draw_for("inspection", "SJ-2026-11-001").id == drawn.id
    assert queries.draw_for("review", "SJ-2026-11-001") is None
    assert _actions() == ["draw.lock", "draw.run"]


def test_a_stored_draw_verifies_from_its_own_manifest(bureau):
    drawn = draw(
        lock("medium-four-classes"), entropy=vector("medium-four-classes")["manifest"]["entropy"]
    )
    recomputed = result_as_dict(recompute(queries.manifest_document(drawn)))
    assert recomputed == vector("medium-four-classes")["expected"]
    assert recomputed["result_digest"] == drawn.result_digest
    assert [s["target"] for s in recomputed["selected"]] == [
        s.target_id for s in queries.selections(drawn)
    ]


def test_a_plan_that_selects_targets_only_is_drawn_without_teams(bureau):
    sample = vector("sample-only-no-team")
    drawn = draw(lock("sample-only-no-team"), entropy=sample["manifest"]["entropy"])
    assert drawn.result_digest == sample["expected"]["result_digest"]
    assert all(s.inspectors == [] for s in queries.selections(drawn))


def test_locking_twice_is_a_conflict(bureau):
    first = lock()
    with pytest.raises(Conflict, match=r"SJ-2026-11-001 已于 .* 锁定抽取清单（清单编号 \d+）"):
        lock()
    db.session.rollback()
    assert _count(DrawManifest) == 1 and db.session.get(DrawManifest, first.id) is not None
    lock(kind="review")  # the same code in another module is another subject


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"quotas": {"A": 5, "C": 2}}, "quotas", '分层 "A" 的配额 5 应在 0 到该层对象数 4 之间'),
        (
            {"targets": [("T-1\t", "A")], "quotas": {"A": 1}, "conflicts": []},
            "targets",
            "含有制表符",
        ),
        ({"team_size": 2, "cap": 0}, "cap", "每人上限 cap 至少为 1"),
        (
            {"conflicts": [("ZF-9999", "个体-新华路-017")]},
            "conflicts",
            '"ZF-9999" 不在检查人员名录中',
        ),
    ],
)
def test_a_manifest_that_breaks_a_rule_is_refused_and_nothing_is_stored(
    bureau, change, field, message
):
    with pytest.raises(ValidationFailed) as caught:
        lock(**change)
    assert message in caught.value.message
    assert caught.value.status == 422 and field in caught.value.details
    db.session.rollback()
    assert _count(DrawManifest) == 0 and _actions() == []


def test_a_second_draw_is_a_conflict(bureau):
    manifest = lock()
    first = draw(manifest)
    with pytest.raises(Conflict, match=rf"已于 .* 抽取（抽取编号 {first.id}），不能再次抽取"):
        draw(manifest, entropy="另一个随机数")
    db.session.rollback()
    assert _count(Draw) == 1 and _count(DrawSelection) == 4


def test_a_target_nobody_may_inspect_fails_the_draw_and_saves_nothing(bureau):
    error = BAD[0]
    manifest = operations.freeze_manifest(
        "inspection", "SJ-ERR", actor="legal", **lock_inputs(error["manifest"])
    )
    db.session.commit()
    audit_before = _count(AuditEntry)
    with pytest.raises(ValidationFailed) as caught:
        operations.perform_draw(manifest, error["manifest"]["entropy"], SOURCE, "legal")
    assert '对象 "a" 没有可派的检查人员' in caught.value.message
    assert caught.value.status == 422 and "targets" in caught.value.details
    assert not db.session.new  # nothing was even added to the session
    db.session.rollback()
    assert (_count(Draw), _count(DrawSelection), _count(AuditEntry)) == (0, 0, audit_before)


@pytest.mark.parametrize(
    ("entropy", "source", "field", "message"),
    [
        ("", SOURCE, "entropy", "公开随机数 entropy 为空"),
        ("07 13\n22 31", SOURCE, "entropy", "含有换行，应为一行文本"),
        ("07 13 22 31 45", "", "entropy_source", "请填写公开随机数的来源"),
        ("07 13 22 31 45", "第一行\n第二行", "entropy_source", "公开随机数来源应为一行文字"),
    ],
)
def test_entropy_and_its_source_are_checked(bureau, entropy, source, field, message):
    manifest = lock()
    with pytest.raises(ValidationFailed) as caught:
        operations.perform_draw(manifest, entropy, source, "legal")
    assert message in caught.value.message and field in caught.value.details
    db.session.rollback()
    assert _count(Draw) == 0


def test_a_redraw_needs_a_reason_and_a_leaders_approval(bureau):
    first = draw(lock())
    leader, legal = bureau.users["leader"], bureau.users["legal"]
    with pytest.raises(ValidationFailed, match="重抽须写明理由"):
        operations.redraw(first, "entropy_failure", "  ", leader, "新随机数 01 02", SOURCE, legal)
    with pytest.raises(ValidationFailed, match=r"重抽须经局领导批准（legal 不是在岗的局领导）"):
        operations.redraw(
            first, "entropy_failure", "开奖号码录入有误", legal, "新随机数 01 02", SOURCE, legal
        )
    with pytest.raises(ValidationFailed) as caught:
        operations.redraw(
            first, "entropy_failure", "开奖号码录入有误", None, "新随机数 01 02", SOURCE, legal
        )
    assert "approved_by" in caught.value.details
    with pytest.raises(ValidationFailed, match="已在第 1 轮抽取中使用"):
        operations.redraw(
            first, "entropy_failure", "开奖号码录入有误", leader, first.entropy, SOURCE, legal
        )
    db.session.rollback()
    assert _count(Draw) == 1


def test_a_redraw_is_a_new_round_and_the_old_draw_stays(bureau):
    first = draw(lock())
    old = [(s.target_id, s.inspectors) for s in queries.selections(first)]
    second = operations.redraw(
        first,
        "entropy_failure",
        "开奖号码录入有误",
        bureau.users["leader"],
        "2026-11-21 省体彩排列5 第 26311 期 3 9 4 0 7",
        SOURCE,
        "legal",
    )
    db.session.commit()
    assert (second.round, second.redraw_reason, second.approved_by) == (
        2,
        "开奖号码录入有误",
        "leader",
    )
    assert second.manifest_id == first.manifest_id and second.result_digest != first.result_digest
    assert [(s.target_id, s.inspectors) for s in queries.selections(first)] == old
    assert queries.draw_for("inspection", "SJ-2026-11-001").id == second.id
    assert [d.round for d in queries.rounds(first.manifest_id)] == [1, 2]
    assert _actions() == ["draw.lock", "draw.run", "draw.redraw"]
    with pytest.raises(Conflict, match="只能对最新一轮申请重抽"):
        operations.redraw(
            first,
            "entropy_failure",
            "再抽一次",
            bureau.users["leader"],
            "又一个随机数",
            SOURCE,
            "legal",
        )


def test_personal_target_ids_are_masked_for_the_public(bureau):
    inputs = with_individual()
    manifest = operations.freeze_manifest(
        "inspection", "SJ-GT", actor="legal", personal_ids=["个体-新华路-017"], **inputs
    )
    drawn = operations.perform_draw(manifest, "07 13 22 31 45", SOURCE, "legal")
    db.session.commit()
    assert manifest.personal_ids == [ID_CARD, "个体-新华路-017"]  # declared, and found by shape
    assert not manifest.public_manifest and drawn.has_personal
    labels = {s.target_id: s.public_label for s in queries.selections(drawn)}
    assert labels[ID_CARD] == "4104**********1230"
    assert labels["个体-新华路-017"] == "个体******17"
    assert labels["92410402MA45YYYY1E"] is None


def test_a_credit_code_shaped_like_digits_is_not_taken_for_an_id_card(bureau):
    inputs = lock_inputs(vector("tiny-two-strata")["manifest"])
    inputs["targets"] = [*inputs["targets"], ("410402199013011230", "C")]  # month 13: no id card
    manifest = operations.freeze_manifest("inspection", "SJ-X", actor="legal", **inputs)
    assert manifest.personal_ids == []


def _draw_in_another_process(url: str, manifest_id: int, barrier, results) -> None:
    from riskctl import create_app

    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "x", "PII_KEY": "y", "ENV": "testing"}
    )
    with app.app_context():
        manifest = db.session.get(DrawManifest, manifest_id)
        barrier.wait()
        try:
            operations.perform_draw(manifest, "2026-11-20 公证摇号 07 13 22 31 45", SOURCE, "legal")
            db.session.commit()
            results.put("drawn")
        except Conflict as exc:
            db.session.rollback()
            results.put(f"409 {exc.message}")


@pytest.mark.postgres_only
def test_two_draws_at_the_same_moment_give_one_draw_and_one_conflict(
    database_url, is_postgres, bureau
):
    if not is_postgres:
        pytest.skip("SQLite serialises writers itself; the race is PostgreSQL's")
    manifest = lock()
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(2), ctx.Queue()
    workers = [
        ctx.Process(
            target=_draw_in_another_process, args=(database_url, manifest.id, barrier, results)
        )
        for _ in range(2)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
    assert [w.exitcode for w in workers] == [0, 0]
    conflict, drawn = sorted(results.get(timeout=5) for _ in workers)  # "409 …" < "drawn"
    assert drawn == "drawn" and conflict.startswith("409 ") and "不能再次抽取" in conflict
    db.session.expire_all()
    assert _count(Draw) == 1 and _count(DrawSelection) == 4
    assert _actions().count("draw.run") == 1
