"""Units, users, sign-in and web sessions, passwords and API tokens."""

from flask import Flask


def register(app: Flask) -> None:
    from riskctl.accounts import api, bearer, cli, queries, sessions, views
    from riskctl.extensions import login_manager

    # Who is asking: the session cookie on pages, the bearer token on /api/.
    login_manager.user_loader(sessions.load)
    login_manager.request_loader(bearer.load_from_request)
    app.session_interface = sessions.CookieSessions()
    app.register_blueprint(views.bp)
    # {{ record.created_by|person }}: a person by name, not by account name.
    app.add_template_filter(queries.person_name, "person")
    app.register_blueprint(api.bp)
    app.cli.add_command(cli.units_cli)
    app.cli.add_command(cli.users_cli)
    # After the access policy has identified the user (it runs first).
    app.before_request(sessions.require_password_change)
