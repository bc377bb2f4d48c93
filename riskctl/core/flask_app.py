"""The application class: Flask, with what every request pays made cheaper.

Flask asks ``inspect.iscoroutinefunction`` of every hook and view on every request
(``ensure_sync``: an ``async def`` is wrapped to run to completion); an API request
meets about a dozen. A plain ``def`` is told apart by its code flags directly; anything
else (a bound method, a partial, a callable object) is asked as Flask asks it.

Werkzeug compiles two URL builders per route (Python source built as an AST, then
``compile``) as each route is added: most of ``create_app``'s time, paid by every worker
as it starts, for routes that ``url_for`` may never build in it. :class:`Rule` compiles
each builder the first time it is used, with werkzeug's own code.

A static file asked for under its current version (``core.assets``) may be kept a year.
"""

from __future__ import annotations

from collections.abc import Callable
from inspect import CO_COROUTINE
from types import FunctionType
from typing import Any

from flask import Flask
from werkzeug.routing import Rule as WerkzeugRule

# inspect.markcoroutinefunction (Python 3.12+) marks a plain function to be run as async.
_MARKER = "_is_coroutine_marker"


class Rule(WerkzeugRule):
    """A route whose URL builders are compiled at their first use (``url_for``)."""

    def _compile_builder(self, append_unknown: bool = True) -> Callable[..., tuple[str, str]]:
        attribute = "_build_unknown" if append_unknown else "_build"

        def build_first(rule: Rule, /, **values: Any) -> tuple[str, str]:
            compiled = WerkzeugRule._compile_builder(rule, append_unknown).__get__(rule, None)
            setattr(rule, attribute, compiled)  # later calls go straight to it
            return compiled(**values)

        return build_first


class App(Flask):
    url_rule_class = Rule

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        if (
            type(func) is FunctionType
            and not func.__code__.co_flags & CO_COROUTINE
            and _MARKER not in func.__dict__
        ):
            return func
        return super().ensure_sync(func)

    def get_send_file_max_age(self, filename: str | None) -> int | None:
        from riskctl.core import assets

        return assets.max_age(self, filename) or super().get_send_file_max_age(filename)
