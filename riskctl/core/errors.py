"""One error shape for the whole service.

Operations raise the typed errors below; a single handler turns any error (ours,
Werkzeug's, an unexpected exception) into the JSON shape of api.md for API paths
and into a Chinese HTML page elsewhere.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from marshmallow import ValidationError as SchemaError
from sqlalchemy.exc import DataError, IntegrityError
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)


def _str_keys(value: Any) -> Any:
    """Details with string keys only: marshmallow keys a list's rows by index, next to field
    names, and JSON cannot sort mixed keys."""
    if isinstance(value, dict):
        return {str(k): _str_keys(v) for k, v in value.items()}
    return value


class AppError(Exception):
    status = 400
    code = "bad_request"
    message = "请求有误"

    def __init__(
        self,
        message: str | None = None,
        details: dict[str, Any] | None = None,
        *,
        retry_after: int | None = None,
    ):
        super().__init__(message or self.message)
        self.message = message or self.message
        self.details = _str_keys(details or {})
        self.retry_after = retry_after  # seconds, sent as Retry-After (429, 503)


class BadRequest(AppError):
    status, code, message = 400, "bad_request", "请求格式错误"


class Unauthorized(AppError):
    status, code, message = 401, "unauthorized", "未登录或身份凭证无效，请重新登录"


class Forbidden(AppError):
    status, code, message = 403, "forbidden", "没有权限执行此操作"


class NotFound(AppError):
    status, code, message = 404, "not_found", "请求的资源不存在"


class Conflict(AppError):
    status, code, message = 409, "conflict", "与当前数据状态冲突"


class ValidationFailed(AppError):
    status, code, message = 422, "validation_error", "提交的数据有误，请按提示修改"

    @classmethod
    def field(cls, field: str, message: str) -> ValidationFailed:
        return cls(message, {field: [message]})


class TooManyRequests(AppError):
    status, code, message = 429, "too_many_requests", "请求过于频繁，请稍后再试"


class ServiceUnavailable(AppError):
    status, code, message = 503, "service_unavailable", "服务繁忙，请稍后再试"


_HTTP_MESSAGES = {
    400: ("bad_request", "请求格式错误"),
    401: ("unauthorized", "未登录或身份凭证无效，请重新登录"),
    403: ("forbidden", "没有权限执行此操作"),
    404: ("not_found", "请求的资源不存在"),
    405: ("method_not_allowed", "不支持该请求方法"),
    409: ("conflict", "与当前数据状态冲突"),
    413: ("payload_too_large", "上传内容过大"),
    415: ("unsupported_media_type", "不支持的内容类型"),
    422: ("validation_error", "提交的数据有误"),
    429: ("too_many_requests", "请求过于频繁，请稍后再试"),
    500: ("internal_error", "服务器内部错误，请稍后重试"),
    503: ("service_unavailable", "服务繁忙，请稍后再试"),
}


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.path.endswith(".json")


def error_response(status: int, code: str, message: str, details: dict | None = None) -> Response:
    if wants_json():
        body = {"error": {"code": code, "message": message, "details": details or {}}}
        response = jsonify(body)
    else:
        html = render_template("error.html", status=status, message=message, details=details or {})
        response = Response(html, mimetype="text/html")
    response.status_code = status
    return response


def _from_http(exc: HTTPException) -> Response:
    status = exc.code or 500
    code, message = _HTTP_MESSAGES.get(status, ("error", exc.name))
    if status == 413:
        limit = request.max_content_length
        if limit:
            message = f"上传内容过大（上限 {limit // (1024 * 1024)} MB）"
    response = error_response(status, code, message)
    if status == 405 and getattr(exc, "valid_methods", None):
        response.headers["Allow"] = ", ".join(exc.valid_methods)
    return response


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(AppError)
    def _app_error(exc: AppError) -> Response:
        response = error_response(exc.status, exc.code, exc.message, exc.details)
        if exc.retry_after:
            response.headers["Retry-After"] = str(exc.retry_after)
        return response

    @app.errorhandler(SchemaError)
    def _schema_error(exc: SchemaError) -> Response:
        details = exc.normalized_messages()
        return error_response(422, "validation_error", summarise(details), details)

    @app.errorhandler(CSRFError)
    def _csrf_error(exc: CSRFError) -> Response:
        return error_response(400, "csrf_failed", "页面已过期或缺少安全令牌，请刷新页面后重试")

    @app.errorhandler(IntegrityError)
    def _integrity_error(exc: IntegrityError) -> Response:
        log.info("integrity error turned into 409: %s", exc.orig)
        return error_response(409, "conflict", "与已有数据冲突（重复或引用无效），未保存")

    @app.errorhandler(DataError)
    def _data_error(exc: DataError) -> Response:
        # The schemas bound every field; this is the last line should one slip through.
        log.warning("data error turned into 422: %s", exc.orig)
        return error_response(
            422, "validation_error", "提交的数据超出允许范围（过长或过大），未保存"
        )

    @app.errorhandler(RecursionError)
    def _recursion_error(exc: RecursionError) -> Response:
        return error_response(400, "bad_request", "请求数据嵌套过深")

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Response:
        return _from_http(exc)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(500, *_HTTP_MESSAGES[500])


def summarise(details: Any) -> str:
    """A one-line Chinese message naming the first offending field."""
    if isinstance(details, dict) and details:
        field, messages = next(iter(details.items()))
        if isinstance(messages, list) and messages and isinstance(messages[0], str):
            return f"字段 {field}：{messages[0]}"
        if isinstance(messages, dict):
            return f"字段 {field}：{summarise(messages).removeprefix('字段 ')}"
    return ValidationFailed.message
