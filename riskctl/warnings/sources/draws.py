"""Draw rules: what they read (draws and the audit log) and their settings."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from riskctl.core import clock
from riskctl.core.audit import AuditEntry
from riskctl.core.db import db
from riskctl.draws.models import Draw, DrawManifest
from riskctl.warnings.rules.draws import (
    INPUT_ACTIONS,
    SUBJECT_ACTIONS,
    Change,
    DrawRound,
    Locked,
    Redrawn,
    concerns,
    lock_signals,
    redraw_signals,
)
from riskctl.warnings.sources.base import ScanContext, define_rule, lookback_months, since, whole


def _gather_redraws(ctx: ScanContext, params: Mapping[str, Any]) -> list[Redrawn]:
    # By subject: a re-draw for a wrong manifest runs on the re-locked manifest version.
    redrawn = (
        select(DrawManifest.kind, DrawManifest.subject)
        .join(Draw, Draw.manifest_id == DrawManifest.id)
        .where(Draw.round >= 2, Draw.drawn_at >= since(ctx.today, params["months"]))
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
            kind,
            subject,
            (*rounds, DrawRound(draw_id, number, clock.local(drawn_at), reason, approver)),
        )
    return list(found.values())


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


def _gather_locks(ctx: ScanContext, params: Mapping[str, Any]) -> list[Locked]:
    window = timedelta(hours=params["hours"])
    manifests = [
        (kind, subject, at)
        for kind, subject, at in db.session.execute(
            select(DrawManifest.kind, DrawManifest.subject, DrawManifest.locked_at)
            .where(DrawManifest.locked_at >= since(ctx.today, params["months"]))
            .order_by(DrawManifest.locked_at)
        )
    ]
    if not manifests:
        return []
    actions = {a for kind in INPUT_ACTIONS.values() for a in kind} | {
        a for kind in SUBJECT_ACTIONS.values() for a in kind
    }
    changes = [
        Change(seq, clock.local(at), actor, action, otype, oid)
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
            clock.local(at),
            tuple(c for c in changes if at - window <= c.at < at and concerns(c, kind, subject)),
        )
        for kind, subject, at in manifests
    ]


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
