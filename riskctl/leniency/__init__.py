"""首违不罚 (first-offence leniency): the 免罚清单, records, the repeat rule, statistics."""

from __future__ import annotations

from flask import Flask


def _overdue_card(user) -> tuple[int, str] | None:
    from riskctl.leniency.api import READERS
    from riskctl.leniency.queries import overdue_count

    if user.role not in READERS:
        return None
    return overdue_count(user), ("leniency.records", {"overdue": 1})


def _pending_review_card(user) -> tuple | None:
    """法制审核: the legal office reviews; leaders see what waits, in the records list."""
    from riskctl.accounts.roles import LEADER, LEGAL
    from riskctl.leniency.queries import pending_review_count
    from riskctl.leniency.rules import PENDING_REVIEW

    if user.role not in (LEGAL, LEADER):
        return None
    count = pending_review_count()
    tone = "yellow" if count else "green"
    if user.role == LEGAL:
        return count, "leniency.pending_review", tone
    return count, ("leniency.records", {"status": PENDING_REVIEW}), tone


def register(app: Flask) -> None:
    from riskctl.core.contributions import register_card, register_demo, register_nav
    from riskctl.leniency import api, demo, options, views  # noqa: F401 (options defines settings)
    from riskctl.leniency.items import api as items_api
    from riskctl.leniency.items import views as items_views
    from riskctl.leniency.stats import api as stats_api
    from riskctl.leniency.stats import views as stats_views

    for module in (api, items_api, stats_api):
        app.register_blueprint(module.bp)
    for blueprint in (views.bp, items_views.bp, stats_views.bp, stats_views.public_bp):
        app.register_blueprint(blueprint)
    register_nav("首违不罚", "leniency.records", order=40)
    register_nav("免罚清单", "leniency_items.index", order=41)
    register_nav("免罚统计", "leniency_stats.index", order=42)
    register_card("首违不罚复查逾期", _overdue_card, order=40)
    register_card("待法制审核的免罚记录", _pending_review_card, order=39)
    register_demo(60, "首违不罚", demo.load)
