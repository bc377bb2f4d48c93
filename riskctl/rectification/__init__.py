"""Rectification ledger (整改台账), shared by reviews, inspections, warnings and risk measures."""

from __future__ import annotations

from flask import Flask

from riskctl.core import clock


def _red_card(user):
    from riskctl.accounts.queries import visible_unit_ids
    from riskctl.rectification import queries
    from riskctl.rectification.views import READERS

    if user.role not in READERS:
        return None
    counts = queries.colour_counts(clock.today(), visible_unit_ids(user))
    return (
        counts["red"],
        ("rectification.ledger", {"colour": "red"}),
        "red" if counts["red"] else "green",
    )


def register(app: Flask) -> None:
    from riskctl.core.contributions import register_card, register_demo, register_nav
    from riskctl.rectification import api, demo, views
    from riskctl.rectification.sources import source_view

    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    app.add_template_global(source_view, "source_view")
    register_nav("整改台账", "rectification.ledger", order=60)
    register_card("整改超期（红）", _red_card, order=30)
    register_demo(60, "整改台账", demo.load)
