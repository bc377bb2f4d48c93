"""The OpenAPI document, built from the routes' own metadata (``riskctl.core.http.doc``)."""

from __future__ import annotations

import re
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Flask

ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "error": {
            "type": "object",
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "details": {"type": "object"},
            },
        }
    },
}
_CONVERTER = re.compile(r"<(?:[a-z_]+:)?([a-z_]+)>")


def build_spec(app: Flask) -> dict[str, Any]:
    """The flask-smorest document, plus the routes still documented by ``@doc``."""
    from riskctl.core import api

    spec = api.build_spec(app)
    legacy = _legacy_spec(app)
    for path, operations in legacy["paths"].items():
        spec["paths"].setdefault(path, operations)
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    for name, schema in legacy.get("components", {}).get("schemas", {}).items():
        schemas.setdefault(name, schema)
    return spec


def _legacy_spec(app: Flask) -> dict[str, Any]:
    spec = APISpec(
        title="riskctl 廉政风险防控系统 API",
        version="1.0.0",
        openapi_version="3.0.3",
        plugins=[MarshmallowPlugin()],
    )
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.rule.startswith("/api/v1"):
            continue
        view = app.view_functions[rule.endpoint]
        meta = getattr(view, "api_doc", None)
        if meta is None:
            continue
        policy = getattr(view, "policy", None)
        operations = {}
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            operations[method.lower()] = _operation(meta, policy)
        spec.path(
            path=_CONVERTER.sub(r"{\1}", rule.rule),
            operations=operations,
            parameters=[
                {"in": "path", "name": name, "required": True, "schema": {"type": "string"}}
                for name in rule.arguments
                if f"{{{name}}}" in _CONVERTER.sub(r"{\1}", rule.rule)
            ],
        )
    return spec.to_dict()


def _operation(meta: dict[str, Any], policy) -> dict[str, Any]:
    op: dict[str, Any] = {"summary": meta["summary"], "tags": list(meta.get("tags") or ())}
    if policy is not None and not policy.public:
        op["security"] = [{"bearer": []}]
        op["description"] = "可访问角色：" + "、".join(sorted(policy.roles))
    if meta.get("body"):
        op["requestBody"] = {"content": {"application/json": {"schema": meta["body"]}}}
    if meta.get("upload"):
        op["requestBody"] = {
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {"file": {"type": "string", "format": "binary"}},
                    }
                }
            }
        }
    ok: dict[str, Any] = {"description": "成功"}
    if meta.get("response"):
        ok["content"] = {"application/json": {"schema": meta["response"]}}
    error = {
        "description": "错误",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }
    op["responses"] = {str(meta.get("status", 200)): ok, "default": error}
    return op
