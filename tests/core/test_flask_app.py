"""The application class answers ``ensure_sync`` as Flask does, plain functions first."""

from __future__ import annotations

import functools

import pytest
from flask import Flask


def plain(x):
    return x


async def coroutine(x):
    return x


class Hooks:
    def plain(self, x):
        return x

    async def coroutine(self, x):
        return x


def _ensure_sync(ensure_sync, app, func):
    """What ``ensure_sync`` gives, or the type of error it raises (Flask refuses an async
    view with RuntimeError when its async extra is not installed)."""
    try:
        return ensure_sync(app, func)
    except RuntimeError as exc:
        return type(exc)


@pytest.mark.parametrize(
    "func",
    [plain, Hooks().plain, functools.partial(plain, 1), print],
    ids=["def", "method", "partial", "builtin"],
)
def test_a_plain_callable_is_run_as_it_is(app, func):
    assert type(app).ensure_sync is not Flask.ensure_sync
    assert app.ensure_sync(func) is func
    assert Flask.ensure_sync(app, func) is func


@pytest.mark.parametrize(
    "func",
    [coroutine, Hooks().coroutine, functools.partial(coroutine, 1)],
    ids=["async def", "async method", "partial of async def"],
)
def test_a_coroutine_function_is_not_run_as_it_is(app, func):
    ours = _ensure_sync(type(app).ensure_sync, app, func)
    flasks = _ensure_sync(Flask.ensure_sync, app, func)
    assert ours is not func
    assert type(ours) is type(flasks)
    if isinstance(flasks, type):  # the same refusal
        assert ours is flasks
