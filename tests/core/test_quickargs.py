"""riskctl.core.quickargs loads a query of integers as webargs and marshmallow load it:
the same arguments for every query schema of the API, the same error for a bad value."""

from __future__ import annotations

import pytest
from flask import request
from webargs.flaskparser import FlaskParser

from riskctl.core import quickargs
from riskctl.core.api import Parser
from riskctl.core.errors import AppError

QUERIES = [
    "",
    "page=2",
    "per_page=20",
    "page=3&per_page=7",
    "per_page=200&page=1",
    " page=+4",
    "page=%204%20",
    "page=0",
    "per_page=201",
    "page=abc",
    "page=1.5",
    "page=",
    "page=1&page=2",
    "page=2&unknown=x",
    "per_page=99999999999999",
    "page=٣",
    "status=all&page=2",
]


class _Webargs(Parser):
    """The API's parser without the quick load: webargs and the schema's own load."""

    def parse(self, *args, **kwargs):
        return FlaskParser.parse(self, *args, **kwargs)


def _query_schemas(app) -> dict[str, object]:
    found = {}
    for endpoint, view in app.view_functions.items():
        for parameter in getattr(view, "_apidoc", {}).get("arguments", {}).get("parameters", []):
            if parameter["in"] == "query":
                found[endpoint] = parameter["schema"]
    return found


def _outcome(parser, app, schema, query):
    with app.test_request_context(f"/?{query}"):
        try:
            return "ok", parser.parse(schema, location="query")
        except AppError as error:
            return type(error).__name__, str(error), getattr(error, "details", None)


def test_every_query_schema_loads_as_webargs_does(app):
    schemas = _query_schemas(app)
    assert "risks_api.list_points" in schemas and len(schemas) > 15
    quick, slow = Parser(), _Webargs()
    answered = set()
    for endpoint, schema in schemas.items():
        loader = quickargs.quick(schema)
        for query in QUERIES:
            expected = _outcome(slow, app, schema, query)
            assert _outcome(quick, app, schema, query) == expected, (endpoint, query)
            if loader is not None:
                with app.test_request_context(f"/?{query}"):
                    if loader.load(request.args) is not None:
                        answered.add(endpoint)
    # The main lists' common queries are the ones loaded quickly.
    assert {
        "risks_api.list_points",
        "leniency_api.list_records",
        "inspection_rosters_api.list_targets",
        "inspection_results_api.list_tasks",
        "rectification_api.list_items",
        "warnings_api.list_warnings",
        "admin_api.list_audit",
        "reviews_register_api.list_case_files",
    } <= answered


@pytest.mark.parametrize(
    ("query", "field"), [("page=0", "page"), ("per_page=abc", "per_page"), ("page=1.5", "page")]
)
def test_a_bad_page_is_the_same_400_naming_it(app, query, field):
    schema = _query_schemas(app)["risks_api.list_points"]
    outcome = _outcome(Parser(), app, schema, query)
    assert outcome[0] == "BadRequest"
    assert field in outcome[1]
    assert outcome == _outcome(_Webargs(), app, schema, query)
