"""The OpenAPI document is written at its first request, not when a worker starts."""

from __future__ import annotations

import threading

from riskctl.core.openapi import build_spec, undocumented


def _api_paths(app) -> set[str]:
    return {
        rule.rule.replace("<int:", "<").replace("<", "{").replace(">", "}")
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/")
    }


def test_a_new_worker_writes_no_document_until_it_is_asked_for(another_app):
    app = another_app("fresh")
    api = app.extensions["riskctl_api"]
    assert len(undocumented(app)) >= 10  # every module's API blueprint, queued
    assert api.spec.to_dict().get("paths", {}) == {}

    with app.app_context():
        spec = build_spec(app)
    assert undocumented(app) == []
    documented = {path for path in spec["paths"] if path.startswith("/api/v1/")}
    assert documented == _api_paths(app)
    with app.app_context():
        assert build_spec(app) == spec  # written once, the same every time


def test_two_first_requests_at_once_write_the_document_once(another_app):
    app = another_app("fresh")
    specs: list[dict] = []

    def ask() -> None:
        with app.app_context():
            specs.append(build_spec(app))

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(specs) == 4 and all(spec == specs[0] for spec in specs)
    assert {path for path in specs[0]["paths"] if path.startswith("/api/v1/")} == _api_paths(app)
