"""一公开: public pages of drawn plans — the plan, its draws' verification data, published results.

Personal data is masked: an individual business's name, credit code and address,
and inspectors' names (shown by 人员编号 and surname). Notes are never published.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, render_template, url_for
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from riskctl.core import clock
from riskctl.core.auth.policy import public
from riskctl.core.db import db
from riskctl.core.errors import NotFound
from riskctl.core.http import page_args
from riskctl.core.ids import mask_business_name, mask_party_id
from riskctl.core.listing import listing
from riskctl.draws.models import Draw, DrawManifest
from riskctl.draws.queries import rounds
from riskctl.inspections import queries
from riskctl.inspections.models import RESULT_CODES, TARGET_KINDS, Plan, Target, Task

bp = Blueprint(
    "inspection_public", __name__, url_prefix="/public/inspections", template_folder="templates"
)


def mask_name(name: str) -> str:
    """张三烧烤店 → 张**烤店: the person in an individual business's name is not shown."""
    return mask_business_name(name)


def public_target(
    target: Target, personal_ids: set[str] | frozenset[str] = frozenset()
) -> dict[str, Any]:
    """A target as the public sees it; ``personal_ids`` are 对象编号 that are personal data."""
    personal = target.kind == "individual"
    code = target.credit_code or ""
    return {
        "code": mask_party_id(target.code) if target.code in personal_ids else target.code,
        "name": mask_name(target.name) if personal else target.name,
        "credit_code": mask_party_id(code) if personal and code else code or None,
        "kind": TARGET_KINDS[target.kind],
        "address": None if personal else target.address,
    }


def _public_task(task: Task, personal_ids: set[str]) -> dict[str, Any]:
    return {
        "position": task.position,
        "target": public_target(task.target, personal_ids),
        "credit_class": task.stratum,
        "inspectors": [
            {"code": i.code, "name": i.name[:1] + "*" * (len(i.name) - 1)} for i in task.inspectors
        ],
        "result": RESULT_CODES[task.result_code or ""] if task.published_at else None,
        "inspected_on": task.inspected_on.isoformat() if task.published_at else None,
        "published_on": clock.display(task.published_at, "date") or None,
    }


def _draw(draw: Draw) -> dict[str, Any]:
    return {
        "id": draw.id,
        "round": draw.round,
        "entropy": draw.entropy,
        "entropy_source": draw.entropy_source,
        "seed": draw.seed,
        "result_digest": draw.result_digest,
        "selected": draw.selected_count,
        "drawn_at": draw.drawn_at.isoformat(),
        "redraw_reason": draw.redraw_reason,
        "approved_by": draw.approved_by,
        "page": f"/public/draws/{draw.id}",
        "json": f"/public/draws/{draw.id}.json",
    }


def published_plan(plan: Plan, window: tuple[int, int] | None = None) -> dict[str, Any]:
    """Everything public about a drawn plan; ``window`` (offset, limit) pages its tasks."""
    if plan.status != "drawn":
        raise NotFound(f"抽查计划 {plan.code} 尚未抽取，暂无公开信息")
    manifest = db.session.get(DrawManifest, plan.manifest_id)
    query = (
        select(Task)
        .where(Task.draw_id == plan.draw_id)
        .order_by(Task.position)
        .options(selectinload(Task.target), selectinload(Task.inspectors))
    )
    if window is not None:
        query = query.offset(window[0]).limit(window[1])
    personal = set(manifest.personal_ids)
    tasks = db.session.scalars(query).all()
    return {
        "plan": {
            "code": plan.code,
            "name": plan.name,
            "items": [
                {"code": i.code, "name": i.name, "legal_basis": i.legal_basis} for i in plan.items
            ],
            "ratios": plan.ratios,
            "team_size": plan.team_size,
            "locked_at": plan.locked_at.isoformat(),
        },
        "algorithm": "riskctl-draw/1",
        "manifest": {
            "id": manifest.id,
            **manifest.digests,
            "quotas": manifest.quotas,
            "team_size": manifest.team_size,
            "cap": manifest.cap,
            "targets": manifest.target_count,
            "inspectors": manifest.inspector_count,
            "conflicts": manifest.conflict_count,
        },
        "draws": [_draw(d) for d in rounds(manifest.id)],
        "current_draw": plan.draw_id,
        "tasks": [_public_task(t, personal) for t in tasks],
    }


def subject_page(code: str) -> str | None:
    """The plan's public page, linked from the shared public draw page."""
    return url_for("inspection_public.plan_page", code=code)


def results_for_draw(draw: Draw) -> dict[str, str]:
    """Published results of a draw's targets, shown on the shared public draw page."""
    rows = db.session.execute(
        select(Target.code, Task.result_code)
        .join(Target, Target.id == Task.target_id)
        .where(Task.draw_id == draw.id, Task.published_at.is_not(None))
    ).all()
    return {code: RESULT_CODES[result] for code, result in rows}


@bp.get("")
@public
def index():
    lst = listing(
        queries.plans("drawn"),
        {"code": Plan.code, "name": Plan.name, "drawn": Plan.drawn_at},
        "-drawn",
    )
    locked = listing(  # its own table: ?locked_page=, ?locked_sort=
        queries.plans("locked"),
        {"code": Plan.code, "name": Plan.name, "locked": Plan.locked_at},
        "-locked",
        prefix="locked_",
        per_page=20,
    )
    return render_template("inspections/public_index.html", lst=lst, plans=lst.items, locked=locked)


@bp.get("/<code>")
@public
def plan_page(code: str):
    plan = queries.plan_by_code(code)
    if plan.status == "locked":
        # Locked, not yet drawn: the manifest's digests are public, the draw is to come.
        return render_template(
            "inspections/public_plan_locked.html",
            plan=plan,
            manifest=db.session.get(DrawManifest, plan.manifest_id),
            locked_at=clock.display(plan.locked_at),
        )
    page, per_page = page_args()
    data = published_plan(plan, ((page - 1) * per_page, per_page))
    total = db.session.scalar(select(func.count()).where(Task.draw_id == plan.draw_id))
    return render_template(
        "inspections/public_plan.html",
        data=data,
        locked_at=clock.display(plan.locked_at),
        page=page,
        per_page=per_page,
        total=total,
    )


@bp.get("/<code>.json")
@public
def plan_json(code: str):
    return jsonify(published_plan(queries.plan_by_code(code)))
