"""The sampling policy of a plan: who is in the frame, the quotas, and the 回避 pairs.

``frame`` counts (the preview a plan shows before locking, SQL aggregates only);
``manifest_lists`` builds the lists the draw is frozen on, with plain selects —
a million targets never become ORM objects.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from dateutil.relativedelta import relativedelta
from sqlalchemy import ColumnElement, and_, case, exists, false, func, or_, select
from sqlalchemy.orm import aliased

from riskctl.accounts.models import Unit
from riskctl.core import clock, settings
from riskctl.core.db import db
from riskctl.core.errors import ValidationFailed
from riskctl.inspections import bulk, options
from riskctl.inspections.models import (
    CREDIT_CLASSES,
    ConflictDeclaration,
    Inspector,
    Plan,
    RecusalRequest,
    Target,
    Task,
    TaskInspector,
)

FULLY_BARRED_SHOWN = 20


@dataclass(frozen=True)
class PlanRules:
    """A plan's sampling settings, saved or still in the wizard."""

    ratios: dict[str, Decimal]
    quotas: dict[str, int] | None
    team_size: int
    cap: int | None
    exclude_recent_months: int
    lookback_months: int
    cross_unit: bool
    units: tuple[str, ...]
    today: date
    # The plan itself, once saved: its own tasks never count as a previous inspection
    # (a re-lock for a re-draw must not find conflicts in the round it replaces).
    plan_id: int | None = None

    @classmethod
    def of(cls, plan: Plan, today: date | None = None) -> PlanRules:
        return cls(
            ratios={k: Decimal(v) for k, v in plan.ratios.items()},
            quotas=dict(plan.quotas) if plan.quotas else None,
            team_size=plan.team_size,
            cap=plan.cap,
            exclude_recent_months=plan.exclude_recent_months,
            lookback_months=plan.lookback_months,
            cross_unit=plan.cross_unit,
            units=tuple(plan.units or ()),
            today=today or clock.today(),
            plan_id=plan.id,
        )

    @property
    def classes(self) -> list[str]:
        return [c for c in CREDIT_CLASSES if c in self.ratios or c in (self.quotas or {})]


def _unit_ids(codes: tuple[str, ...]) -> list[int]:
    paths = db.session.scalars(select(Unit.path).where(Unit.code.in_(codes))).all()
    return list(
        db.session.scalars(select(Unit.id).where(or_(*(Unit.path.startswith(p) for p in paths))))
    )


def _in_scope(r: PlanRules) -> list[ColumnElement[bool]]:
    """Targets the plan covers before exclusions: in the roster, in its units."""
    where: list[ColumnElement[bool]] = [Target.active.is_(True)]
    if r.units:
        where.append(Target.unit_id.in_(_unit_ids(r.units)))
    return where


def _recent_clean(r: PlanRules) -> ColumnElement[bool]:
    """Inspected in the last N months with no problem found (排除近期已查且无问题的)."""
    if r.exclude_recent_months <= 0:
        return false()
    since = r.today - relativedelta(months=r.exclude_recent_months)
    # An alias: the 回避 look-back query has Task in its own FROM list.
    done = aliased(Task)
    return exists().where(
        done.target_id == Target.id,
        done.superseded.is_(False),
        done.result_code == "no_problem",
        done.inspected_on >= since,
    )


def _eligible(r: PlanRules) -> list[ColumnElement[bool]]:
    return [
        *_in_scope(r),
        Target.credit_class.in_(r.classes),
        Target.closed.is_(False),
        ~_recent_clean(r),
    ]


def quota_for(n: int, ratio: Decimal) -> int:
    """ceil(N × ratio), in decimal arithmetic (0.07 × 1000 is 70, not 71)."""
    return math.ceil(Decimal(n) * ratio)


def frame(r: PlanRules) -> dict[str, Any]:
    """The stratum preview: per class the roster, exclusions and quota, and what blocks locking."""
    recent = _recent_clean(r)
    counts = db.session.execute(
        select(
            Target.credit_class,
            func.count(),
            func.sum(case((Target.closed.is_(True), 1), else_=0)),
            func.sum(case((and_(Target.closed.is_(False), recent), 1), else_=0)),
        )
        .where(*_in_scope(r))
        .group_by(Target.credit_class)
    ).all()
    by_class = {c: (total, closed or 0, recent_n or 0) for c, total, closed, recent_n in counts}
    problems: list[dict[str, str]] = []
    strata = [_stratum(r, c, by_class.get(c, (0, 0, 0)), problems) for c in CREDIT_CLASSES]
    selected = sum(s["quota"] for s in strata if s["sampled"])
    inspectors = dict(
        db.session.execute(select(Inspector.active, func.count()).group_by(Inspector.active)).all()
    )
    staff = _staffing(r, selected, inspectors.get(True, 0), problems)
    return {
        "strata": strata,
        "selected": selected,
        "eligible": sum(s["eligible"] for s in strata if s["sampled"]),
        "inspectors": {"active": inspectors.get(True, 0), "inactive": inspectors.get(False, 0)},
        **staff,
        "conflicts": conflict_counts(r),
        "warnings": _ratio_warnings(r),
        "problems": problems,
    }


def _stratum(r: PlanRules, c: str, counts: tuple[int, int, int], problems: list) -> dict[str, Any]:
    total, closed, recent = counts
    sampled = c in r.classes
    eligible = total - closed - recent
    ratio = r.ratios.get(c)
    explicit = (r.quotas or {}).get(c)
    quota = explicit if explicit is not None else quota_for(eligible, ratio or Decimal(0))
    if sampled and quota > eligible:
        problems.append(
            {
                "field": "quotas",
                "message": f"{c} 类配额 {quota} 大于该层可抽对象数 {eligible}，请调低配额",
            }
        )
    return {
        "class": c,
        "sampled": sampled,
        "ratio": str(ratio) if ratio is not None else None,
        "explicit_quota": explicit is not None,
        "total": total,
        "excluded_closed": closed,
        "excluded_recent": recent,
        "eligible": eligible if sampled else 0,
        "quota": quota if sampled else 0,
    }


def default_cap(team_size: int, selected: int, inspectors: int) -> int:
    """api.md: ceil(team_size × selected / active inspectors) + 1."""
    return math.ceil(team_size * selected / inspectors) + 1 if inspectors else 1


def _staffing(r: PlanRules, selected: int, active: int, problems: list) -> dict[str, Any]:
    cap = r.cap or default_cap(r.team_size, selected, active)
    demand, capacity = r.team_size * selected, cap * active
    if selected == 0:
        problems.append({"field": "ratios", "message": "按当前比例与排除条件，没有可抽取的对象"})
    if r.team_size > active:
        problems.append(
            {
                "field": "team_size",
                "message": f"每组 {r.team_size} 人，但在岗检查人员只有 {active} 人",
            }
        )
    elif demand > capacity:
        problems.append(
            {
                "field": "cap",
                "message": f"检查人员不足：需要 {demand} 人次"
                f"（{selected} 个对象 × 每组 {r.team_size} 人），"
                f"每人上限 {cap} 时 {active} 名在岗人员最多 {capacity} 人次",
            }
        )
    return {
        "team_size": r.team_size,
        "cap": cap,
        "cap_is_default": r.cap is None,
        "demand": demand,
        "capacity": capacity,
    }


def _ratio_warnings(r: PlanRules) -> list[str]:
    out = []
    for c, ratio in r.ratios.items():
        low, high = options.RATIO_BANDS[c]
        if not low <= ratio <= high:
            out.append(f"{c} 类抽查比例 {ratio:%} 不在常用区间 {low:%}–{high:%} 内，请确认")
    return out


# --- 回避 pairs -----------------------------------------------------------------


def _lookback_since(r: PlanRules) -> date:
    return r.today - relativedelta(months=r.lookback_months)


def _sources(r: PlanRules) -> dict[str, Any]:
    """Each source of 回避 as a select of (inspector code, target code) over the frame."""
    eligible = _eligible(r)
    active = Inspector.active.is_(True)
    declared = (
        select(Inspector.code, Target.code)
        .join(ConflictDeclaration, ConflictDeclaration.inspector_id == Inspector.id)
        .join(Target, Target.id == ConflictDeclaration.target_id)
        .where(ConflictDeclaration.ended_at.is_(None), active, *eligible)
    )
    recusal = (
        select(Inspector.code, Target.code)
        .join(RecusalRequest, RecusalRequest.inspector_id == Inspector.id)
        .join(Target, Target.id == RecusalRequest.target_id)
        .where(RecusalRequest.status == "granted", active, *eligible)
    )
    since = _lookback_since(r)
    lookback = (
        select(Inspector.code, Target.code)
        .join(TaskInspector, TaskInspector.inspector_id == Inspector.id)
        .join(Task, Task.id == TaskInspector.task_id)
        .join(Plan, Plan.id == Task.plan_id)
        .join(Target, Target.id == Task.target_id)
        .where(
            Task.superseded.is_(False),
            Task.plan_id != (r.plan_id or 0),
            or_(
                Task.inspected_on >= since,
                and_(
                    Task.inspected_on.is_(None),
                    Plan.drawn_at >= clock.day_start(since),
                ),
            ),
            active,
            *eligible,
        )
    )
    out = {"declared": declared, "recusal": recusal}
    if r.lookback_months > 0:
        out["lookback"] = lookback
    if r.cross_unit:
        out["cross_unit"] = (
            select(Inspector.code, Target.code)
            .join(Target, Target.unit_id == Inspector.unit_id)
            .where(active, *eligible)
        )
    return out


def conflict_counts(r: PlanRules) -> dict[str, int]:
    """Pairs per 回避 source (a pair may come from more than one); 0 for a source not in use."""
    counts = {"declared": 0, "recusal": 0, "lookback": 0}
    for name, query in _sources(r).items():
        counts[name] = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    return counts


def manifest_lists(r: PlanRules) -> dict[str, Any]:
    """The frozen inputs of the draw, built from the roster with plain selects.

    Raises ValidationFailed when the preview has a problem that blocks locking.
    """
    preview = frame(r)
    if preview["problems"]:
        first = preview["problems"][0]
        details: dict[str, list[str]] = {}
        for p in preview["problems"]:
            details.setdefault(p["field"], []).append(p["message"])
        raise ValidationFailed(first["message"], details)
    limit = settings.get(options.MAX_CONFLICT_PAIRS.key)
    if preview["conflicts"].get("cross_unit", 0) > limit:
        raise ValidationFailed.field(
            "cross_unit",
            (
                f"交叉执法将产生 {preview['conflicts']['cross_unit']} 条回避关系，"
                f"超过上限 {limit}；"
                "请用“限定单位”缩小计划范围"
            ),
        )
    targets = bulk.fetch_rows(select(Target.code, Target.credit_class).where(*_eligible(r)))
    inspectors = bulk.fetch_rows(
        select(Inspector.code, Unit.code)
        .join(Unit, Unit.id == Inspector.unit_id)
        .where(Inspector.active.is_(True))
    )
    pairs: set[tuple[str, str]] = set()
    for query in _sources(r).values():
        pairs.update(bulk.fetch_rows(query))
    quotas = {s["class"]: s["quota"] for s in preview["strata"] if s["sampled"] and s["eligible"]}
    preview["conflicts"]["total"] = len(pairs)
    preview["warnings"] = preview["warnings"] + _fully_barred(pairs, len(inspectors), r.team_size)
    return {
        "targets": targets,
        "quotas": quotas,
        "inspectors": inspectors,
        "conflicts": sorted(pairs),
        "cap": preview["cap"],
        "frame": preview,
    }


def _fully_barred(pairs: set[tuple[str, str]], inspectors: int, team_size: int) -> list[str]:
    """Targets that too few inspectors may visit: the draw fails if one of them is drawn."""
    per_target = Counter(target for _, target in pairs)
    short = sorted(t for t, n in per_target.items() if inspectors - n < team_size)
    if not short:
        return []
    shown = "、".join(short[:FULLY_BARRED_SHOWN]) + (
        "等" if len(short) > FULLY_BARRED_SHOWN else ""
    )
    return [
        f"{len(short)} 个对象回避后可派人员不足 {team_size} 人（{shown}）：若被抽中，抽取将失败"
    ]
