"""riskctl — 城管执法局廉政风险防控系统 (clean-governance risk control)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from flask import Flask, Response

from riskctl.config import load_config
from riskctl.core.db import db
from riskctl.core.flask_app import App
from riskctl.extensions import csrf, login_manager, migrate

# Each module lives in its own package; ``register(app)`` in its __init__ wires its
# blueprints, CLI groups, navigation and home-page cards.
MODULES = (
    "riskctl.accounts",
    "riskctl.web",
    "riskctl.admin",
    "riskctl.rectification",
    "riskctl.inspections",
    "riskctl.leniency",
    "riskctl.draws",
    "riskctl.reviews",
    "riskctl.warnings",
    "riskctl.risks",
    "riskctl.reporting",
)


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """The application; ``config`` overrides the environment (tests, benchmarks)."""
    config = dict(config or {})
    app = App(
        __name__,
        instance_path=config.pop("INSTANCE_PATH", None),
        instance_relative_config=True,
        template_folder="web/templates",
        static_folder="web/static",
    )
    load_config(app, config)
    if app.config["PROXY_HOPS"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )

    db.init_app(app)
    _tune_sqlite(app)
    _check_connections(app)
    from riskctl.core import writes

    writes.install(app)  # every commit that wrote moves the data version
    migrate.init_app(app, db, directory=str(Path(app.root_path).parent / "migrations"))
    csrf.init_app(app)
    _init_login(app)

    from riskctl.core import api, assets, bounds, calendar, errors, headers, settings, storage  # noqa: F401
    from riskctl.core.auth import policy
    from riskctl.web import shell

    bounds.install(app)  # before any blueprint adds a route: the bounded <int:…> converter
    errors.register_error_handlers(app)
    api.install(app)
    _install_clock(app)
    headers.install(app)
    assets.install(app)  # {{ asset('style.css') }}: a versioned URL, kept a year
    policy.install(app)
    shell.install(app)
    _install_transaction(app)
    storage.install(app)

    from importlib import import_module

    for name in MODULES:
        import_module(name).register(app)
    from riskctl.accounts.roles import ALL_ROLES

    policy.check_roles(app, ALL_ROLES)
    from riskctl.core import listcache

    listcache.install(app)  # its hit after every other before-request step
    from riskctl.accounts import bearer

    # Last: a request the cache did not answer brings the token's user into its session.
    app.before_request(bearer.attach_actor)
    return app


def _install_clock(app: Flask) -> None:
    """The one way templates show a moment, ``{{ at|local_time }}`` in the bureau's time,
    and a ratio, ``{{ r|percent }}%`` (0.1 -> "10")."""
    from riskctl.core import clock
    from riskctl.core.figures import percent_text

    app.add_template_filter(clock.display, "local_time")
    app.add_template_filter(percent_text, "percent")
    app.add_template_global(clock.zone_label, "zone_label")


def _tune_sqlite(app: Flask) -> None:
    """SQLite enforces foreign keys only when asked; WAL lets readers work during a write."""
    from sqlalchemy import event

    with app.app_context():
        engine = db.engine
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()


def _check_connections(app: Flask) -> None:
    from riskctl.core import connection_check

    with app.app_context():
        connection_check.install(db.engine, app.config["DB_CHECK_IDLE_SECONDS"])


def _init_login(app: Flask) -> None:
    # The loaders (session cookie, bearer token) are registered by riskctl.accounts.
    login_manager.init_app(app)
    login_manager.session_protection = "strong"


def _install_transaction(app: Flask) -> None:
    """One commit per request, here: a failed request leaves the database as it was."""

    @app.after_request
    def _finish(response: Response) -> Response:
        # Nothing begun and nothing pending (health, a refused call), or nothing begun on
        # the database (a list answered from the cache): nothing to end; the session's
        # removal at teardown gives its connection back.
        if not db.session.registry.has():
            return response
        session = db.session()
        if _idle(session) or _nothing_begun(session):
            return response
        if response.status_code < 400:
            db.session.commit()
        else:
            db.session.rollback()
        return response


def _idle(session) -> bool:
    return not (session.in_transaction() or session.new or session.dirty or session.deleted)


def _nothing_begun(session) -> bool:
    """Whether the session's transaction began nothing on the database: it read, at most,
    outside a transaction (PostgreSQL's token read, ``core.direct.before_transaction``)
    or by statements SQLite runs without one; nothing written, nothing pending. Its
    commit would send nothing (psycopg and sqlite3 send no COMMIT then) and move no
    data version (``core.writes``): the ORM's commit machinery is skipped."""
    from riskctl.core import direct, writes

    if session.in_nested_transaction() or writes.request_wrote():
        return False
    connection = session.connection()
    return not direct.transaction_open(connection) and writes.unwritten(connection)
