"""Units, users, login and API tokens."""

from flask import Flask


def register(app: Flask) -> None:
    from riskctl.accounts import api, cli, views

    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    app.cli.add_command(cli.units_cli)
    app.cli.add_command(cli.users_cli)
