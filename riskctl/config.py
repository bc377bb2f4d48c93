"""Configuration from the environment (RISKCTL_*)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask

from riskctl.core import clock

MB = 1024 * 1024
STORAGE_BACKENDS = ("filesystem", "database")


class ConfigError(RuntimeError):
    """The environment does not describe a service that may start."""


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def load_config(app: Flask, overrides: dict[str, Any] | None = None) -> None:
    """Fill ``app.config`` from RISKCTL_* variables, then apply ``overrides`` (tests)."""
    overrides = dict(overrides or {})
    env = overrides.pop("ENV", None) or _env("RISKCTL_ENV", "development")
    instance = Path(app.instance_path)
    database_url = _env("RISKCTL_DATABASE_URL") or f"sqlite:///{instance / 'riskctl.sqlite3'}"
    production = env == "production"

    app.config.update(
        ENV=env,
        SQLALCHEMY_DATABASE_URI=database_url,
        SQLALCHEMY_ENGINE_OPTIONS=_engine_options(database_url),
        REPORTS_DIR=_env("RISKCTL_REPORTS_DIR", str(Path(app.root_path).parent / "reports")),
        ATTACHMENTS_DIR=_env("RISKCTL_ATTACHMENTS_DIR", str(instance / "attachments")),
        # Where file content lives: ``filesystem`` (the two directories above) or
        # ``database`` (blobs in the database, for several hosts).
        STORAGE=_env("RISKCTL_STORAGE", "filesystem"),
        PDF_FONT_PATH=_env("RISKCTL_PDF_FONT"),
        BUREAU_NAME=_env("RISKCTL_BUREAU_NAME", "市城市管理综合执法局"),
        # The bureau's day: business dates, deadlines and periods; shown times.
        TIMEZONE=_env("RISKCTL_TIMEZONE", clock.DEFAULT_TIMEZONE),
        MAX_CONTENT_LENGTH=int(_env("RISKCTL_MAX_UPLOAD_MB", "20")) * MB,
        ROSTER_MAX_UPLOAD=int(_env("RISKCTL_ROSTER_MAX_UPLOAD_MB", "256")) * MB,
        # The public verify endpoint: big enough for a 1,000,000-target manifest.
        VERIFY_MAX_UPLOAD=int(_env("RISKCTL_VERIFY_MAX_UPLOAD_MB", "64")) * MB,
        TOKEN_DAYS=int(_env("RISKCTL_TOKEN_DAYS", "90")),
        # Failed sign-ins per account name and per client address, per window; an
        # administrator can lift a lock before the window ends.
        LOGIN_MAX_FAILURES=int(_env("RISKCTL_LOGIN_MAX_FAILURES", "5")),
        LOGIN_MAX_FAILURES_PER_ADDRESS=int(_env("RISKCTL_LOGIN_MAX_FAILURES_PER_ADDRESS", "20")),
        LOGIN_WINDOW_MINUTES=int(_env("RISKCTL_LOGIN_WINDOW_MINUTES", "15")),
        # Public draw verification: requests and work per address per window, work per
        # request (units: about one SHA-256 each, see draws/engine/cost.py), runs at once in
        # the whole service, and seconds per run (under gunicorn's worker timeout).
        VERIFY_MAX_REQUESTS=int(_env("RISKCTL_VERIFY_MAX_REQUESTS", "10")),
        VERIFY_WINDOW_MINUTES=int(_env("RISKCTL_VERIFY_WINDOW_MINUTES", "10")),
        VERIFY_MAX_WORK=int(_env("RISKCTL_VERIFY_MAX_WORK", "15000000")),
        VERIFY_ADDRESS_WORK=int(_env("RISKCTL_VERIFY_ADDRESS_WORK", "40000000")),
        VERIFY_CONCURRENT=int(_env("RISKCTL_VERIFY_CONCURRENT", "1")),
        VERIFY_MAX_SECONDS=int(
            _env("RISKCTL_VERIFY_MAX_SECONDS", str(int(_env("RISKCTL_TIMEOUT", "120")) // 2))
        ),
        # Reverse proxies in front of gunicorn whose X-Forwarded-For is trusted: the
        # client address throttles count by.
        PROXY_HOPS=int(_env("RISKCTL_PROXY_HOPS", "0")),
        # /api/v1/health: at most one database probe per worker per interval (0: each call).
        HEALTH_PROBE_SECONDS=float(_env("RISKCTL_HEALTH_PROBE_SECONDS", "1")),
        # A pooled PostgreSQL connection idle this long is checked before use
        # (core/connection_check.py); 0 checks it at every checkout.
        DB_CHECK_IDLE_SECONDS=float(_env("RISKCTL_DB_CHECK_IDLE_SECONDS", "10")),
        # The API's main lists: each worker keeps recent answers under the data version
        # (core.listcache), this many MB at most; 0: none kept, no ETag.
        LIST_CACHE_BYTES=int(float(_env("RISKCTL_LIST_CACHE_MB", "32")) * MB),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=production,
        REMEMBER_COOKIE_SECURE=production,
        REMEMBER_COOKIE_HTTPONLY=True,
        PERMANENT_SESSION_LIFETIME=8 * 3600,
        WTF_CSRF_TIME_LIMIT=8 * 3600,
        JSON_AS_ASCII=False,
        # werkzeug's method string; tests set a cheap one, production always scrypt.
        PASSWORD_HASH_METHOD="scrypt",
    )
    app.config["SECRET_KEY"] = _secret("RISKCTL_SECRET_KEY", production, instance / "secret-key")
    app.config["PII_KEY"] = _secret("RISKCTL_PII_KEY", production, instance / "pii-key")
    # The audit chain's HMAC key: never stored in the database it protects.
    app.config["AUDIT_KEY"] = _secret("RISKCTL_AUDIT_KEY", production, instance / "audit-key")
    app.config["AUDIT_OLD_KEYS"] = _env("RISKCTL_AUDIT_OLD_KEYS", "")
    app.config.update(overrides)
    try:
        app.config["TIMEZONE"] = clock.load_zone(str(app.config["TIMEZONE"]))
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    if app.config["STORAGE"] not in STORAGE_BACKENDS:
        raise ConfigError(f"RISKCTL_STORAGE must be one of {', '.join(STORAGE_BACKENDS)}")
    if production and app.config["PASSWORD_HASH_METHOD"] != "scrypt":
        raise ConfigError("production hashes passwords with scrypt only")
    if "SQLALCHEMY_DATABASE_URI" in overrides:
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = _engine_options(
            overrides["SQLALCHEMY_DATABASE_URI"]
        )


def _secret(name: str, production: bool, dev_file: Path) -> str:
    value = _env(name)
    if value:
        return value
    if production:
        raise ConfigError(f"{name} must be set when RISKCTL_ENV=production")
    # Development: generated once and kept in instance/, so that every worker of
    # `make run` signs sessions (and keys party ids) alike and restarts keep them.
    if not dev_file.exists():
        dev_file.parent.mkdir(parents=True, exist_ok=True)
        dev_file.write_text(secrets.token_hex(32))
        dev_file.chmod(0o600)
    return dev_file.read_text().strip()


def _engine_options(url: str) -> dict[str, Any]:
    if url.startswith("sqlite"):
        # A generous busy timeout: CLI and server may write at the same time.
        return {"connect_args": {"timeout": 30}}
    # PostgreSQL: checked at checkout after sitting idle (core/connection_check.py).
    return {}
