"""Running an operation from the command line: one transaction, Chinese errors, exit 1."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import click

from riskctl.core.db import db
from riskctl.core.errors import AppError

T = TypeVar("T")


def run_command(operation: Callable[[], T]) -> T:
    """Run ``operation`` and commit; on a domain error roll back and exit 1 with its message."""
    try:
        result = operation()
        db.session.commit()
    except AppError as exc:
        db.session.rollback()
        detail = "".join(
            f"\n  {k}: {'；'.join(map(str, v))}"
            for k, v in exc.details.items()
            if isinstance(v, list) and v != [exc.message]
        )
        raise click.ClickException(exc.message + detail) from exc
    return result
