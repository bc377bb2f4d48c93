"""The HTTP API's one declaration layer: flask-smorest over apispec and webargs.

Every ``/api/v1`` endpoint is a view of an :class:`ApiBlueprint` and declares its
body, query, path and file arguments with ``@bp.arguments`` and its answers with
``@bp.response`` (or :meth:`ApiBlueprint.paginated` for a list): the same
declaration validates the request and writes ``/api/openapi.json``.

Bad input keeps the service's error shape (``riskctl.core.errors``): a body that is
not a JSON object is a 400, a query or path parameter out of bounds a 400 naming
it, a field that breaks a rule a 422 with ``details`` keyed by field name. The error
statuses each operation can answer are added to the document by
:func:`riskctl.core.openapi.build_spec` from its access policy, its arguments and its
own ``@errors(...)`` declaration.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, request
from flask_smorest import Api
from flask_smorest import Blueprint as SmorestBlueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import Select
from webargs.flaskparser import FlaskParser
from webargs.multidictproxy import MultiDictProxy
from werkzeug.datastructures import CombinedMultiDict

from riskctl.core import lean, openapi, quickargs
from riskctl.core.bounds import INT32, IdConverter
from riskctl.core.counting import count_rows
from riskctl.core.db import db
from riskctl.core.errors import BadRequest, ValidationFailed, summarise
from riskctl.core.schema import ANY_JSON, BaseSchema

F = TypeVar("F", bound=Callable[..., Any])

MAX_PAGE = 1_000_000  # far past the last page of any list; (page - 1) × per_page fits OFFSET
MAX_PER_PAGE = 200
DEFAULT_PER_PAGE = 50
INTEGER = re.compile(r"[+-]?[0-9]{1,12}")
_QUERY_LOCATIONS = ("query", "querystring", "path", "view_args", "headers", "cookies")

JSON_VALUE: dict[str, Any] = {
    "description": "任意 JSON 值",
    "nullable": True,
    "anyOf": [
        {"type": "string"},
        {"type": "number"},
        {"type": "boolean"},
        {"type": "object"},
        {"type": "array", "items": {"$ref": "#/components/schemas/JsonValue"}},
    ],
}


class QueryInteger(fields.Integer):
    """An integer query parameter in ``lo``–``hi``, written in ASCII digits (not ``٣``)."""

    def __init__(self, lo: int, hi: int, **kwargs: Any) -> None:
        self.range_message = f"应为 {lo} 到 {hi} 之间的整数"
        kwargs.setdefault("validate", validate.Range(lo, hi, error=self.range_message))
        super().__init__(strict=False, **kwargs)
        self.error_messages = {**self.error_messages, "invalid": self.range_message}

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str) and not INTEGER.fullmatch(value.strip()):
            raise self.make_error("invalid")
        return super()._deserialize(value.strip() if isinstance(value, str) else value, attr, data)


class PageArgs(BaseSchema):
    """``?page=&per_page=``: every list takes them; filters extend this schema."""

    page = QueryInteger(
        1, MAX_PAGE, load_default=1, metadata={"description": "页码，从 1 开始", "example": 1}
    )
    per_page = QueryInteger(
        1,
        MAX_PER_PAGE,
        load_default=DEFAULT_PER_PAGE,
        metadata={"description": f"每页条数（1–{MAX_PER_PAGE}）", "example": 20},
    )


class ErrorBodySchema(Schema):
    code = fields.String(
        required=True, metadata={"description": "错误代码", "example": "validation_error"}
    )
    message = fields.String(
        required=True,
        metadata={"description": "中文错误说明", "example": "字段 reason：此项为必填项"},
    )
    details = fields.Dict(
        required=True,
        keys=fields.String(),
        values=fields.Raw(metadata=ANY_JSON),
        metadata={
            "description": "按字段（或行）列出的问题",
            "example": {"reason": ["此项为必填项"]},
        },
    )


class ErrorSchema(Schema):
    """The one error shape of api.md."""

    error = fields.Nested(ErrorBodySchema, required=True)


_PAGE_SCHEMAS: dict[type[Schema], type[Schema]] = {}


def page_schema(item: type[Schema], extra: dict[str, fields.Field] | None = None) -> type[Schema]:
    """The list envelope ``{items, total, page, per_page}`` around ``item``."""
    if item in _PAGE_SCHEMAS and not extra:
        return _PAGE_SCHEMAS[item]
    name = item.__name__.removesuffix("Schema").removesuffix("Out") + "Page"
    attrs: dict[str, Any] = {
        "items": fields.List(fields.Nested(item), required=True),
        "total": fields.Integer(required=True, metadata={"description": "符合条件的总条数"}),
        "page": fields.Integer(required=True, metadata={"description": "页码"}),
        "per_page": fields.Integer(required=True, metadata={"description": "每页条数"}),
        "total_estimated": fields.Boolean(
            metadata={"description": "仅当匹配超过 10 万条时出现（true）：total 为估计值"}
        ),
        **(extra or {}),
        "__doc__": f"{item.__name__} 的分页列表",
    }
    schema = type(name, (Schema,), attrs)
    if not extra:
        _PAGE_SCHEMAS[item] = schema
    return schema


def paginate(query: Select, args: dict[str, Any]) -> dict[str, Any]:
    """One page of ``query`` in the list envelope (rows undumped: the response dumps them)."""
    page, per_page = args["page"], args["per_page"]
    total, estimated = count_rows(query)
    rows = db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)).all()
    body = {"items": rows, "total": total, "page": page, "per_page": per_page}
    if estimated:  # more than counting.EXACT_UP_TO matches: "about total"
        body["total_estimated"] = True
    return body


def page_of(items: list[Any], total: int, args: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """The envelope for a page computed by the caller."""
    page = {"items": items, "total": total, "page": args["page"], "per_page": args["per_page"]}
    return page | extra


class Extended:
    """A record with more values (``extended(plan, digests=…)``): read before its own."""

    def __init__(self, record: Any, extra: dict[str, Any]) -> None:
        self._record = record
        self.__dict__.update(extra)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._record, name)


def extended(record: Any, **extra: Any) -> Extended:
    return Extended(record, extra)


class Parser(quickargs.QuickQuery, FlaskParser):
    """webargs, answering in the service's error shape and Chinese."""

    DEFAULT_VALIDATION_STATUS = 422

    def load_json(self, req, schema):
        payload = req.get_json(silent=True)  # bounded: depth, constants, surrogates
        if payload is None:
            raise BadRequest("请求体不是合法的 JSON（需要 Content-Type: application/json）")
        if not isinstance(payload, dict):
            raise BadRequest("请求体必须是 JSON 对象")
        return payload

    def load_files(self, req, schema):
        # A multipart body: the file parts and the plain fields in one schema.
        return MultiDictProxy(CombinedMultiDict([req.files, req.form]), schema)

    def handle_error(self, error, req, schema, *, error_status_code, error_headers):
        messages = error.messages if isinstance(error.messages, dict) else {}
        details: dict[str, Any] = {}
        query = False
        for location, problems in messages.items():
            query = query or location in _QUERY_LOCATIONS
            if isinstance(problems, dict):
                details.update(problems)
            else:
                details["_schema"] = problems
        # A page out of bounds is malformed (400); a module may call a bad filter value
        # a broken rule (422), as its clients have always been told.
        filter_status = getattr(schema, "QUERY_ERROR_STATUS", 400)
        if query and (filter_status == 400 or {"page", "per_page"} & set(details)):
            field, problems = next(iter(details.items()), ("参数", ["无效"]))
            first = problems[0] if isinstance(problems, list) and problems else "无效"
            raise BadRequest(f"参数 {field} {first}", details)
        raise ValidationFailed(summarise(details), details)


class ApiBlueprint(SmorestBlueprint):
    """A flask-smorest blueprint that enters the document when the app registers it.

    Modules keep calling ``app.register_blueprint(bp)``; the routes are documented in
    that app's :class:`Api` (created by :func:`install`), under a tag named by ``title``
    (Chinese) and described by ``description``; an operation's id is its Flask endpoint
    (``reviews_api.list_campaigns``). Argument schemas are instances, built once.

    Writing a blueprint's operations into the document (schemas resolved, copied and
    converted) was half of ``create_app``'s time, paid by every worker that starts and
    read only by ``openapi.build_spec``: registering queues the blueprint, and the first
    ``build_spec`` documents every queued one, in the order they were registered.
    """

    ARGUMENTS_PARSER = Parser()

    def arguments(self, schema: Any, **kwargs: Any) -> Callable[[F], F]:
        return super().arguments(schema() if isinstance(schema, type) else schema, **kwargs)

    def __init__(self, name: str, import_name: str, *args: Any, title: str = "", **kwargs: Any):
        super().__init__(name, import_name, *args, **kwargs)
        self.title = title or name

    def register(self, app: Flask, options: dict[str, Any]) -> None:
        super().register(app, options)
        api = app.extensions.get("riskctl_api")
        name = options.get("name", self.name)
        documented = app.extensions.setdefault("riskctl_api_documented", set())
        if api is None or name in documented:
            return
        documented.add(name)
        app.extensions["flask-smorest"]["blp_name_to_api"][name] = api
        openapi.queue(app, self, name)
        tags = app.extensions.setdefault("riskctl_api_tags", {})
        tags[name] = {"name": self.title, "description": self.description or self.title}

    def paginated(
        self,
        item: type[Schema],
        query: type[Schema] = PageArgs,
        *,
        extra: dict[str, fields.Field] | None = None,
        description: str = "分页列表：{items, total, page, per_page}",
    ) -> Callable[[F], F]:
        """A list: ``query`` (page, per_page and filters) in, the envelope of ``item`` out.

        The view gets the loaded query first and returns :func:`paginate` or :func:`page_of`,
        whose items :func:`riskctl.core.lean.answered` dumps (a page with ``extra``: smorest).
        """
        arguments = self.arguments(query, location="query")
        response = self.response(200, page_schema(item, extra), description=description)

        def decorate(view: F) -> F:
            return response(arguments(view if extra else lean.answered(view, item)))

        return decorate


def errors(*statuses: int) -> Callable[[F], F]:
    """Error statuses an operation answers beyond those its policy and arguments imply."""

    def decorate(view: F) -> F:
        view.api_errors = (*getattr(view, "api_errors", ()), *statuses)  # type: ignore[attr-defined]
        return view

    return decorate


class _Api(Api):
    ERROR_SCHEMA = ErrorSchema

    def _register_error_handlers(self) -> None:
        """``riskctl.core.errors`` answers every error, webargs' included."""


def install(app: Flask) -> Api:
    app.config.setdefault("API_TITLE", "riskctl 廉政风险防控系统 API")
    app.config.setdefault("API_VERSION", "1.0.0")
    app.config.setdefault("OPENAPI_VERSION", "3.0.3")
    api = _Api(
        app,
        spec_kwargs={
            "info": {
                "description": (
                    "城管执法局廉政风险防控系统的 HTTP 接口。除标注公开的接口外，请求须带 "
                    "`Authorization: Bearer <令牌>`。错误统一为 "
                    '`{"error": {"code", "message", "details"}}`，消息为中文。'
                )
            }
        },
    )
    api.register_converter(
        IdConverter, lambda _: {"type": "integer", "minimum": 0, "maximum": INT32[1]}
    )
    api.spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    api.spec.components.schema("JsonValue", JSON_VALUE)
    api.ma_plugin.converter.add_attribute_function(_any_json_values)
    app.extensions["riskctl_api"] = api
    return api


def _any_json_values(converter, field, ret: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """A ``fields.Dict()`` that names no value type holds JSON values: say so."""
    if ret.get("additionalProperties") == {}:
        return {"additionalProperties": {"$ref": "#/components/schemas/JsonValue"}}
    return {}


def wants_api() -> bool:
    return request.path.startswith("/api/")
