"""The life of a warning: acknowledge (确认) → handle (处置) → close (关闭). Flush and audit.

Each step moves the warning with a guarded UPDATE (… WHERE status = the expected one):
of two people closing the same warning at the same moment, the second finds it already
closed and gets the same 409 as someone closing it twice.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import ColumnElement, update

from riskctl.accounts.models import Unit, User
from riskctl.core import audit, clock
from riskctl.core.db import db
from riskctl.core.errors import Conflict, ValidationFailed
from riskctl.rectification.operations import open_item
from riskctl.warnings.models import ACKNOWLEDGED, CLOSED, HANDLED, RAISED, STATUSES, Warning
from riskctl.warnings.risk_points import risk_point_label


def _refuse_closed(warning: Warning) -> None:
    if warning.status == CLOSED:
        raise Conflict(
            f"预警 #{warning.id} 已于 {clock.display(warning.closed_at)} 由 "
            f"{warning.closed_by} 关闭，不能重复关闭或再作变更"
        )


def _expect(warning: Warning, status: str, step: str) -> None:
    _refuse_closed(warning)
    if warning.status != status:
        raise Conflict(
            f"预警 #{warning.id} 当前状态为「{STATUSES[warning.status]}」，"
            f"只有「{STATUSES[status]}」的预警才能{step}"
        )


def _move(
    warning: Warning, guard: ColumnElement[bool], check: Callable[[Warning], None], **values: Any
) -> None:
    """Write ``values`` if ``guard`` still holds in the database; else ``check`` the state
    someone else just committed (it raises the step's 409)."""
    moved = db.session.execute(
        update(Warning)
        .where(Warning.id == warning.id, guard)
        .values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(warning)
    if moved != 1:
        check(warning)


def acknowledge(warning: Warning, actor: User) -> Warning:
    """确认: the committee has seen the warning and takes it on."""

    def check(w: Warning) -> None:
        _expect(w, RAISED, "确认")

    check(warning)
    _move(
        warning,
        Warning.status == RAISED,
        check,
        status=ACKNOWLEDGED,
        acknowledged_at=clock.now(),
        acknowledged_by=actor.username,
    )
    audit.record(
        "warning.acknowledge", "warning", warning.id, {"rule": warning.rule}, actor=actor.username
    )
    return warning


def handle(warning: Warning, note: str, actor: User, rectification: dict | None = None) -> Warning:
    """处置: what was done, in a note; optionally a rectification item (整改事项) for a unit.

    ``rectification`` holds ``owner``, ``deadline_days`` and optionally ``unit`` (a Unit;
    the warning's own unit by default).
    """

    def check(w: Warning) -> None:
        _expect(w, ACKNOWLEDGED, "处置（请先确认）")

    note = (note or "").strip()
    if not note:
        raise ValidationFailed.field("note", "处置必须填写处置情况说明")
    check(warning)
    item_id = None
    if rectification is not None:
        item_id = _open_rectification(warning, note, rectification, actor)
    _move(
        warning,
        Warning.status == ACKNOWLEDGED,
        check,
        status=HANDLED,
        note=note,
        handled_at=clock.now(),
        handled_by=actor.username,
        rectification_item_id=item_id,
    )
    audit.record(
        "warning.handle",
        "warning",
        warning.id,
        {"note": note, "rectification_item": item_id},
        actor=actor.username,
    )
    return warning


def _open_rectification(warning: Warning, note: str, spec: dict, actor: User) -> int:
    unit: Unit | None = spec.get("unit") or warning.unit
    if unit is None:
        raise ValidationFailed.field("rectification.unit", "该预警未关联单位，请指定整改责任单位")
    item = open_item(
        "warning",
        f"预警#{warning.id}",
        warning.title[:200],
        unit.id,
        spec.get("owner"),
        spec.get("deadline_days"),
        detail=note,
        actor=actor,
    )
    return item.id


def close(warning: Warning, note: str, actor: User) -> Warning:
    """关闭: only a handled warning, with a closing note; closing twice is refused."""

    def check(w: Warning) -> None:
        _expect(w, HANDLED, "关闭（请先处置）")

    note = (note or "").strip()
    check(warning)
    if not note:
        raise ValidationFailed.field("note", "关闭预警必须填写关闭说明")
    _move(
        warning,
        Warning.status == HANDLED,
        check,
        status=CLOSED,
        closing_note=note,
        closed_at=clock.now(),
        closed_by=actor.username,
    )
    audit.record("warning.close", "warning", warning.id, {"note": note}, actor=actor.username)
    return warning


def link_risk_point(
    warning: Warning, risk_point_id: int | None, proposal: str | None, actor: User
) -> Warning:
    """Link the warning to the risk point it bears on, or record the one to register."""
    _refuse_closed(warning)
    proposal = (proposal or "").strip() or None
    if risk_point_id is None and proposal is None:
        raise ValidationFailed.field("risk_point_id", "请指定关联的风险点，或填写建议新增的风险点")
    label = None
    if risk_point_id is not None:
        label = risk_point_label(risk_point_id)
        if label is None:
            raise ValidationFailed.field("risk_point_id", f"风险点 {risk_point_id} 不存在或已停用")
    before = {"risk_point_id": warning.risk_point_id, "proposal": warning.proposal}
    kept = None if risk_point_id else proposal
    _move(
        warning,
        Warning.status != CLOSED,
        _refuse_closed,
        risk_point_id=risk_point_id,
        proposal=kept,
    )
    audit.record(
        "warning.link",
        "warning",
        warning.id,
        {
            "before": before,
            "risk_point_id": risk_point_id,
            "risk_point": label,
            "proposal": kept,
        },
        actor=actor.username,
    )
    return warning
