"""The application class answers ``ensure_sync`` as Flask does, plain functions first, and
builds every URL as werkzeug does, its builders compiled at their first use."""

from __future__ import annotations

import functools

import pytest
from flask import Flask, url_for
from werkzeug.routing import Map
from werkzeug.routing import Rule as WerkzeugRule

from riskctl.core.flask_app import Rule


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


def _maps(*rules):
    """The same rules in a map of werkzeug's own Rule and in one of ours."""
    return (
        Map([WerkzeugRule(path, endpoint=endpoint, **kw) for path, endpoint, kw in rules]),
        Map([Rule(path, endpoint=endpoint, **kw) for path, endpoint, kw in rules]),
    )


RULES = (
    ("/plans/<code>", "plan", {}),
    ("/plans/<code>/tasks/<int:task>", "task", {}),
    ("/files/<path:name>", "file", {}),
    ("/list", "list", {"defaults": {"page": 1}}),
    ("/list/page/<int:page>", "list", {}),
    ("/units/<int(min=1):unit>", "unit", {}),
)
BUILDS = (
    ("plan", {"code": "SJ-2026 Q4/01"}),
    ("task", {"code": "SJ-1", "task": 47}),
    ("task", {"code": "SJ-1", "task": 47, "status": "待检查", "page": [2, 3]}),
    ("file", {"name": "a b/c.pdf"}),
    ("list", {}),
    ("list", {"page": 1}),
    ("list", {"page": 3, "q": "x"}),
    ("unit", {"unit": 0}),  # refused by its converter: no URL
    ("unit", {"unit": 5}),
    ("plan", {"code": "SJ-1", "rule": "red", "self": 1, "values": 2}),  # names of ours
)


@pytest.mark.parametrize("append_unknown", [True, False])
def test_every_url_is_built_as_werkzeug_builds_it(append_unknown):
    for endpoint, values in BUILDS:
        # new maps each time: every case is some builder's first use
        theirs, ours = (m.bind("example.org") for m in _maps(*RULES))
        expected = _build(theirs, endpoint, values, append_unknown)
        assert _build(ours, endpoint, values, append_unknown) == expected, (endpoint, values)
        # the second time from the compiled builder
        assert _build(ours, endpoint, values, append_unknown) == expected, (endpoint, values)


def _build(adapter, endpoint, values, append_unknown):
    try:
        return adapter.build(endpoint, values, append_unknown=append_unknown)
    except Exception as exc:
        return type(exc)


def test_a_builder_is_compiled_at_its_first_use_only(another_app):
    app = another_app("fresh")  # no URL built in it yet
    rule = next(app.url_map.iter_rules("accounts.login"))
    assert type(rule) is Rule
    first = rule._build_unknown
    assert first.__func__.__name__ == "build_first"
    with app.test_request_context():
        assert url_for("accounts.login", next="/x") == "/login?next=/x"
        compiled = rule._build_unknown
        assert compiled.__func__.__name__ != "build_first"
        assert url_for("accounts.login") == "/login"
        assert rule._build_unknown is compiled
