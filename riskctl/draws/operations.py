"""Lock, then draw once (锁定 → 录入随机数 → 抽取), and the approved re-draw (重抽).

The subject module (inspection plans, case-review campaigns) decides what goes
into the manifest; these verbs freeze it, draw it and record every step in the
audit chain. They flush and never commit: a failed request leaves nothing behind.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from riskctl.accounts.models import User
from riskctl.accounts.roles import LEADER
from riskctl.core import audit, clock
from riskctl.core.db import db
from riskctl.core.errors import Conflict, ValidationFailed
from riskctl.core.ids import IdError, mask_party_id, validate_id_card
from riskctl.draws.changes import is_empty, manifest_changes
from riskctl.draws.engine.draw import compute_digests
from riskctl.draws.engine.manifest import manifest_as_dict
from riskctl.draws.models import (
    ENTROPY_FAILURE,
    KINDS,
    REDRAW_KINDS,
    Draw,
    DrawManifest,
    pack_document,
)
from riskctl.draws.queries import latest_round, manifest_for, rounds
from riskctl.draws.runner import parse, recompute
from riskctl.draws.selections import save_selections

_SOURCE_MAX = 300
# 18 characters shaped like a 居民身份证号; validate_id_card then checks the
# birth date and check digit, so most credit codes of that shape fall away.
_ID_CARD_SHAPE = re.compile(r"^\d{17}[\dXx]$", re.MULTILINE)


def _name(actor: User | str) -> str:
    return actor.username if isinstance(actor, User) else actor


def freeze_manifest(
    kind: str,
    subject: str,
    *,
    plan: str,
    targets: Sequence[tuple[str, str]],
    quotas: Mapping[str, int],
    inspectors: Sequence[tuple[str, str]],
    conflicts: Iterable[tuple[str, str]],
    team_size: int,
    cap: int | None,
    actor: User | str,
    personal_ids: Iterable[str] = (),
    previous: DrawManifest | None = None,
) -> DrawManifest:
    """Lock (锁定): validate the manifest, compute its four digests and store it frozen.

    ``targets`` are ``(id, stratum)``, ``inspectors`` ``(id, unit)``, ``conflicts``
    ``(inspector_id, target_id)``. ``personal_ids`` names target ids that are personal
    data; ids that are valid 身份证号 are treated as personal anyway. Raises
    Conflict if ``subject`` already has a manifest, ValidationFailed (422, the
    engine's message naming the value) if the manifest breaks a rule.

    ``previous``: re-lock (重新锁定) for a re-draw because the manifest was wrong. The
    new version must differ from ``previous`` (the subject's newest version); what it
    adds and removes is kept for the public page.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown draw kind {kind!r}")
    if previous is None:
        _refuse_second_lock(kind, subject)
    else:
        _check_relock(previous)
    document = {
        "plan": plan,
        "targets": [{"id": t, "stratum": s} for t, s in targets],
        "quotas": dict(quotas),
        "inspectors": [{"id": i, "unit": u} for i, u in inspectors],
        "conflicts": [[i, t] for i, t in conflicts],
        "team_size": team_size,
    }
    if cap is not None:
        document["cap"] = cap
    manifest = parse(document, require_entropy=False)
    digests = compute_digests(manifest)
    personal = _personal(manifest.target_ids, personal_ids)
    # The rosters as built above: parsing keeps them unchanged, so they are not rebuilt.
    body = manifest_as_dict(
        manifest, targets=document["targets"], inspectors=document["inspectors"]
    )
    changes = None
    if previous is not None:
        hidden = set(personal) | set(previous.personal_ids)
        changes = manifest_changes(
            previous.body, body, lambda t: mask_party_id(t) if t in hidden else t
        )
        if is_empty(changes) and asdict(digests) == previous.digests:
            raise ValidationFailed.field(
                "manifest",
                f"按现有名录重新生成的抽取清单与第 {previous.version} 版完全相同：清单没有错误，"
                "不能以“抽取清单有误”重抽；请先更正名录（如停用已注销的对象、已离岗的人员，"
                "登记漏报的回避关系）",
            )
    row = DrawManifest(
        kind=kind,
        subject=subject,
        plan=manifest.plan,
        team_size=manifest.team_size,
        cap=manifest.cap,
        quotas=dict(manifest.quotas),
        target_count=len(manifest.target_ids),
        inspector_count=len(manifest.inspector_ids),
        conflict_count=len(manifest.conflicts),
        personal_ids=personal,
        body_zlib=pack_document(body),
        locked_at=clock.now(),
        locked_by=_name(actor),
        version=previous.version + 1 if previous else 1,
        previous_id=previous.id if previous else None,
        changes=changes,
        **asdict(digests),
    )
    db.session.add(row)
    _flush_or_conflict(f"{KINDS[kind]} {subject} 已由另一请求锁定抽取清单，不能重复锁定")
    audit.record(
        "draw.lock" if previous is None else "draw.relock",
        "draw_manifest",
        row.id,
        {
            "kind": kind,
            "subject": subject,
            "version": row.version,
            "previous_manifest_id": row.previous_id,
            "changes": _counts(changes),
            "plan": row.plan,
            "digests": row.digests,
            "quotas": row.quotas,
            "targets": row.target_count,
            "inspectors": row.inspector_count,
            "conflicts": row.conflict_count,
            "team_size": row.team_size,
            "cap": row.cap,
            "personal": len(row.personal_ids),
        },
        actor=row.locked_by,
    )
    return row


def _refuse_second_lock(kind: str, subject: str) -> None:
    existing = db.session.scalar(
        select(DrawManifest).where(DrawManifest.kind == kind, DrawManifest.subject == subject)
    )
    if existing is not None:
        raise Conflict(
            f"{KINDS[kind]} {subject} 已于 {clock.display(existing.locked_at)} 锁定抽取清单"
            f"（清单编号 {existing.id}），不能重复锁定"
        )


def _check_relock(previous: DrawManifest) -> None:
    newest = manifest_for(previous.kind, previous.subject)
    if newest is not None and newest.id != previous.id:
        raise Conflict(
            f"{previous.kind_label} {previous.subject} 已于 {clock.display(newest.locked_at)} "
            f"重新锁定为第 {newest.version} 版清单（清单编号 {newest.id}），不能再次重新锁定"
        )


def _counts(changes: dict | None) -> dict | None:
    if changes is None:
        return None
    return {
        key: {"added": value["added_count"], "removed": value["removed_count"]}
        for key, value in changes.items()
        if key != "quotas"
    } | {"quotas_changed": changes["quotas"] is not None}


def _personal(target_ids: Sequence[str], declared: Iterable[str]) -> list[str]:
    """Target ids to mask publicly: those declared, and every valid 身份证号."""
    found = set(declared)
    if found and not found <= set(target_ids):
        raise ValueError("personal_ids must be target ids of the manifest")
    for candidate in _ID_CARD_SHAPE.findall("\n".join(target_ids)):
        try:
            validate_id_card(candidate)
        except IdError:
            continue
        found.add(candidate)
    return sorted(found)


def _flush_or_conflict(message: str) -> None:
    """Flush; a unique key lost to a concurrent request becomes a 409 (the request rolls back)."""
    try:
        db.session.flush()
    except IntegrityError as exc:
        raise Conflict(message) from exc


def perform_draw(
    manifest: DrawManifest, entropy: str, entropy_source: str, actor: User | str
) -> Draw:
    """Draw a locked manifest, once (round 1): 409 if it was drawn already.

    A target that cannot be staffed (DrawError) is a 422 naming it; nothing is saved.
    """
    latest = latest_round(manifest.id)
    if latest is not None:
        raise Conflict(
            f"{manifest.kind_label} {manifest.subject} 已于 {clock.display(latest.drawn_at)} 抽取"
            f"（抽取编号 {latest.id}），不能再次抽取；确需重抽的，须写明理由并经局领导批准"
        )
    return _draw(manifest, 1, entropy, entropy_source, actor)


def redraw(
    draw: Draw,
    kind: str,
    reason: str,
    approved_by: User | None,
    entropy: str,
    entropy_source: str,
    actor: User | str,
    manifest: DrawManifest | None = None,
) -> Draw:
    """A re-draw (重抽) as the next round of the subject; every earlier round stays public.

    Needs a reason, the approval of an active leader (局领导), fresh entropy, and ``draw``
    must be the round in force. ``kind`` says why, and decides what is drawn:

    - 随机数来源失效 (``entropy_failure``): the same manifest, with new entropy;
    - 抽取清单有误 (``manifest_error``): ``manifest``, the corrected version re-locked
      (and its digests published) after ``draw``; never the old manifest again.
    """
    if kind not in REDRAW_KINDS:
        shown = "、".join(f"{k}（{v}）" for k, v in REDRAW_KINDS.items())
        raise ValidationFailed.field("kind", f"重抽的原因类型须为以下之一：{shown}")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed.field("reason", "重抽须写明理由")
    if approved_by is None or approved_by.role != LEADER or not approved_by.active:
        who = f"（{approved_by.display_name} 不是在岗的局领导）" if approved_by else ""
        raise ValidationFailed.field("approved_by", f"重抽须经局领导批准{who}")
    latest = latest_round(draw.manifest_id)
    if latest is not None and latest.id != draw.id:
        raise Conflict(
            f"抽取编号 {draw.id} 已被第 {latest.round} 轮抽取（编号 {latest.id}）替代，"
            "只能对最新一轮申请重抽"
        )
    target = _redraw_manifest(draw, kind, manifest)
    used = next((d.round for d in rounds(draw.manifest_id) if d.entropy == entropy), None)
    if used is not None:
        raise ValidationFailed.field(
            "entropy", f"该公开随机数已在第 {used} 轮抽取中使用，重抽须使用新的公开随机数"
        )
    return _draw(
        target,
        draw.round + 1,
        entropy,
        entropy_source,
        actor,
        reason=reason,
        approver=approved_by.username,
        previous=draw.id,
        redraw_kind=kind,
    )


def _redraw_manifest(draw: Draw, kind: str, manifest: DrawManifest | None) -> DrawManifest:
    """The manifest a re-draw of ``kind`` may run against, or why none may."""
    old = draw.manifest
    newest = manifest_for(old.kind, old.subject)
    if kind == ENTROPY_FAILURE:
        if newest.id != old.id:
            raise Conflict(
                f"{old.kind_label} {old.subject} 已重新锁定为第 {newest.version} 版清单，"
                "不能再以“随机数来源失效”对原清单重抽"
            )
        return old
    if manifest is None or manifest.id == old.id:
        raise Conflict(
            "以“抽取清单有误”重抽，须先按更正后的名录重新锁定抽取清单并公布其摘要，"
            "再录入此后产生的公开随机数；不能对原清单重抽"
        )
    if manifest.id != newest.id or latest_round(manifest.id).manifest_id == manifest.id:
        raise Conflict(f"清单编号 {manifest.id} 不是 {old.subject} 待抽取的最新一版清单")
    return manifest


def _entropy_source(value: str | None) -> str:
    source = (value or "").strip()
    if not source:
        raise ValidationFailed.field(
            "entropy_source",
            "请填写公开随机数的来源（如：2026-11-20 省体彩排列5 第 26310 期开奖号码）",
        )
    if "\n" in source or "\r" in source:
        raise ValidationFailed.field("entropy_source", "公开随机数来源应为一行文字")
    if len(source) > _SOURCE_MAX:
        raise ValidationFailed.field("entropy_source", f"公开随机数来源不能超过 {_SOURCE_MAX} 个字")
    return source


def _draw(
    manifest: DrawManifest,
    round_: int,
    entropy: str,
    entropy_source: str,
    actor: User | str,
    *,
    reason: str | None = None,
    approver: str | None = None,
    previous: int | None = None,
    redraw_kind: str | None = None,
) -> Draw:
    source = _entropy_source(entropy_source)
    document = manifest.body
    document["entropy"] = entropy
    result = recompute(document)
    if asdict(result.digests) != manifest.digests:
        raise Conflict(
            f"抽取清单 {manifest.id} 的存储内容与锁定时公布的摘要不一致，已停止抽取；"
            "请联系系统管理员核查"
        )
    personal = set(manifest.personal_ids)
    draw = Draw(
        manifest_id=manifest.id,
        round=round_,
        entropy=entropy,
        entropy_source=source,
        seed=result.seed,
        result_digest=result.result_digest,
        selected_count=len(result.selected),
        has_personal=any(s.target in personal for s in result.selected),
        drawn_at=clock.now(),
        drawn_by=_name(actor),
        redraw_reason=reason,
        approved_by=approver,
        redraw_kind=redraw_kind,
    )
    db.session.add(draw)
    subject = f"{manifest.kind_label} {manifest.subject}"
    _flush_or_conflict(f"{subject} 的第 {round_} 轮抽取已由另一请求完成，不能再次抽取")
    save_selections(draw.id, result.selected, personal)
    summary = {
        "manifest_id": manifest.id,
        "kind": manifest.kind,
        "subject": manifest.subject,
        "round": round_,
        "entropy": entropy,
        "entropy_source": source,
        "seed": draw.seed,
        "result_digest": draw.result_digest,
        "selected": draw.selected_count,
    }
    if previous is not None:
        summary |= {
            "previous_draw_id": previous,
            "redraw_kind": redraw_kind,
            "reason": reason,
            "approved_by": approver,
            "manifest_version": manifest.version,
        }
    action = "draw.run" if previous is None else "draw.redraw"
    audit.record(action, "draw", draw.id, summary, actor=draw.drawn_by)
    return draw


def record_full_view(draw: Draw, what: str, actor: User | str) -> None:
    """A signed-in user read personal target ids of a draw in full: an audit entry."""
    audit.record(
        "draw.full_view",
        "draw",
        draw.id,
        {"what": what, "personal": len(draw.manifest.personal_ids)},
        actor=_name(actor),
    )
