"""The OpenAPI document of ``/api/openapi.json`` and ``/api/docs``.

Each :class:`riskctl.core.api.ApiBlueprint` declares its operations; the document is
written from those declarations the first time it is asked for (:func:`build_spec`),
then each operation gains the error statuses it can answer, from its access policy, its
arguments and its own ``@errors(...)`` declaration (``riskctl.core.api.errors``).
"""

from __future__ import annotations

import copy
import re
import threading
from typing import Any

from flask import Flask, current_app

_ERROR_TEXT = {
    400: "请求格式错误（非 JSON 对象、参数越界等）",
    401: "未登录或令牌无效",
    403: "无权访问",
    404: "资源不存在",
    409: "与当前数据状态冲突",
    413: "上传内容过大",
    422: "数据不符合规则（details 按字段列出）",
    429: "请求过于频繁（见 Retry-After）",
    503: "服务繁忙",
}
_CONVERTER = re.compile(r"<(?:[a-z_]+:)?([a-z_]+)>")
# Blueprints registered but not yet written into the document (``queue``), and the lock
# under which the first ``build_spec`` of a process writes them (threads share it).
_UNDOCUMENTED = "riskctl_api_undocumented"
_DOCUMENTING = threading.Lock()


def queue(app: Flask, blueprint: Any, name: str) -> None:
    """``blueprint`` (registered under ``name``) enters the document at the next
    :func:`build_spec`: writing it (schemas resolved, copied, converted) was half of
    ``create_app``'s time, paid by every worker that starts, and only the document reads it."""
    app.extensions.setdefault(_UNDOCUMENTED, []).append((blueprint, name))


def undocumented(app: Flask) -> list[str]:
    """The names of the blueprints registered but not yet in the document."""
    return [name for _, name in app.extensions.get(_UNDOCUMENTED, [])]


def build_spec(app: Flask | None = None) -> dict[str, Any]:
    """The OpenAPI document: the blueprints' declarations plus each operation's errors."""
    app = app or current_app
    api = app.extensions["riskctl_api"]
    with _DOCUMENTING:
        queued = app.extensions.get(_UNDOCUMENTED, [])
        while queued:
            blueprint, name = queued[0]
            blueprint.register_views_in_doc(api, app, api.spec, name=name, parameters=None)
            queued.pop(0)
        spec = copy.deepcopy(api.spec.to_dict())
    tags = app.extensions.get("riskctl_api_tags", {})
    used = {
        t
        for ops in spec.get("paths", {}).values()
        for o in ops.values()
        if isinstance(o, dict)
        for t in o.get("tags", ())
    }
    spec["tags"] = [tag for name, tag in tags.items() if name in used]
    views = {}
    # Every role some view names: a policy naming them all can never answer 403.
    known_roles = frozenset().union(
        *(getattr(getattr(v, "policy", None), "roles", ()) for v in app.view_functions.values())
    )
    for rule in app.url_map.iter_rules():
        path = _CONVERTER.sub(r"{\1}", rule.rule)
        for method in rule.methods or ():
            views[(path, method.lower())] = rule.endpoint
    for path, operations in spec.get("paths", {}).items():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            endpoint = views.get((path, method))
            operation["operationId"] = endpoint
            operation["tags"] = [tags.get(t, {"name": t})["name"] for t in operation["tags"]]
            _declare_errors(operation, app.view_functions.get(endpoint), path, known_roles)
    return spec


def _declare_errors(
    operation: dict[str, Any], view, path: str, known_roles: frozenset[str]
) -> None:
    policy = getattr(view, "policy", None)
    statuses = set(getattr(view, "api_errors", ()))
    if policy is not None and not policy.public:
        operation["security"] = [{"bearer": []}]
        roles = "、".join(sorted(policy.roles))
        operation["description"] = (
            operation.get("description", "") + f"\n\n可访问角色：{roles}"
        ).strip()
        statuses.add(401)
        if known_roles - policy.roles:
            statuses.add(403)
    else:
        operation["security"] = []
        operation["description"] = (
            operation.get("description", "") + "\n\n公开接口，无需令牌"
        ).strip()
    if any(p.get("in") == "query" for p in operation.get("parameters", ())):
        statuses.add(400)
    if "{" in path:
        statuses.add(404)
    body = operation.get("requestBody", {}).get("content", {})
    if body:
        statuses.update((400, 413, 422))
    if "multipart/form-data" in body:
        statuses.add(413)
    responses = operation.setdefault("responses", {})
    for status in list(responses):
        if status == "default" or int(status) >= 400:
            del responses[status]
    for status in sorted(statuses):
        responses.setdefault(
            str(status),
            {
                "description": _ERROR_TEXT.get(status, "错误"),
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
            },
        )
