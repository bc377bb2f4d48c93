"""The API as an outside client sees it: a valid document, honoured by every answer.

openapi-spec-validator checks ``/api/openapi.json``; schemathesis then generates
schema-valid requests for every operation of the document, in process (WSGI), on
the demo data set, with each role's token and with none. Every answer must be no
server error, carry a status the operation documents, and match the schema the
document declares for that status. Bounded and derandomized: ``FUZZ_EXAMPLES`` (20)
examples per operation for its first allowed role, fewer for the others; operations
that may revoke the run's own tokens come last. The document itself must be typed
throughout, its examples valid, its tags Chinese.
"""

from __future__ import annotations

import os
import time
import warnings
from typing import Any

import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from openapi_schema_validator import OAS30ReadValidator, OAS30WriteValidator
from openapi_spec_validator import OpenAPIV30SpecValidator
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import select

import riskctl
from riskctl.accounts import operations as accounts
from riskctl.accounts.models import Unit
from riskctl.accounts.roles import ALL_ROLES
from riskctl.core.db import db
from riskctl.core.openapi import build_spec
from tests.demo_data import load_demo
from tests.factories import PASSWORD

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "20"))
# The first role allowed an operation gets EXAMPLES, each further allowed role (another
# unit scope, another view of the same data) OTHER_ROLE_EXAMPLES, and a role the
# operation refuses REFUSED_EXAMPLES: its 401/403 must be documented too.
OTHER_ROLE_EXAMPLES = 5
REFUSED_EXAMPLES = 2
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Operations whose every example builds a PDF or a workbook: fewer examples, same checks.
SLOW = {("POST", "/api/v1/reports/quarterly"): 3}
# Operations that may end the run's own credentials: fuzzed after all the others, for
# every role too (a 401 once a token is revoked is documented).
LAST = {
    ("POST", "/api/v1/tokens/{token_id}/revoke"),
}


def test_the_document_is_valid_openapi(client, tmp_path):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    errors = [e.message for e in OpenAPIV30SpecValidator(response.get_json()).iter_errors()]
    assert errors == []
    assert response.get_json()["openapi"] == "3.0.3"
    # Schema names are resolved as the document is first written: build a fresh app.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fresh = riskctl.create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite3'}",
                "SECRET_KEY": "x",
                "PII_KEY": "y",
                "ENV": "testing",
                "INSTANCE_PATH": str(tmp_path),
            }
        )
        with fresh.app_context():
            build_spec(fresh)
    assert [str(w.message) for w in caught if "schema" in str(w.message).lower()] == []


def test_every_operation_declares_its_answers(client):
    spec = client.get("/api/openapi.json").get_json()
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            responses = operation["responses"]
            assert "default" not in responses, (method, path)
            assert any(code.startswith("2") for code in responses), (method, path)
            if operation["security"]:
                assert "401" in responses, (method, path)
            for parameter in operation.get("parameters", ()):
                assert "type" in parameter["schema"], (method, path, parameter["name"])
    lists = spec["components"]["schemas"]["RiskPointPage"]
    assert set(lists["required"]) == {"items", "total", "page", "per_page"}


def test_every_schema_in_the_document_is_typed(client):
    spec = client.get("/api/openapi.json").get_json()
    assert _untyped(spec, "") == []
    record = spec["components"]["schemas"]["LeniencyRecordOut"]["properties"]
    assert record["commitment"]["allOf"] == [{"$ref": "#/components/schemas/CommitmentOut"}]
    assert spec["components"]["schemas"]["CommitmentOut"]["properties"]["signed_on"] == {
        "type": "string",
        "format": "date",
        "nullable": True,
    }
    assert record["followup_overdue_working_days"]["type"] == "integer"
    mark = spec["components"]["schemas"]["Mark"]["properties"]
    assert mark["code"] == {"type": "string", "maxLength": 40, "example": "CL2"}
    assert record["officers"] == record["officers"] | {"type": "array", "items": {"type": "string"}}


_SCHEMA_KEYS = ("schema", "items", "additionalProperties", "not")
_TYPED = ("type", "$ref", "allOf", "anyOf", "oneOf")


def _untyped(node: Any, where: str) -> list[str]:
    """Every schema in ``node`` that states no type, reference or combination (``{}``)."""
    found: list[str] = []
    if isinstance(node, list):
        for i, value in enumerate(node):
            found += _untyped(value, f"{where}[{i}]")
        return found
    if not isinstance(node, dict):
        return found
    schemas: list[tuple[str, Any]] = [(f"{where}.{k}", node[k]) for k in _SCHEMA_KEYS if k in node]
    for key in ("properties",):
        schemas += [(f"{where}.{name}", v) for name, v in node.get(key, {}).items()]
    if where.endswith("components.schemas"):
        schemas += [(f"{where}.{name}", v) for name, v in node.items()]
    for key in ("allOf", "anyOf", "oneOf"):
        schemas += [(f"{where}.{key}[{i}]", v) for i, v in enumerate(node.get(key, ()))]
    for path, schema in schemas:
        if isinstance(schema, dict) and not any(k in schema for k in _TYPED):
            found.append(path)
    for key, value in node.items():
        found += _untyped(value, f"{where}.{key}" if where or key != "components" else key)
    return found


def test_tags_are_named_in_chinese_and_operation_ids_are_endpoints(client, app):
    spec = client.get("/api/openapi.json").get_json()
    names = [tag["name"] for tag in spec["tags"]]
    assert len(names) == len(set(names))
    for tag in spec["tags"]:
        assert not tag["name"].isascii() and not tag["description"].isascii(), tag
    ids = []
    for operations in spec["paths"].values():
        for method, operation in operations.items():
            if method != "parameters":
                assert set(operation["tags"]) <= set(names)
                ids.append(operation["operationId"])
    assert len(ids) == len(set(ids)) and set(ids) <= set(app.view_functions)
    campaigns = spec["paths"]["/api/v1/reviews/campaigns"]["get"]
    assert campaigns["operationId"] == "reviews_api.list_campaigns"
    assert campaigns["tags"] == ["评查活动"]


# The main operations carry a request example (where they take a body) and an answer example.
EXAMPLED = {
    ("get", "/api/v1/health"),
    ("post", "/api/v1/risk-points"),
    ("get", "/api/v1/risk-points/{point_id}"),
    ("post", "/api/v1/leniency/records"),
    ("get", "/api/v1/leniency/records/{record_id}"),
    ("post", "/api/v1/inspection/plans"),
    ("get", "/api/v1/inspection/plans/{code}"),
    ("post", "/api/v1/inspection/plans/{code}/draw"),
    ("post", "/api/v1/reviews/campaigns"),
    ("get", "/api/v1/reviews/campaigns/{code}"),
}


def test_examples_match_their_schemas(client):
    spec = client.get("/api/openapi.json").get_json()
    checked, answered = 0, set()
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            bodies = operation.get("requestBody", {}).get("content", {}).values()
            for body in bodies:
                if "example" in body:
                    _valid(OAS30WriteValidator, body["schema"], body["example"], spec)
                    checked += 1
                elif (method, path) in EXAMPLED:
                    raise AssertionError(f"no request example: {method} {path}")
            for response in operation["responses"].values():
                for content in response.get("content", {}).values():
                    if "example" in content:
                        _valid(OAS30ReadValidator, content["schema"], content["example"], spec)
                        answered.add((method, path))
                        checked += 1
    assert answered >= EXAMPLED, EXAMPLED - answered
    assert checked >= 2 * len(EXAMPLED)


def _valid(validator, schema: dict, example: Any, spec: dict) -> None:
    root = {**schema, "components": spec["components"]}
    problems = [
        f"{list(e.absolute_path)}: {e.message}" for e in validator(root).iter_errors(example)
    ]
    assert problems == [], (schema, problems)


def test_json_answers_carry_real_characters(client):
    body = client.get("/api/v1/risk-points").get_data(as_text=True)
    assert "未登录" in body and "\\u" not in body


def _users() -> dict[str | None, str | None]:
    squad = db.session.scalar(select(Unit.code).where(Unit.code.like("%-%")).limit(1))
    tokens: dict[str | None, str | None] = {None: None}
    for role in ALL_ROLES:
        accounts.create_user(
            f"fuzz_{role}", role, role, PASSWORD, squad if role == "officer" else None
        )
        tokens[role] = accounts.issue_token(f"fuzz_{role}")
    db.session.commit()
    return tokens


def _operations(schema) -> list[Any]:
    found = []
    for result in schema.get_all_operations():
        operation = result.ok()
        only = tuple(p for p in os.environ.get("FUZZ_ONLY", "").split(",") if p)
        if only and not operation.path.startswith(only):
            continue
        found.append(operation)
    # Stable order, LAST at the end.
    return sorted(found, key=lambda o: (o.method.upper(), o.path) in LAST)


# The run is cut into SHARDS tests, each taking every SHARDS-th operation (in the
# document's order) for every identity, so the suite's workers share it out.
SHARDS = 6


@pytest.mark.parametrize("shard", range(SHARDS))
def test_schemathesis_finds_no_failure(app, shard):
    load_demo(app)
    tokens = _users()
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    operations = _operations(schema)
    policies = {
        (r.rule, m): getattr(app.view_functions[r.endpoint], "policy", None)
        for r in app.url_map.iter_rules()
        for m in r.methods or ()
    }
    if not os.environ.get("FUZZ_ONLY"):
        documented = build_spec(app)["paths"]
        assert len(operations) == sum(len(set(ops) - {"parameters"}) for ops in documented.values())
    operations = operations[shard::SHARDS]
    batches = [
        [o for o in operations if (o.method.upper(), o.path) not in LAST],
        [o for o in operations if (o.method.upper(), o.path) in LAST],
    ]
    started, examples, pairs, failures = time.monotonic(), 0, 0, {}
    fully_fuzzed: set[str] = set()
    for batch, (role, token) in ((b, t) for b in batches for t in tokens.items()):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        for operation in batch:
            pairs += 1
            label = f"{operation.method} {operation.path}"
            if not _allowed(policies, operation, role):
                budget = REFUSED_EXAMPLES
            elif label in fully_fuzzed:
                budget = OTHER_ROLE_EXAMPLES
            else:
                budget = EXAMPLES
                fully_fuzzed.add(label)
            budget = min(budget, SLOW.get((operation.method.upper(), operation.path), budget))
            examples += _fuzz(operation, role, headers, budget, failures)
    elapsed = time.monotonic() - started
    print(
        f"schemathesis on {db.engine.dialect.name}, shard {shard + 1}/{SHARDS}: "
        f"{len(operations)} operations, "
        f"{len(tokens)} identities (every role and anonymous), {pairs} operation×identity "
        f"runs, {examples} examples, {elapsed:.0f} s"
    )
    for key, text in sorted(failures.items(), key=str):
        print(*key, text, sep=" | ")
    assert failures == {}


def _fuzz(operation, role, headers: dict[str, str], budget: int, failures: dict) -> int:
    sent = 0

    @settings(
        max_examples=budget,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def run(case) -> None:
        nonlocal sent
        sent += 1
        response = case.call(headers=headers)
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:
            key = (operation.method.upper(), operation.path, role)
            failures.setdefault(key, f"{response.status_code}: {str(exc)[:600]}")

    run()
    return sent


def _allowed(policies, operation, role: str | None) -> bool:
    import re

    rule = re.sub(r"\{([a-z_]+)\}", r"<\1>", operation.path)
    for (candidate, method), policy in policies.items():
        if method != operation.method.upper() or policy is None:
            continue
        if re.sub(r"<(?:[a-z_]+:)?([a-z_]+)>", r"<\1>", candidate) == rule:
            return policy.public or (role is not None and role in policy.roles)
    return False


@pytest.fixture
def fuzz_examples() -> int:
    return EXAMPLES
