"""Draw rules (公开随机抽取): a plan or campaign drawn again (重抽), and the inputs of a draw
changed shortly before its manifest was locked (a way to steer who or what gets drawn)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from riskctl.draws.kinds import KINDS
from riskctl.warnings.rules.base import MAX_EVIDENCE, RED, YELLOW, Evidence, Signal, doubling, shown

# The page of what a manifest draws for: an inspection plan or a review campaign.
SUBJECT_KIND = {"inspection": "inspection_plan", "review": "review_campaign"}


@dataclass(frozen=True)
class DrawRound:
    draw_id: int
    round: int
    drawn_at: datetime  # in the bureau's time
    reason: str | None
    approved_by: str | None


@dataclass(frozen=True)
class Redrawn:
    kind: str
    subject: str
    rounds: tuple[DrawRound, ...]  # in round order


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
                f"第 {r.round} 轮抽取（{shown(r.drawn_at)}）"
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
    at: datetime  # in the bureau's time
    actor: str
    action: str
    object_type: str
    object_id: str


@dataclass(frozen=True)
class Locked:
    kind: str
    subject: str
    locked_at: datetime  # in the bureau's time
    changes: tuple[Change, ...]  # inside the window before the lock


def concerns(change: Change, kind: str, subject: str) -> bool:
    """Whether ``change`` is to an input of the manifests of ``kind`` for ``subject``."""
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
                f"{shown(c.at)} {c.actor} {ACTION_LABELS.get(c.action, c.action)}"
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
                f"{KINDS[item.kind]} {item.subject} 锁定（{shown(item.locked_at)}）前 "
                f"{params['hours']} 小时内抽取依据被改动 {len(item.changes)} 次：{what}",
                tuple(evidence),
            )
        )
    return signals
