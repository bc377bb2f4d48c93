"""Every registered route, called by every role and by an anonymous visitor.

A route without a declared policy fails here; a role the policy does not name gets
403 (API: 401 without credentials, pages: a redirect to the login page); a role it
names is let through to the view (whatever the view then says about the data, but
never a 5xx: a crashing view fails here). Each role signs in once and calls every route
with that session.

Separation of duties (三员分立) is pinned down route by route: only the auditor and
the discipline committee read the audit log, and the auditor reaches nothing else
but their own account.
"""

from __future__ import annotations

import pytest
from werkzeug.routing.converters import AnyConverter, NumberConverter

from riskctl.accounts.roles import ADMIN, ALL_ROLES, AUDITOR
from tests.factories import PASSWORD


def _sample(converter) -> object:
    """A value the converter accepts but no record has: the view must still be reached."""
    if isinstance(converter, AnyConverter):
        return sorted(converter.items)[0]
    if isinstance(converter, NumberConverter):
        return 999999
    return "no-such-thing"


def _url(rule) -> str:
    values = {name: _sample(conv) for name, conv in rule._converters.items()}
    return rule.build(values, append_unknown=False)[1]


def _routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            yield rule, method


def test_every_route_declares_a_policy(app):
    missing = [
        r.endpoint
        for r, _ in _routes(app)
        if getattr(app.view_functions[r.endpoint], "policy", None) is None
    ]
    assert missing == []


def _sent_to_login(response) -> bool:
    return response.status_code == 302 and "/login?next=" in (response.location or "")


def _call(client, method: str, url: str, headers: dict):
    kwargs = {"headers": headers}
    if method in {"POST", "PUT", "PATCH"}:
        kwargs["json"] = {}
    return client.open(url, method=method, **kwargs)


def _client_for(app, role: str | None):
    """One client per role, signed in once through the login page (pages) for every route."""
    client = app.test_client()
    if role is not None:
        login = client.post("/login", data={"username": role, "password": PASSWORD})
        assert login.status_code == 302, "could not sign in through the login page"
    return client


def _signing_out_last(item) -> tuple[bool, str, str]:
    rule, method = item
    # Signing out ends the shared session: it goes last so no route after it is judged
    # on a signed-out client (a route that signs out early fails as "sent to login").
    return rule.endpoint == "accounts.logout", rule.rule, method


@pytest.mark.parametrize("role", [None, *ALL_ROLES])
def test_each_role_gets_exactly_what_the_policy_grants(app, bureau, role):
    app.config["WTF_CSRF_ENABLED"] = False  # the matrix is about roles; CSRF has its own tests
    try:
        client = _client_for(app, role)
        failures = []
        for rule, method in sorted(_routes(app), key=_signing_out_last):
            policy = app.view_functions[rule.endpoint].policy
            api = rule.rule.startswith("/api/")
            headers = {}
            if role is not None and api:
                headers["Authorization"] = f"Bearer {bureau.tokens[role]}"
            response = _call(client, method, _url(rule), headers)
            status = response.status_code
            if status >= 500:
                ok = False  # a crashing view is never "allowed"
            elif policy.allows(role):
                ok = status not in (401, 403) and not _sent_to_login(response)
            elif role is None:
                ok = status == 401 if api else _sent_to_login(response)
            else:
                ok = status == 403
            if not ok:
                failures.append(f"{method} {rule.rule} as {role or 'anonymous'}: {status}")
        assert failures == []
    finally:
        app.config["WTF_CSRF_ENABLED"] = True


AUDIT_LOG = {
    "admin.audit_log",
    "admin.audit_export",
    "admin.record_audit_checkpoint",
    "admin_api.list_audit",
    "admin_api.verify_audit",
    "admin_api.record_audit_checkpoint",
}
# Everything a signed-in auditor may open: the log, and what every user has.
AUDITOR_REACHES = AUDIT_LOG | {
    "web.home",
    "accounts.logout",
    "accounts.change_password",
    "accounts.tokens",
    "accounts.revoke_token",
    "units_api.list_units",
    "draws_api.get_draw",  # what the public page shows of a draw
}


def _granted(app, role: str) -> set[str]:
    return {
        endpoint
        for endpoint, view in app.view_functions.items()
        if endpoint != "static" and not view.policy.public and role in view.policy.roles
    }


def test_only_the_auditor_and_discipline_read_the_audit_log(app):
    for endpoint in AUDIT_LOG:
        assert app.view_functions[endpoint].policy.roles == {AUDITOR, "discipline"}, endpoint


def test_the_auditor_reaches_the_audit_log_and_nothing_else(app):
    assert _granted(app, AUDITOR) == AUDITOR_REACHES


def test_the_administrator_reaches_no_audit_route(app):
    assert _granted(app, ADMIN) & AUDIT_LOG == set()
