"""Changing the register: create, change, review, retire. Each keeps a version and audits.

Operations flush and never commit (one commit per request). ``data`` holds plain
values as the input schemas load them; ``unit`` is a unit code.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import has_request_context
from sqlalchemy import select

from riskctl.accounts.queries import usable_unit
from riskctl.core import audit, clock, settings
from riskctl.core.auth.policy import current_actor
from riskctl.core.db import db
from riskctl.core.errors import Conflict, ValidationFailed
from riskctl.risks.history import diff, snapshot
from riskctl.risks.models import ACTIVE, RETIRED, RiskMeasure, RiskPoint, RiskPointVersion
from riskctl.risks.options import MATRIX_KEY, current_matrix, review_intervals
from riskctl.risks.queries import largest_scale_in_use
from riskctl.risks.rules import Matrix, next_review, parse_level

TEXT_FIELDS = (
    "post",
    "power",
    "stage",
    "title",
    "description",
    "category",
    "responsible",
    "supervisor",
    "indicator",
)


def actor_name(actor: str | None = None) -> str:
    """Who acts: the given name, the signed-in user, or "system" (CLI, demo)."""
    if actor:
        return actor
    user = current_actor() if has_request_context() else None
    return user.username if user is not None else "system"


def check_scale(likelihood: int, impact: int, matrix: Matrix) -> str:
    """The level for the pair, or 422 when the pair lies outside the matrix in force."""
    level = matrix.level(likelihood, impact)
    if level is None:
        n = matrix.size
        pairs = (("likelihood", "可能性", likelihood), ("impact", "影响程度", impact))
        bad = {
            name: [f"{label}应为 1 到 {n} 之间的整数（当前风险矩阵为 {n}×{n}）"]
            for name, label, value in pairs
            if not 1 <= value <= n
        }
        raise ValidationFailed(next(iter(bad.values()))[0], bad)
    return level


def check_claimed_level(claimed: str | None, computed: str) -> None:
    """A level sent by the client is never taken; one that disagrees is refused."""
    if claimed in (None, ""):
        return
    if parse_level(claimed) != computed:
        raise ValidationFailed.field(
            "level",
            f"风险等级由可能性与影响程度计算得出，应为“{computed}”，不能填写为“{claimed}”",
        )


def _set_measures(point: RiskPoint, measures: list[dict[str, Any]]) -> None:
    # Updated in place by position: replacing rows would trip (point_id, position).
    for position, item in enumerate(measures):
        if position < len(point.measures):
            row = point.measures[position]
        else:
            row = RiskMeasure(position=position)
            point.measures.append(row)
        row.text, row.owner = item["text"], item.get("owner") or ""
        row.deadline, row.status = item.get("deadline"), item.get("status") or "planned"
    del point.measures[len(measures) :]


def _assign(point: RiskPoint, data: dict[str, Any]) -> None:
    if "unit" in data and (point.unit is None or point.unit.code != data["unit"]):
        point.unit = usable_unit(data["unit"])
    for field in (*TEXT_FIELDS, "likelihood", "impact"):
        if field in data:
            setattr(point, field, data[field])
    if "measures" in data:
        _set_measures(point, data["measures"])


def new_version(
    point: RiskPoint,
    action: str,
    reason: str,
    before: dict[str, Any] | None,
    actor: str,
    matrix: Matrix,
) -> RiskPointVersion:
    """Add the next version of ``point`` (flushed by the caller) and return it."""
    after = snapshot(point, matrix)
    number = 1 if before is None else point.version + 1
    point.version = number
    point.updated_at = clock.now()
    version = RiskPointVersion(
        point_id=point.id,
        number=number,
        action=action,
        actor=actor,
        reason=reason,
        snapshot=after,
        changes=diff(before, after),
        at=clock.now(),
    )
    db.session.add(version)
    return version


def _audit(version: RiskPointVersion, action: str) -> None:
    audit.record(
        f"risk_point.{action}",
        "risk_point",
        version.point_id,
        {
            "version": version.number,
            "reason": version.reason,
            "changes": [{k: c[k] for k in ("field", "before", "after")} for c in version.changes],
        },
        actor=version.actor,
    )


def build_point(
    data: dict[str, Any], matrix: Matrix, today: date, intervals: dict[str, int]
) -> RiskPoint:
    """A new active point from checked ``data`` (not yet added to the session)."""
    level = check_scale(data["likelihood"], data["impact"], matrix)
    check_claimed_level(data.get("level"), level)
    point = RiskPoint(
        status=ACTIVE,
        version=1,
        description="",
        category="",
        responsible="",
        supervisor="",
        indicator="",
    )
    _assign(point, data)
    point.next_review = data.get("next_review") or next_review(today, level, intervals)
    return point


def create_point(
    data: dict[str, Any], *, actor: str | None = None, today: date | None = None
) -> RiskPoint:
    """登记风险点: the level is computed, the next review follows from it unless given."""
    matrix = current_matrix()
    point = build_point(data, matrix, today or clock.today(), review_intervals())
    _check_unique(point)
    db.session.add(point)
    db.session.flush()
    version = new_version(
        point, "create", data.get("reason") or "新建", None, actor_name(actor), matrix
    )
    db.session.flush()
    _audit(version, "create")
    return point


def _check_unique(point: RiskPoint) -> None:
    """A readable 409 before the partial unique index would refuse the flush."""
    with db.session.no_autoflush:
        clash = db.session.scalar(
            select(RiskPoint.id).where(
                RiskPoint.unit_id == point.unit.id,
                RiskPoint.post == point.post,
                RiskPoint.title == point.title,
                RiskPoint.status == ACTIVE,
                RiskPoint.id != (point.id or 0),
            )
        )
    if clash:
        raise Conflict(
            f"{point.unit.name}“{point.post}”岗位已有同名风险点“{point.title}”"
            f"（编号 {clash}），请直接修改该风险点"
        )


def _require_active(point: RiskPoint, doing: str) -> None:
    if point.status != ACTIVE:
        raise Conflict(f"风险点 {point.id} 已停用，不能{doing}")


def _require_reason(reason: str | None, field: str = "reason", what: str = "修改原因") -> str:
    if not reason or not reason.strip():
        raise ValidationFailed.field(field, f"请填写{what}")
    return reason.strip()


def apply_changes(
    point: RiskPoint, data: dict[str, Any], matrix: Matrix, today: date | None = None
) -> dict[str, Any] | None:
    """Assign ``data`` to ``point``; the snapshot before, or None when nothing changed."""
    before = snapshot(point, matrix)
    level = check_scale(
        data.get("likelihood", point.likelihood), data.get("impact", point.impact), matrix
    )
    check_claimed_level(data.get("level"), level)
    _assign(point, data)
    given = data.get("next_review")
    if given and given.isoformat() != before["next_review"]:
        point.next_review = given
    elif level != before["level"]:
        # A new level is a new assessment: the next review counts from today. (A date
        # sent back unchanged with the rest of the point does not count as given.)
        point.next_review = next_review(today or clock.today(), level, review_intervals())
    return None if snapshot(point, matrix) == before else before


def update_point(
    point: RiskPoint,
    data: dict[str, Any],
    reason: str | None,
    *,
    expected_version: int | None = None,
    actor: str | None = None,
    today: date | None = None,
) -> RiskPointVersion | None:
    """修改风险点 with a reason; returns the new version, or None when nothing changed."""
    reason = _require_reason(reason)
    _require_active(point, "修改")
    if expected_version is not None and expected_version != point.version:
        raise Conflict(f"风险点 {point.id} 已被他人修改为第 {point.version} 版，请刷新后再改")
    matrix = current_matrix()
    key = (point.unit_id, point.post, point.title)
    with db.session.no_autoflush:
        before = apply_changes(point, data, matrix, today)
        if before is None:
            return None
        if (point.unit.id, point.post, point.title) != key:
            _check_unique(point)
    version = new_version(point, "update", reason, before, actor_name(actor), matrix)
    db.session.flush()
    _audit(version, "update")
    return version


def change_point(
    point: RiskPoint,
    data: dict[str, Any],
    reason: str | None,
    *,
    expected_version: int | None = None,
    actor: str | None = None,
) -> RiskPoint:
    """The PATCH of api.md: like ``update_point`` but a change that changes nothing is refused."""
    version = update_point(point, data, reason, expected_version=expected_version, actor=actor)
    if version is None:
        raise ValidationFailed("提交的内容与当前版本相同，没有需要保存的修改")
    return point


def retire_point(point: RiskPoint, reason: str | None, *, actor: str | None = None) -> RiskPoint:
    """停用风险点 with a reason. Nothing is deleted: the point and its history stay."""
    reason = _require_reason(reason, what="停用原因")
    _require_active(point, "再次停用")
    matrix = current_matrix()
    before = snapshot(point, matrix)
    point.status, point.retired_at, point.retire_reason = RETIRED, clock.now(), reason
    version = new_version(point, "retire", reason, before, actor_name(actor), matrix)
    db.session.flush()
    _audit(version, "retire")
    return point


def record_review(
    point: RiskPoint,
    note: str | None,
    *,
    reviewed_on: date | None = None,
    likelihood: int | None = None,
    impact: int | None = None,
    actor: str | None = None,
    today: date | None = None,
) -> RiskPoint:
    """记录评估: the next review is the review day plus the (possibly new) level's interval."""
    note = _require_reason(note, "note", "评估意见")
    _require_active(point, "评估")
    today = today or clock.today()
    reviewed_on = reviewed_on or today
    if reviewed_on > today:
        raise ValidationFailed.field("reviewed_on", "评估日期不能晚于今天")
    if point.last_reviewed and reviewed_on < point.last_reviewed:
        raise ValidationFailed.field(
            "reviewed_on", f"评估日期不能早于上次评估日期 {point.last_reviewed.isoformat()}"
        )
    matrix = current_matrix()
    before = snapshot(point, matrix)
    likelihood, impact = likelihood or point.likelihood, impact or point.impact
    level = check_scale(likelihood, impact, matrix)
    point.likelihood, point.impact, point.last_reviewed = likelihood, impact, reviewed_on
    point.next_review = next_review(reviewed_on, level, review_intervals())
    version = new_version(point, "review", note, before, actor_name(actor), matrix)
    db.session.flush()
    _audit(version, "review")
    return point


def change_matrix(raw: Any, actor: str) -> list[list[str]]:
    """A new risk matrix (the administrator's setting), never smaller than a scale in use:
    a point rated 4 must keep a row and a column for 4."""
    cells = settings.clean(MATRIX_KEY, raw)
    used = largest_scale_in_use()
    if used > len(cells):
        raise settings.refuse(
            MATRIX_KEY, f"已有风险点的可能性或影响程度为 {used}，矩阵不能小于 {used}×{used}"
        )
    return settings.store(MATRIX_KEY, cells, actor)
