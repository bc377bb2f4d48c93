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

    from riskctl.core.auth.policy import OFFICER
    from riskctl.core.db import db
    from riskctl.inspections.models import Plan

    if user.role == OFFICER:
        return None
    count = db.session.scalar(select(func.count()).where(Plan.status == "drawn"))
    return count, "inspections.index"


def register(app: Flask) -> None:
    from riskctl.draws.publication import register_subject
    from riskctl.extensions import csrf
    from riskctl.inspections import (
        api,
        api_plans,
        cli,
        demo,
        public,
        views,
        views_conflicts,
        views_plans,
        views_results,
        views_rosters,
    )
    from riskctl.web.demo import register_demo
    from riskctl.web.shell import register_card, register_nav

    pages = (views, views_rosters, views_conflicts, views_plans, views_results, public)
    for blueprint in (module.bp for module in pages):
        app.register_blueprint(blueprint)
    for blueprint in (api.bp, api_plans.bp):
        app.register_blueprint(blueprint)
        csrf.exempt(blueprint)
    register_subject("inspection", page=public.subject_page, results=public.results_for_draw)
    app.cli.add_command(cli.inspection_cli)
    register_nav("双随机抽查", "inspections.index", order=20)
    register_card("已抽取的双随机计划", _drawn_card, order=20)
    register_card("双随机结果逾期未公示", _overdue_card, order=21)
    register_demo(40, "双随机抽查", demo.load)
