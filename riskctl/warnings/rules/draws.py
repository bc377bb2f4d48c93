"""Draw rules (公开随机抽取): a plan or campaign drawn again (重抽), and the inputs of a draw
changed shortly before its manifest was locked (a way to steer who or what gets drawn)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta
from sqlalchemy import select

from riskctl.core import clock
from riskctl.core.audit import AuditEntry
from riskctl.core.db import db
from riskctl.draws.models import KINDS, Draw, DrawManifest
from riskctl.warnings.rules.base import (
    MAX_EVIDENCE,
    RED,
    YELLOW,
    Evidence,
    ScanContext,
    Signal,
    define_rule,
    doubling,
    lookback_months,
    whole,
)

# The page of what a manifest draws for: an inspection plan or a review campaign.
SUBJECT_KIND = {"inspection": "inspection_plan", "review": "review_campaign"}


def _since(today: date, months: int) -> datetime:
    """The bureau's midnight ``months`` before ``today``, in UTC."""
    return clock.day_start(today - relativedelta(months=months))


@dataclass(frozen=True)
class DrawRound:
    draw_id: int
    round: int
    drawn_at: datetime
    reason: str | None
    approved_by: str | None


@dataclass(frozen=True)
class Redrawn:
    kind: str
    subject: str
    rounds: tuple[DrawRound, ...]  # in round order


def _gather_redraws(ctx: ScanContext, params: Mapping[str, Any]) -> list[Redrawn]:
    # By subject: a re-draw for a wrong manifest runs on the re-locked manifest version.
    redrawn = (
        select(DrawManifest.kind, DrawManifest.subject)
        .join(Draw, Draw.manifest_id == DrawManifest.id)
        .where(Draw.round >= 2, Draw.drawn_at >= _since(ctx.today, params["months"]))
        .distinct()
        .subquery()
    )
    rows = db.session.execute(
        select(
            DrawManifest.kind,
            DrawManifest.subject,
            Draw.id,
            Draw.round,
            Draw.drawn_at,
            Draw.redraw_reason,
            Draw.approved_by,
        )
        .join(Draw, Draw.manifest_id == DrawManifest.id)
        .join(
            redrawn,
            (redrawn.c.kind == DrawManifest.kind) & (redrawn.c.subject == DrawManifest.subject),
        )
        .order_by(DrawManifest.kind, DrawManifest.subject, Draw.round)
    )
    found: dict[tuple[str, str], Redrawn] = {}
    for kind, subject, draw_id, number, drawn_at, reason, approver in rows:
        known = found.get((kind, subject))
        rounds = (*known.rounds,) if known else ()
        found[(kind, subject)] = Redrawn(
            kind, subject, (*rounds, DrawRound(draw_id, number, drawn_at, reason, approver))
        )
    return list(found.values())


def redraw_signals(found: Sequence[Redrawn], params: Mapping[str, Any]) -> list[Signal]:
    """A manifest drawn again ``redraws`` times or more: yellow, red from twice as many."""
    signals = []
    for item in found:
        redraws = len(item.rounds) - 1
        colour = doubling(redraws, params["redraws"])
        if colour is None:
            continue
        last = item.rounds[-1]
        evidence = [
            Evidence(
                f"第 {r.round} 轮抽取（{clock.display(r.drawn_at)}）"
                + (f"：重抽理由“{r.reason}”，批准人 {r.approved_by}" if r.round > 1 else ""),
                "draw",
                str(r.draw_id),
            )
            for r in item.rounds[-MAX_EVIDENCE + 1 :]
        ]
        evidence.append(
            Evidence(f"{KINDS[item.kind]} {item.subject}", SUBJECT_KIND[item.kind], item.subject)
        )
        signals.append(
            Signal(
                f"draw:{item.kind}:{item.subject}",
                None,
                colour,
                f"{KINDS[item.kind]} {item.subject} 已重抽 {redraws} 次"
                f"（最近一次理由：{last.reason}）",
                tuple(evidence),
            )
        )
    return signals


REDRAWN = define_rule(
    "draw_redrawn",
    "抽取结果重抽",
    "抽查计划或评查活动在统计期间内重抽达到设定次数为黄色，达到两倍为红色；重抽须有理由并经局领导批准，"
    "两次抽取结果均公开。",
    gather=_gather_redraws,
    evaluate=redraw_signals,
    thresholds={
        "redraws": ("重抽次数", 1, whole(1, 100, "次")),
        "months": lookback_months(),
    },
    proposal="抽取结果不理想时借故重抽、人为干预随机抽取（职权：行政检查；环节：承办）",
)


# Inputs changed just before the lock ------------------------------------------------

# Changes to what every manifest of a kind is frozen from (rosters, 回避, item list) ...
INPUT_ACTIONS = {
    "inspection": (
        "inspection.targets.import",
        "inspection.inspectors.import",
        "inspection.conflict.declare",
        "inspection.conflict.end",
        "inspection.recusal.decide",
        "inspection.item.update",
    ),
    "review": ("review.case_files.import", "review.reviewer.add", "review.reviewer.active"),
}
# ... and to the plan or campaign itself (an inspection plan cannot change once created).
SUBJECT_ACTIONS = {"review": ("review.campaign.update", "review.campaign.rubric")}
# Lifting a 回避 lets a related inspector be drawn: the change most worth a red flag.
RED_ACTIONS = {"inspection.conflict.end"}
ACTION_LABELS = {
    "inspection.targets.import": "导入检查对象名录",
    "inspection.inspectors.import": "导入检查人员名录",
    "inspection.conflict.declare": "登记回避关系",
    "inspection.conflict.end": "解除回避关系",
    "inspection.recusal.decide": "决定回避申请",
    "inspection.item.update": "修改抽查事项",
    "review.case_files.import": "导入案卷",
    "review.reviewer.add": "增加评查人员",
    "review.reviewer.active": "启用或停用评查人员",
    "review.campaign.update": "修改评查活动",
    "review.campaign.rubric": "更换评查标准",
}


@dataclass(frozen=True)
class Change:
    seq: int
    at: datetime
    actor: str
    action: str
    object_type: str
    object_id: str


@dataclass(frozen=True)
class Locked:
    kind: str
    subject: str
    locked_at: datetime
    changes: tuple[Change, ...]  # inside the window before the lock


def _gather_locks(ctx: ScanContext, params: Mapping[str, Any]) -> list[Locked]:
    window = timedelta(hours=params["hours"])
    manifests = [
        (kind, subject, at)
        for kind, subject, at in db.session.execute(
            select(DrawManifest.kind, DrawManifest.subject, DrawManifest.locked_at)
            .where(DrawManifest.locked_at >= _since(ctx.today, params["months"]))
            .order_by(DrawManifest.locked_at)
        )
    ]
    if not manifests:
        return []
    actions = {a for kind in INPUT_ACTIONS.values() for a in kind} | {
        a for kind in SUBJECT_ACTIONS.values() for a in kind
    }
    changes = [
        Change(seq, at, actor, action, otype, oid)
        for seq, at, actor, action, otype, oid in db.session.execute(
            select(
                AuditEntry.seq,
                AuditEntry.at,
                AuditEntry.actor,
                AuditEntry.action,
                AuditEntry.object_type,
                AuditEntry.object_id,
            )
            .where(
                AuditEntry.action.in_(actions),
                AuditEntry.at >= manifests[0][2] - window,
                AuditEntry.at < manifests[-1][2],
            )
            .order_by(AuditEntry.seq)
        )
    ]
    return [
        Locked(
            kind,
            subject,
            at,
            tuple(c for c in changes if at - window <= c.at < at and _concerns(c, kind, subject)),
        )
        for kind, subject, at in manifests
    ]


def _concerns(change: Change, kind: str, subject: str) -> bool:
    if change.action in INPUT_ACTIONS.get(kind, ()):
        return True
    return change.action in SUBJECT_ACTIONS.get(kind, ()) and change.object_id == subject


def lock_signals(found: Sequence[Locked], params: Mapping[str, Any]) -> list[Signal]:
    """A manifest locked within ``hours`` of ``min_changes`` or more changes to its inputs:
    yellow; red when one of them lifted a 回避."""
    signals = []
    for item in found:
        if len(item.changes) < params["min_changes"]:
            continue
        what = "、".join(dict.fromkeys(ACTION_LABELS.get(c.action, c.action) for c in item.changes))
        evidence = [
            Evidence(
                f"{clock.display(c.at)} {c.actor} {ACTION_LABELS.get(c.action, c.action)}"
                f"（审计日志第 {c.seq} 条）",
                "audit_entries",
                str(c.seq),
                (("object_type", c.object_type), ("object_id", c.object_id)),
            )
            for c in item.changes[-MAX_EVIDENCE + 1 :]
        ]
        evidence.append(
            Evidence(f"{KINDS[item.kind]} {item.subject}", SUBJECT_KIND[item.kind], item.subject)
        )
        red = any(c.action in RED_ACTIONS for c in item.changes)
        signals.append(
            Signal(
                f"lock:{item.kind}:{item.subject}",
                None,
                RED if red else YELLOW,
                f"{KINDS[item.kind]} {item.subject} 锁定（{clock.display(item.locked_at)}）前 "
                f"{params['hours']} 小时内抽取依据被改动 {len(item.changes)} 次：{what}",
                tuple(evidence),
            )
        )
    return signals


CHANGED_BEFORE_LOCK = define_rule(
    "draw_changed_before_lock",
    "锁定前临时改动抽取依据",
    "抽查计划或评查活动锁定抽取清单前的设定小时内，名录库、回避关系、抽查事项或活动本身被改动达到设定"
    "次数为黄色；其中有解除回避关系的为红色。",
    gather=_gather_locks,
    evaluate=lock_signals,
    thresholds={
        "hours": ("锁定前的时间窗", 24, whole(1, 720, "小时")),
        "min_changes": ("时间窗内的改动次数", 1, whole(1, 1000, "次")),
        "months": lookback_months("统计期间（按锁定时间）"),
    },
    proposal="抽取前临时调整名录库或回避关系、操纵抽取范围（职权：行政检查；环节：承办）",
)
