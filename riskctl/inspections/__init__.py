"""双随机、一公开 random inspections: item list, rosters, 回避, plans, draws, results."""

from __future__ import annotations

from flask import Flask


def _overdue_card(user):
    from sqlalchemy import func, select

    from riskctl.core.db import db
    from riskctl.inspections import queries

    query = queries.overdue(user)
    count = db.session.scalar(select(func.count()).select_from(query.subquery()))
    return count, "inspection_results.overdue"


def _drawn_card(user):
    from sqlalchemy import func, select

    from riskctl.accounts.roles import OFFICER
    from riskctl.core.db import db
    from riskctl.inspections.models import Plan

    if user.role == OFFICER:
        return None
    count = db.session.scalar(select(func.count()).where(Plan.status == "drawn"))
    return count, ("inspections.index", {"status": "drawn"})


def _count(query) -> int:
    from sqlalchemy import func, select

    from riskctl.core.db import db

    return db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))


def _tone(count: int, busy: str = "yellow") -> str:
    return busy if count else "green"


def _redraw_card(user):
    """Leaders: plans whose re-draw request waits for their approval."""
    from riskctl.accounts.roles import LEADER
    from riskctl.inspections import queries

    if user.role != LEADER:
        return None
    count = _count(queries.plans(redraw="pending"))
    return count, ("inspections.index", {"redraw": "pending"}), _tone(count)


def _recusal_card(user):
    """Leaders: parties' recusal requests to decide."""
    from riskctl.accounts.roles import LEADER
    from riskctl.inspections import queries

    if user.role != LEADER:
        return None
    count = _count(queries.recusals("pending"))
    return count, ("inspection_conflicts.conflicts", {"recusal": "pending"}), _tone(count)


def _to_enter_card(user):
    """Officers: drawn tasks of their units still without a result."""
    from riskctl.accounts.roles import OFFICER
    from riskctl.inspections import queries

    if user.role != OFFICER:
        return None
    count = _count(queries.to_enter(user))
    return count, ("inspection_results.worklist", {"kind": "todo"}), _tone(count)


def _due_soon_card(user):
    """The legal office: entered results whose publication deadline is near."""
    from riskctl.accounts.roles import LEGAL
    from riskctl.inspections import queries

    if user.role != LEGAL:
        return None
    count = _count(queries.due_soon(user))
    return count, ("inspection_results.worklist", {"kind": "due_soon"}), _tone(count)


def _task_name(actor, task_id: int) -> tuple[str, str]:
    """A task as the ledger names it: plan code and target, linked (NotFound outside the units)."""
    from flask import url_for

    from riskctl.inspections.queries import task_for

    task = task_for(actor, task_id)
    return f"{task.plan.code} · {task.target.name}", url_for(
        "inspection_results.task", task_id=task.id
    )


def register(app: Flask) -> None:
    from riskctl.core.contributions import (
        register_card,
        register_demo,
        register_namer,
        register_nav,
    )
    from riskctl.draws.publication import register_subject
    from riskctl.inspections import api, cli, demo, public, views
    from riskctl.inspections.conflicts import api as conflicts_api
    from riskctl.inspections.conflicts import views as conflicts_views
    from riskctl.inspections.plans import api as plans_api
    from riskctl.inspections.plans import views as plans_views
    from riskctl.inspections.results import api as results_api
    from riskctl.inspections.results import views as results_views
    from riskctl.inspections.rosters import api as rosters_api
    from riskctl.inspections.rosters import views as rosters_views

    pages = (views, rosters_views, conflicts_views, plans_views, results_views, public)
    for blueprint in (module.bp for module in pages):
        app.register_blueprint(blueprint)
    for module in (api, rosters_api, conflicts_api, plans_api, results_api):
        app.register_blueprint(module.bp)
    register_subject("inspection", page=public.subject_page, results=public.results_for_draw)
    app.cli.add_command(cli.inspection_cli)
    register_namer("inspection_task", _task_name)
    register_nav("双随机抽查", "inspections.index", order=20)
    register_card("已抽取的双随机计划", _drawn_card, order=20)
    register_card("双随机结果逾期未公示", _overdue_card, order=21)
    register_card("待审批的双随机重抽申请", _redraw_card, order=11)
    register_card("待决定的回避申请", _recusal_card, order=12)
    register_card("待录入的检查任务", _to_enter_card, order=7)
    register_card("临近公示期限的检查结果", _due_soon_card, order=13)
    register_demo(40, "双随机抽查", demo.load)
