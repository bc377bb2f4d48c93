"""The scan: raises each condition once, refreshes open warnings, survives disabled and
failing rules, and never duplicates, even with two scans at the same moment."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from riskctl.core import clock, settings
from riskctl.core.audit import AuditEntry, verify_chain
from riskctl.core.db import db
from riskctl.core.settings import SettingDef
from riskctl.rectification import operations as ledger
from riskctl.warnings import scan
from riskctl.warnings.models import Warning
from riskctl.warnings.rules.base import RED, YELLOW, Evidence, Signal
from riskctl.warnings.sources import rectification
from riskctl.warnings.sources.base import Rule, switch
from tests.conftest import continue_clock, worker_context
from tests.factories.rectification import overdue_item
from tests.factories.warnings import make_warning

# Dates count from the bureau's today: run at moments where UTC and Beijing disagree.
pytestmark = pytest.mark.usefixtures("instant")

RULE = rectification.RULE


def _warnings() -> list[Warning]:
    db.session.expire_all()
    return list(db.session.scalars(select(Warning).order_by(Warning.id)))


def _actions(prefix: str) -> list[str]:
    return list(
        db.session.scalars(select(AuditEntry.action).where(AuditEntry.action.startswith(prefix)))
    )


def _scan(rules=(RULE,)) -> scan.ScanReport:
    report = scan.run_scan(rules=rules)
    db.session.commit()
    return report


def fixed_rule(key: str, signals: list[Signal], gather=None) -> Rule:
    """A rule outside the registry whose evaluation returns ``signals`` (a list read each turn)."""
    enabled = SettingDef(f"warnings.{key}.enabled", key, True, switch)
    return Rule(
        key,
        key,
        "",
        gather or (lambda ctx, params: None),
        lambda data, params: list(signals),
        enabled,
    )


def test_a_scan_raises_one_warning_per_unit_with_overdue_items(bureau):
    overdue_item(bureau, "ZD1-1", ref="PC-1", days=5)
    overdue_item(bureau, "ZD1-1", ref="PC-2", days=2)
    overdue_item(bureau, "ZD2-1", ref="PC-3", days=1)
    report = _scan()
    warnings = _warnings()
    assert report.raised == 2
    assert [(w.unit.code, w.colour, w.status) for w in warnings] == [
        ("ZD1-1", "red", "raised"),
        ("ZD2-1", "red", "raised"),
    ]
    assert warnings[0].title == "市容秩序第一中队有 2 项整改事项超期未销号"
    refs = [e["ref"] for e in warnings[0].evidence if e["kind"] == "rectification_item"]
    assert len(refs) == 2
    assert _actions("warning.") == ["warning.raise", "warning.scan"]
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "warning.raise"))
    assert (entry.object_type, entry.object_id) == ("warning_rule", "rectification_overdue")
    assert json.loads(entry.summary)["warnings"] == [
        [warnings[0].id, "unit:ZD1-1", "red", "ZD1-1"],
        [warnings[1].id, "unit:ZD2-1", "red", "ZD2-1"],
    ]


def test_a_second_scan_raises_nothing_new_and_refreshes_the_open_warning(bureau):
    overdue_item(bureau)
    _scan()
    first = _warnings()[0]
    seen = first.last_seen_at
    report = _scan()
    again = _warnings()
    assert report.raised == 0 and report.still_open == 1
    assert [w.id for w in again] == [first.id]
    assert again[0].last_seen_at >= seen
    assert _actions("warning.raise") == ["warning.raise"]


def test_a_condition_that_ends_is_marked_cleared_but_stays_open(bureau):
    item = overdue_item(bureau)
    _scan()
    ledger.close_item(item, "已补正文书", actor="legal")
    db.session.commit()
    report = _scan()
    warning = _warnings()[0]
    assert report.outcomes[0].cleared == 1
    assert warning.status == "raised" and warning.cleared_at is not None
    overdue_item(bureau, ref="PC-9")
    _scan()
    assert _warnings()[0].cleared_at is None


def test_a_closed_condition_is_raised_again_only_when_it_rests_on_new_records(bureau):
    overdue_item(bureau, ref="PC-1")
    _scan()
    warning = _warnings()[0]
    warning.status, warning.note, warning.handled_at = "closed", "已约谈", clock.now()
    warning.closing_note, warning.closed_at, warning.closed_by = "已整改", clock.now(), "discipline"
    db.session.commit()
    report = _scan()
    assert report.raised == 0 and report.outcomes[0].not_reraised == 1
    assert len(_warnings()) == 1
    overdue_item(bureau, ref="PC-2")
    report = _scan()
    assert report.raised == 1
    assert [w.status for w in _warnings()] == ["closed", "raised"]


def test_a_warning_turning_red_is_refreshed_and_the_change_audited(bureau):
    signals = [
        Signal(
            "unit:ZD1-1:2026-Q4",
            "ZD1-1",
            YELLOW,
            "免罚率偏高",
            (Evidence("记录", "leniency_list", "ZD1-1"),),
        )
    ]
    rule = fixed_rule("probe_colour", signals)
    _scan((rule,))
    signals[0] = Signal(
        "unit:ZD1-1:2026-Q4",
        "ZD1-1",
        RED,
        "免罚率畸高",
        (Evidence("记录", "leniency_list", "ZD1-1"),),
    )
    report = _scan((rule,))
    warning = _warnings()[0]
    assert report.raised == 0
    assert (warning.colour, warning.title) == ("red", "免罚率畸高")
    assert _actions("warning.colour") == ["warning.colour"]


def test_a_rule_disabled_while_the_scan_runs_is_skipped_and_reported(bureau, admin_name="admin"):
    overdue_item(bureau)

    def disable_the_next_rule(ctx, params):
        settings.change(RULE.enabled.key, False, admin_name)

    probe = fixed_rule("probe_switch", [], gather=disable_the_next_rule)
    report = _scan((probe, RULE))
    assert [o.state for o in report.outcomes] == ["ran", "disabled"]
    assert report.skipped == ["rectification_overdue"]
    assert "整改超期：已停用，跳过" in "\n".join(report.lines())
    assert _warnings() == []


def test_a_failing_rule_is_reported_and_the_other_rules_still_run(bureau):
    overdue_item(bureau)

    def broken(ctx, params):
        db.session.execute(text("SELECT * FROM no_such_table"))

    report = _scan((fixed_rule("probe_broken", [], gather=broken), RULE))
    assert [o.state for o in report.outcomes] == ["failed", "ran"]
    assert "出错，已跳过" in report.lines()[1]
    assert len(_warnings()) == 1
    assert verify_chain()[1] is None


def test_the_threshold_in_force_decides(bureau):
    overdue_item(bureau, ref="PC-1")
    overdue_item(bureau, ref="PC-2")
    settings.change(RULE.thresholds["min_items"].key, 3, "admin")
    db.session.commit()
    assert _scan().raised == 0
    settings.change(RULE.thresholds["min_items"].key, 2, "admin")
    db.session.commit()
    assert _scan().raised == 1


def test_the_database_refuses_a_second_open_warning_for_the_same_condition(bureau):
    make_warning(bureau, status="closed")
    make_warning(bureau)  # a closed one does not count
    with pytest.raises(IntegrityError):
        make_warning(bureau, status="acknowledged")
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Warning)) == 2


def test_the_scan_command_prints_a_chinese_summary(app, bureau):
    overdue_item(bureau)
    runner = app.test_cli_runner()
    first = runner.invoke(args=["warnings", "scan", "--date", clock.today().isoformat()])
    second = runner.invoke(args=["warnings", "scan"])
    assert first.exit_code == 0, first.output
    assert "整改超期：新增 1 条，仍未关闭 0 条" in first.output
    assert "新增 0 条，仍未关闭 1 条" in second.output
    bad = runner.invoke(args=["warnings", "scan", "--date", "2026-02-30"])
    assert bad.exit_code != 0 and "格式不对" in bad.output


def _scan_worker(url: str, barrier, moment) -> None:
    from riskctl import create_app

    continue_clock(moment)

    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "x", "PII_KEY": "y", "ENV": "testing"}
    )
    with app.app_context():
        barrier.wait()
        scan.run_scan()
        db.session.commit()


@pytest.mark.postgres_only
def test_two_scans_at_the_same_moment_raise_each_warning_once(database_url, is_postgres, bureau):
    if not is_postgres:
        pytest.skip(
            "SQLite serialises the scans by its write lock; the advisory lock is PostgreSQL's"
        )
    for n, unit in enumerate(("ZD1-1", "ZD1-2", "ZD2-1")):
        overdue_item(bureau, unit, ref=f"PC-{n}")
    ctx = worker_context()
    barrier = ctx.Barrier(4)
    args = (database_url, barrier, clock.now())
    workers = [ctx.Process(target=_scan_worker, args=args) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
    assert [w.exitcode for w in workers] == [0, 0, 0, 0]
    assert sorted(w.subject_key for w in _warnings()) == ["unit:ZD1-1", "unit:ZD1-2", "unit:ZD2-1"]
    raised = db.session.scalars(
        select(AuditEntry.summary).where(AuditEntry.action == "warning.raise")
    ).all()
    assert sum(json.loads(summary)["count"] for summary in raised) == 3
    assert _actions("warning.scan") == ["warning.scan"] * 4
    assert verify_chain()[1] is None
