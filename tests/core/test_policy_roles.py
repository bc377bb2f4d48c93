"""The access policy names roles as strings; the app refuses a route with an unknown one."""

import pytest
from flask import Flask

from riskctl.accounts.roles import ALL_ROLES, LEGAL
from riskctl.core.auth.policy import allow, check_roles


def _app_with(*roles: str) -> Flask:
    app = Flask(__name__)

    @app.get("/x")
    @allow(*roles)
    def view():
        return ""

    return app


def test_a_route_naming_only_known_roles_passes():
    check_roles(_app_with(LEGAL), ALL_ROLES)


def test_a_route_naming_an_unknown_role_is_refused_with_its_endpoint():
    with pytest.raises(ValueError, match=r"route view: unknown roles in policy: \['legl'\]"):
        check_roles(_app_with(LEGAL, "legl"), ALL_ROLES)


def test_a_policy_without_roles_is_refused_at_once():
    with pytest.raises(ValueError, match="needs role names"):
        allow()


def test_every_route_of_the_app_names_known_roles(app):
    check_roles(app, ALL_ROLES)
