"""Publicly verifiable random draws (公开随机抽取): lock → entropy → draw once → publish.

``engine`` is the pure riskctl-draw/1 procedure; the rest is the shared flow that
inspection plans and case-review campaigns call.
"""

from flask import Flask


def register(app: Flask) -> None:
    from riskctl.core.contributions import register_nav
    from riskctl.draws import api, cli, views

    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    app.cli.add_command(cli.draws_cli)
    register_nav("公开抽查", "draws.index", order=70)
