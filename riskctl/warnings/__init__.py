"""Warnings (预警): risk signals computed from the records, for the discipline committee."""

from __future__ import annotations

from flask import Flask


def _open_card(user) -> tuple[int, str, str] | None:
    from riskctl.accounts.queries import visible_unit_ids
    from riskctl.warnings.api import READERS
    from riskctl.warnings.queries import open_counts

    if user.role not in READERS:
        return None
    counts = open_counts(visible_unit_ids(user))
    tone = "red" if counts["red"] else "yellow" if counts["yellow"] else "green"
    return counts["total"], ("warnings.board", {"status": "open"}), tone


def _unacknowledged_card(user) -> tuple[int, tuple, str] | None:
    """纪委's to-do: warnings raised and not yet acknowledged."""
    from sqlalchemy import func, select

    from riskctl.accounts.queries import visible_unit_ids
    from riskctl.accounts.roles import DISCIPLINE
    from riskctl.core.db import db
    from riskctl.warnings.models import RAISED, Warning

    if user.role != DISCIPLINE:
        return None
    query = select(func.count()).select_from(Warning).where(Warning.status == RAISED)
    units = visible_unit_ids(user)
    if units is not None:
        query = query.where(Warning.unit_id.in_(units))
    count = db.session.scalar(query)
    return count, ("warnings.board", {"status": RAISED}), "red" if count else "green"


def _rule_names() -> dict[str, str]:
    from riskctl.warnings.sources import RULES

    return {rule.key: rule.label for rule in RULES}


def register(app: Flask) -> None:
    from riskctl.core.contributions import (
        register_card,
        register_demo,
        register_namer,
        register_nav,
    )
    from riskctl.warnings import api, demo, views
    from riskctl.warnings.cli import warnings_cli

    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    app.cli.add_command(warnings_cli)
    register_nav("预警", "warnings.board", order=70)
    register_nav("预警规则", "warnings.rules", order=71)
    register_card("未关闭预警", _open_card, order=10)
    register_card("待确认的预警", _unacknowledged_card, order=9)
    register_demo(80, "预警", demo.load)
    register_namer("warning_rules", _rule_names)
