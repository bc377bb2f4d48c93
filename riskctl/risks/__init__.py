"""Integrity risk-point register (廉政风险点): the discipline committee's daily tool."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    from riskctl.core.contributions import register_card, register_demo, register_nav
    from riskctl.risks import api, cli, views
    from riskctl.risks.demo import load_demo
    from riskctl.risks.imports import views as import_views  # noqa: F401 (its routes)

    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    app.cli.add_command(cli.risks_cli)
    register_nav("廉政风险点", "risks.index", order=10)
    register_card("逾期评估与措施", views.overdue_card, order=10)
    register_demo(10, "廉政风险点", load_demo)
