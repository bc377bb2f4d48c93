"""Case-review audits (案卷评查): case files, campaigns with a verifiable draw, rubric
scoring, results confirmed by the legal office, findings sent to the rectification ledger."""

from __future__ import annotations

from flask import Flask


def _pending_card(user):
    from riskctl.reviews.queries import my_assignments, reviewer_for_user

    if reviewer_for_user(user) is None:
        return None
    return len(my_assignments(user)), "review_files.my_assignments"


def register(app: Flask) -> None:
    from riskctl.reviews import api, api_register, demo, views, views_files, views_register
    from riskctl.web.demo import register_demo
    from riskctl.web.shell import register_card, register_nav

    for blueprint in (views.bp, views_files.bp, views_register.bp):
        app.register_blueprint(blueprint)
    for blueprint in (api.bp, api_register.bp):
        app.register_blueprint(blueprint)
    register_nav("案卷评查", "reviews.campaigns", order=40)
    register_card("待我评查的案卷", _pending_card, order=35)
    register_demo(50, "案卷评查", demo.load)
