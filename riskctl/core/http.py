"""Thin-HTTP helpers for the pages: bounded page and id query parameters, upload limits.

The API declares its arguments with flask-smorest (``riskctl.core.api``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import request

from riskctl.core.api import INTEGER, MAX_PAGE, MAX_PER_PAGE
from riskctl.core.errors import BadRequest

F = TypeVar("F", bound=Callable[..., Any])


def page_args(prefix: str = "", default: int | None = None) -> tuple[int, int]:
    """``?page=&per_page=`` (``?<prefix>page=``… for a sub-table), bounded: 400 naming the
    parameter otherwise; ``default`` rows a page (50) when none is asked for."""
    page = int_arg(f"{prefix}page", 1, lo=1, hi=MAX_PAGE)
    per_page = int_arg(f"{prefix}per_page", default or 50, lo=1, hi=2**31 - 1)
    return page, min(per_page, MAX_PER_PAGE)


def int_arg(
    name: str, default: int | None = None, *, lo: int = 1, hi: int = 2**31 - 1
) -> int | None:
    """The integer query parameter ``name`` in ``lo``–``hi`` (an id by default), or ``default``."""
    raw = request.args.get(name, "").strip()
    if not raw:
        return default
    if not INTEGER.fullmatch(raw):
        raise BadRequest(f"参数 {name} 应为 {lo} 到 {hi} 之间的整数", {name: ["应为整数"]})
    value = int(raw)
    if not lo <= value <= hi:
        raise BadRequest(f"参数 {name} 应为 {lo} 到 {hi} 之间的整数", {name: ["超出范围"]})
    return value


def upload_limit(max_bytes_config: str) -> Callable[[F], F]:
    """Raise the request size cap for a view from a config key (e.g. rosters)."""

    def decorate(view: F) -> F:
        view.upload_limit_config = max_bytes_config  # type: ignore[attr-defined]
        return view

    return decorate
