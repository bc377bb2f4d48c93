"""Quarterly report (季度报告): issued from one snapshot of the records, frozen, archived."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    from riskctl.core.contributions import register_demo, register_nav
    from riskctl.reporting import api, cli, demo, views

    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    app.cli.add_command(cli.reports_cli)
    register_nav("季度报告", "reporting.index", order=70)
    register_demo(90, "季度报告", demo.load)
