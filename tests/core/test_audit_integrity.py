"""The audit chain holds against an insider with database access but not the audit key.

Walk-throughs of issue 12 §1: a rewritten row with every later hash recomputed by the
project's own (unkeyed) hash function, and the newest entries deleted.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from riskctl.core import audit, clock
from riskctl.core.audit import AuditCheckpoint, AuditEntry, verify, verify_chain
from riskctl.core.audit.chain import GENESIS, canonical, entry_hash, legacy_hash
from riskctl.core.audit.keys import Keyring, key_id, keyring
from riskctl.core.audit.rekey import rekey_legacy
from riskctl.core.db import db


def _append(n: int, actor: str = "duiyuan") -> None:
    for i in range(n):
        audit.record("leniency.record", "leniency_record", i + 1, {"i": i}, actor=actor)
    db.session.commit()


def _rows() -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).order_by(AuditEntry.seq)))


def _rewrite(from_seq: int, hasher) -> None:
    """An insider's rewrite: change one row, then recompute it and every later link."""
    db.session.execute(
        text("UPDATE audit_entries SET actor = 'someone_else' WHERE seq = :s"), {"s": from_seq}
    )
    db.session.commit()
    db.session.expire_all()
    prev = None
    for e in _rows():
        if e.seq < from_seq:
            prev = e.hash
            continue
        new = hasher(e, prev)
        db.session.execute(
            text("UPDATE audit_entries SET prev_hash = :p, hash = :h, key_id = :k WHERE seq = :s"),
            {"p": prev, "h": f"tmp{e.seq}", "k": e.key_id, "s": e.seq},
        )
        db.session.execute(
            text("UPDATE audit_entries SET hash = :h WHERE seq = :s"), {"h": new, "s": e.seq}
        )
        prev = new
    db.session.commit()


def _fields(e: AuditEntry, prev: str) -> tuple:
    return (e.seq, e.at, e.actor, e.action, e.object_type, e.object_id, e.summary, prev)


def test_a_rewrite_recomputed_with_the_unkeyed_hash_is_detected(app):
    _append(6)
    _rewrite(3, lambda e, prev: legacy_hash(*_fields(e, prev)))
    count, broken = verify_chain()
    assert (count, broken.seq) == (2, 3)
    assert "被改动" in broken.reason
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 1 and "第 3 条" in result.output


def test_a_rewrite_signed_with_a_key_of_ones_own_is_detected():
    _append(4)
    forged = Keyring.of("an-insiders-guess")
    _rewrite(
        2,
        lambda e, prev: entry_hash(forged.current, e.key_id, *_fields(e, prev)),
    )
    count, broken = verify_chain()
    assert (count, broken.seq) == (1, 2)
    # Claiming the entry was signed by the insider's own key names an unknown key instead.
    db.session.execute(
        text("UPDATE audit_entries SET key_id = :k WHERE seq = 2"), {"k": forged.current_id}
    )
    db.session.commit()
    _, broken = verify_chain()
    assert broken.seq == 2 and forged.current_id in broken.reason


def test_deleting_the_newest_entries_is_caught_by_a_checkpoint_and_by_an_anchor(app):
    runner = app.test_cli_runner()
    _append(6)
    anchor = runner.invoke(args=["audit", "checkpoint"]).output.strip()
    seq, digest = anchor.split(":")
    assert int(seq) == 6 and len(digest) == 64
    assert len(_rows()) == 7  # the checkpoint is itself entry 7
    db.session.execute(text("DELETE FROM audit_entries WHERE seq > 4"))  # the newest three
    db.session.commit()
    count, broken = verify_chain()
    assert count == 4 and broken.seq == 6 and "截断" in broken.reason
    assert runner.invoke(args=["audit", "verify"]).exit_code == 1

    # The insider also deletes the checkpoint: the chain looks whole inside the system ...
    db.session.execute(text("DELETE FROM audit_checkpoints"))
    db.session.commit()
    assert verify_chain() == (4, None)
    # ... but not against the anchor 纪委 kept outside it.
    result = runner.invoke(args=["audit", "verify", "--no-checkpoint", "--anchor", anchor])
    assert result.exit_code == 1
    assert f"锚点 {anchor} 不符" in result.output and "被截断" in result.output


def test_an_anchor_the_chain_still_holds_passes_and_a_wrong_hash_is_named(app):
    runner = app.test_cli_runner()
    _append(3)
    head = runner.invoke(args=["audit", "head"]).output.strip()
    last = _rows()[-1]
    assert head == f"{last.seq}:{last.hash}"
    good = runner.invoke(
        args=["audit", "verify", "--anchor", head, "--anchor", f"1:{_rows()[0].hash}"]
    )
    assert good.exit_code == 0, good.output
    wrong = f"2:{'a' * 64}"
    bad = runner.invoke(args=["audit", "verify", "--anchor", head, "--anchor", wrong])
    assert bad.exit_code == 1 and f"锚点 {wrong} 不符" in bad.output
    assert head not in bad.output.split("不符")[0]  # only the wrong anchor is named
    malformed = runner.invoke(args=["audit", "verify", "--anchor", "3:xyz"])
    assert malformed.exit_code == 2 and "序号:哈希" in malformed.output


def test_an_intact_verify_records_a_checkpoint_and_a_read_only_one_does_not(app):
    runner = app.test_cli_runner()
    _append(2)
    assert runner.invoke(args=["audit", "verify", "--no-checkpoint"]).exit_code == 0
    assert db.session.scalar(select(db.func.count(AuditCheckpoint.id))) == 0
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0 and "已记录检查点 2:" in result.output
    checkpoint = db.session.scalar(select(AuditCheckpoint))
    assert (checkpoint.seq, checkpoint.source) == (2, "每日校验")
    entry = _rows()[-1]
    assert (entry.seq, entry.action) == (3, "audit.checkpoint")
    assert verify().checked == 1


def test_a_rotated_key_still_verifies_the_entries_the_old_key_signed(app, monkeypatch):
    _append(2)
    old = app.config["AUDIT_KEY"]
    monkeypatch.setitem(app.config, "AUDIT_KEY", "the-new-key")
    monkeypatch.setitem(app.config, "AUDIT_OLD_KEYS", f"{old}")
    _append(2)
    assert [e.key_id for e in _rows()] == [key_id(old)] * 2 + [key_id("the-new-key")] * 2
    assert verify_chain() == (4, None)
    monkeypatch.setitem(app.config, "AUDIT_OLD_KEYS", "")
    count, broken = verify_chain()
    assert (count, broken.seq) == (0, 1)
    assert key_id(old) in broken.reason and "RISKCTL_AUDIT_OLD_KEYS" in broken.reason


def _legacy_chain(n: int) -> None:
    """A chain as written before the audit key: unkeyed SHA-256, no key id."""
    prev = GENESIS
    for seq in range(1, n + 1):
        at, body = clock.now(), canonical({"seq": seq})
        own = legacy_hash(seq, at, "fazhi", "old.write", "thing", str(seq), body, prev)
        db.session.add(
            AuditEntry(
                seq=seq,
                at=at,
                actor="fazhi",
                action="old.write",
                object_type="thing",
                object_id=str(seq),
                summary=body,
                prev_hash=prev,
                hash=own,
            )
        )
        prev = own
    db.session.commit()


def test_an_old_chain_is_re_signed_with_the_configured_key():
    _legacy_chain(7)
    old_head = _rows()[-1].hash
    # Unkeyed entries are never trusted, however well their hashes link up.
    assert verify_chain()[1].seq == 1
    result = rekey_legacy(db.session.connection(), keyring())
    db.session.commit()
    db.session.expire_all()
    assert (result.signed, result.broken_at, result.old_head) == (7, None, f"7:{old_head}")
    assert verify_chain() == (7, None)
    _append(1)
    assert verify_chain() == (8, None)


def test_re_signing_stops_at_an_old_chain_that_was_already_tampered_with():
    _legacy_chain(5)
    db.session.execute(text("UPDATE audit_entries SET actor = 'x' WHERE seq = 4"))
    db.session.commit()
    result = rekey_legacy(db.session.connection(), keyring())
    db.session.commit()
    assert (result.signed, result.broken_at) == (3, 4)
    count, broken = verify_chain()
    assert (count, broken.seq) == (3, 4)


@pytest.mark.parametrize("path", ["/public/audit", "/public/audit.json"])
def test_checkpoints_are_public_without_the_log_content(app, client, path):
    audit.record("leniency.record", "leniency_record", 1, {"party": "secret-party"}, actor="a")
    db.session.commit()
    app.test_cli_runner().invoke(args=["audit", "checkpoint"])
    checkpoint = db.session.scalar(select(AuditCheckpoint))
    response = client.get(path)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    if "<main>" in body:  # the page: its content, not the shared public navigation
        body = body.split("<main>", 1)[1]
    assert checkpoint.hash in body and "secret-party" not in body and "leniency" not in body
