"""Case-review audits (案卷评查): case files, campaigns with a verifiable draw, rubric
scoring, results confirmed by the legal office, findings sent to the rectification ledger."""

from __future__ import annotations

from flask import Flask


def _pending_card(user):
    from riskctl.reviews.queries import my_assignments, reviewer_for_user

    if reviewer_for_user(user) is None:
        return None
    return len(my_assignments(user)), "review_files.my_assignments"


def _to_confirm_card(user):
    from sqlalchemy import func, select

    from riskctl.accounts.roles import LEGAL
    from riskctl.core.db import db
    from riskctl.reviews.queries import files_to_confirm

    if user.role != LEGAL:
        return None
    count = db.session.scalar(select(func.count()).select_from(files_to_confirm().subquery()))
    return count, "reviews.pending", "yellow" if count else "green"


def _redraw_card(user):
    from sqlalchemy import func, select

    from riskctl.accounts.roles import LEADER
    from riskctl.core.db import db
    from riskctl.reviews.queries import campaigns_with_pending_redraw

    if user.role != LEADER:
        return None
    query = campaigns_with_pending_redraw().order_by(None)
    count = db.session.scalar(select(func.count()).select_from(query.subquery()))
    return count, "reviews.pending", "yellow" if count else "green"


def register(app: Flask) -> None:
    from riskctl.core.contributions import register_card, register_demo, register_nav
    from riskctl.reviews import api, demo, views
    from riskctl.reviews.files import api as files_api
    from riskctl.reviews.files import views as files_views
    from riskctl.reviews.registry import api as registry_api
    from riskctl.reviews.registry import views as registry_views

    for blueprint in (views.bp, files_views.bp, registry_views.bp):
        app.register_blueprint(blueprint)
    for blueprint in (api.bp, files_api.bp, registry_api.bp):
        app.register_blueprint(blueprint)
    register_nav("案卷评查", "reviews.campaigns", order=40)
    register_card("待我评查的案卷", _pending_card, order=35)
    register_card("待确认的评分结果", _to_confirm_card, order=14)
    register_card("待审批的评查重抽申请", _redraw_card, order=15)
    register_demo(50, "案卷评查", demo.load)
