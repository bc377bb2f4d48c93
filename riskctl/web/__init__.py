"""Web shell: layout, home page, health, API docs, audit and demo commands."""

from flask import Flask


def register(app: Flask) -> None:
    from riskctl.core.audit.cli import audit_cli
    from riskctl.web import health, staged, views
    from riskctl.web.demo import demo_command

    app.register_blueprint(views.bp)
    app.register_blueprint(staged.bp)
    app.register_blueprint(views.api)
    app.register_blueprint(health.health_api)
    app.cli.add_command(audit_cli)
    app.cli.add_command(demo_command)
