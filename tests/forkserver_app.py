"""Preloaded by the concurrency tests' fork server (``tests.conftest.worker_context``).

Builds one app, on no database, so that every module ``create_app`` imports lazily is
already imported when a worker is forked; the worker builds its own app on the test's
database. Nothing connects here: the engine is made at the first query.
"""

from __future__ import annotations

import tempfile

from riskctl import create_app

with tempfile.TemporaryDirectory() as _instance:
    create_app(
        {
            "SQLALCHEMY_DATABASE_URI": "sqlite://",
            "SECRET_KEY": "x",
            "PII_KEY": "y",
            "ENV": "testing",
            "INSTANCE_PATH": _instance,
        }
    )
