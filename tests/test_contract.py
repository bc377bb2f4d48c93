"""The public contract of api.md: every command and endpoint exists and is documented."""

from __future__ import annotations

import pytest

CONTRACT = [
    ("GET", "/api/v1/health"),
    ("GET", "/api/v1/units"),
    ("GET", "/api/v1/risk-points"),
    ("POST", "/api/v1/risk-points"),
    ("GET", "/api/v1/risk-points/{id}"),
    ("PATCH", "/api/v1/risk-points/{id}"),
    ("POST", "/api/v1/risk-points/{id}/retire"),
    ("GET", "/api/v1/risk-points/{id}/history"),
    ("POST", "/api/v1/risk-points/import"),
    ("GET", "/api/v1/risk-points/export.xlsx"),
    ("POST", "/api/v1/inspection/targets/import"),
    ("POST", "/api/v1/inspection/inspectors/import"),
    ("POST", "/api/v1/inspection/plans"),
    ("POST", "/api/v1/inspection/plans/{code}/lock"),
    ("POST", "/api/v1/inspection/plans/{code}/draw"),
    ("GET", "/api/v1/draws/{id}"),
    ("GET", "/api/v1/draws/{id}/manifest"),
    ("POST", "/api/v1/draws/verify"),
    ("POST", "/api/v1/leniency/items"),
    ("POST", "/api/v1/leniency/records"),
    ("POST", "/api/v1/reports/quarterly"),
    ("GET", "/api/v1/reports/quarterly/{year}/{quarter}.pdf"),
]
COMMANDS = [
    ["db", "upgrade"],
    ["units", "create"],
    ["users", "create"],
    ["users", "token"],
    ["demo"],
    ["audit", "verify"],
    ["draws", "verify"],
    ["reports", "issue"],
]


def _normalise(path: str) -> str:
    import re

    return re.sub(r"\{[^}]+\}", "{}", path)


def test_openapi_document_builds_and_lists_the_contract(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    documented = {
        (m.upper(), _normalise(p))
        for p, ops in spec["paths"].items()
        for m in ops
        if m != "parameters"
    }
    missing = [(m, p) for m, p in CONTRACT if (m, _normalise(p)) not in documented]
    assert missing == []


def test_api_docs_page_lists_the_endpoints(client):
    page = client.get("/api/docs").get_data(as_text=True)
    assert "/api/v1/draws/verify" in page and "/api/v1/risk-points" in page


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_contract_command_exists(app, command):
    result = app.test_cli_runner().invoke(args=[*command, "--help"])
    assert result.exit_code == 0, result.output
