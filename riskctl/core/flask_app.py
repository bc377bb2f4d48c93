"""The application class: Flask, with what every request pays made cheaper.

Flask asks ``inspect.iscoroutinefunction`` of every hook and view on every request
(``ensure_sync``: an ``async def`` is wrapped to run to completion); an API request
meets about a dozen. A plain ``def`` is told apart by its code flags directly; anything
else (a bound method, a partial, a callable object) is asked as Flask asks it.
"""

from __future__ import annotations

from collections.abc import Callable
from inspect import CO_COROUTINE
from types import FunctionType
from typing import Any

from flask import Flask

# inspect.markcoroutinefunction (Python 3.12+) marks a plain function to be run as async.
_MARKER = "_is_coroutine_marker"


class App(Flask):
    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        if (
            type(func) is FunctionType
            and not func.__code__.co_flags & CO_COROUTINE
            and _MARKER not in func.__dict__
        ):
            return func
        return super().ensure_sync(func)
