"""The life of a re-draw request (重抽申请), shared by inspection plans and review campaigns:
request with a kind and a reason → a leader's decision → (a wrong manifest: re-lock the
corrected one, its digests published) → the new round with fresh entropy.

The subject module keeps the request row (``RedrawRequestMixin``), locks its own
subject row first and does what follows a new round (tasks, assignments).
"""

from __future__ import annotations

from sqlalchemy import select

from riskctl.accounts.models import User
from riskctl.accounts.queries import user_by_username
from riskctl.accounts.roles import LEADER
from riskctl.core import audit, clock
from riskctl.core.db import db
from riskctl.core.errors import Conflict, ValidationFailed
from riskctl.draws.models import MANIFEST_ERROR, REDRAW_KINDS, Draw, RedrawRequestMixin
from riskctl.draws.operations import redraw

_NOT_RUNNABLE = {"pending": "尚未经局领导批准", "refused": "未获批准", "used": "已执行过"}


def check_request(kind: str, reason: str) -> None:
    if kind not in REDRAW_KINDS:
        shown = "、".join(f"{k}（{v}）" for k, v in REDRAW_KINDS.items())
        raise ValidationFailed.field("kind", f"重抽的原因类型须为以下之一：{shown}")
    if not reason.strip():
        raise ValidationFailed.field("reason", "重抽须写明理由")


def refuse_open_request(model: type[RedrawRequestMixin], *where) -> None:
    """One open request (pending or approved) per subject at a time."""
    pending = db.session.scalar(
        select(model.id).where(*where, model.status.in_(("pending", "approved")))
    )
    if pending:
        raise Conflict(f"已有未完成的重抽申请（第 {pending} 号）")


def decide(
    request: RedrawRequestMixin, approve: bool, note: str, leader: User, object_type: str
) -> None:
    """A leader's decision on a request; final once made."""
    if leader.role != LEADER:
        raise ValidationFailed.field("approved_by", "重抽须经局领导批准")
    if request.status != "pending":
        raise Conflict(f"重抽申请第 {request.id} 号已作出决定，不能重复决定")
    if not approve and not note:
        raise ValidationFailed.field("note", "不批准重抽时须写明理由")
    request.status = "approved" if approve else "refused"
    request.decided_by, request.decided_at, request.decision_note = (
        leader.username,
        clock.now(),
        note,
    )
    db.session.flush()
    audit.record(
        f"{object_type}.decide",
        object_type,
        request.id,
        {"decision": request.status, "kind": request.kind, "note": note},
        actor=leader.username,
    )


def check_relock(request: RedrawRequestMixin) -> None:
    """Only an approved 抽取清单有误 request re-locks, once."""
    if request.kind != MANIFEST_ERROR:
        raise Conflict(
            f"重抽申请第 {request.id} 号的原因是“{request.kind_label}”：沿用原清单，"
            "只需录入新的公开随机数，不能重新锁定清单"
        )
    if request.status != "approved":
        label = _NOT_RUNNABLE.get(request.status, request.status)
        raise Conflict(f"重抽申请第 {request.id} 号{label}，不能重新锁定清单")
    if request.manifest_id is not None:
        raise Conflict(
            f"重抽申请第 {request.id} 号已重新锁定清单（清单编号 {request.manifest_id}）"
        )


def run(request: RedrawRequestMixin, entropy: str, entropy_source: str, actor: User) -> Draw:
    """The approved re-draw as the next round; the request is used up."""
    if request.status != "approved":
        raise Conflict(f"重抽申请第 {request.id} 号{_NOT_RUNNABLE[request.status]}，不能重抽")
    old = db.session.get(Draw, request.draw_id)
    approver = user_by_username(request.decided_by or "")
    draw = redraw(
        old,
        request.kind,
        request.reason,
        approver,
        entropy,
        entropy_source,
        actor,
        manifest=request.manifest,
    )
    request.status, request.new_draw_id = "used", draw.id
    return draw
