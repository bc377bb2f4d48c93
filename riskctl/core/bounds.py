"""Bounds that every input meets before it reaches the database or the CPU.

Numbers fit the database's integer columns, dates lie in the years the bureau's
records can have, a JSON body is neither deeper than :data:`MAX_JSON_DEPTH` nor
holds a lone UTF-16 surrogate (PostgreSQL cannot store one), and an id in a URL is
one a table can hold. Schemas apply the field bounds (``core.schema``); this module
guards the JSON parser and the URL converter for the whole app.
"""

from __future__ import annotations

import json
import math
import re
from datetime import date
from typing import Any

from flask import Flask, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.routing import IntegerConverter

from riskctl.core.errors import BadRequest, ValidationFailed

INT32 = (-(2**31), 2**31 - 1)
INT64 = (-(2**63), 2**63 - 1)
# Amounts, scores and ratios: far beyond any real value, well inside what a
# Decimal quantizes and a NUMERIC column holds.
MAX_ABS_NUMBER = 10**12
DATE_RANGE = (date(2000, 1, 1), date(2100, 12, 31))
MAX_JSON_DEPTH = 32

_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89abcdefABCDEF]")
SURROGATE_MESSAGE = "含有无效的 Unicode 字符（孤立的代理项），请删除后重试"


def date_error(value: date, lo: date = DATE_RANGE[0], hi: date = DATE_RANGE[1]) -> str | None:
    """The Chinese message for a date outside ``lo``–``hi``, or None."""
    if lo <= value <= hi:
        return None
    return f"日期 {value.isoformat()} 超出允许范围（{lo.isoformat()} 至 {hi.isoformat()}）"


def has_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


class BoundedJSONProvider(DefaultJSONProvider):
    """Flask's JSON, refusing what the rest of the service cannot hold.

    Refusals raise the service's typed errors, which ``request.get_json`` lets
    through even with ``silent=True``: the client learns what was wrong.
    """

    # Real characters, not \u escapes (Flask 3 ignores the JSON_AS_ASCII setting).
    ensure_ascii = False

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return loads(s, **kwargs)


def loads(s: str | bytes, **kwargs: Any) -> Any:
    """JSON, bounded: a request body, or JSON typed into a form (a rubric, a setting).

    Raises json.JSONDecodeError for bad syntax and an AppError for a broken bound.
    """
    data = s.encode("utf-8", "surrogatepass") if isinstance(s, str) else bytes(s)
    too_deep = _too_deep(data)
    if too_deep:
        raise BadRequest(_DEPTH_MESSAGE)
    try:
        value = json.loads(s, parse_constant=_refuse_constant, parse_float=_finite_float, **kwargs)
    except RecursionError:
        raise BadRequest(_DEPTH_MESSAGE) from None
    if too_deep is None and _depth(value) > MAX_JSON_DEPTH:
        raise BadRequest(_DEPTH_MESSAGE)
    if _SURROGATE_ESCAPE.search(data):
        path = _surrogate_path(value, "")
        if path is not None:
            raise ValidationFailed.field(path or "请求体", SURROGATE_MESSAGE)
    return value


_DEPTH_MESSAGE = f"JSON 嵌套层数超过 {MAX_JSON_DEPTH} 层的上限"


def _too_deep(data: bytes) -> bool | None:
    """Whether the brackets nest deeper than allowed; None when they cannot tell.

    Peels innermost ``[]``/``{}`` pairs, a level per pass, at C speed, so a
    64 MB manifest costs a tenth of a second. Brackets inside strings may leave a
    residue that never peels: then the parsed value is measured (`_depth`).
    """
    brackets = data.translate(None, _NOT_BRACKETS)
    if len(brackets) <= 2 * MAX_JSON_DEPTH:
        return False  # a level takes an opening and a closing bracket
    for _ in range(MAX_JSON_DEPTH):
        shorter = brackets.replace(b"[]", b"").replace(b"{}", b"")
        if len(shorter) == len(brackets):
            return None if shorter else False
        brackets = shorter
    return bool(brackets)


def _depth(value: Any) -> int:
    """How deep lists and objects nest in ``value``, counted without recursion."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if not isinstance(item, dict | list):
            continue
        children = item.values() if isinstance(item, dict) else item
        deepest = max(deepest, level)
        if deepest > MAX_JSON_DEPTH:
            break
        stack.extend((c, level + 1) for c in children if isinstance(c, dict | list))
    return deepest


def _refuse_constant(name: str) -> float:
    raise BadRequest(f"JSON 中不允许 {name}，数值须为有限的数字")


def _finite_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise BadRequest(f"JSON 中的数值 {text[:20]} 超出范围")
    return number


def _surrogate_path(value: Any, path: str) -> str | None:
    """The path of the first key or string holding a lone surrogate, or None."""
    if isinstance(value, str):
        return path if has_surrogate(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if has_surrogate(str(key)):
                return where.encode("utf-8", "replace").decode("utf-8")
            found = _surrogate_path(item, where)
            if found is not None:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = _surrogate_path(item, f"{path}[{index}]")
            if found is not None:
                return found
    return None


class IdConverter(IntegerConverter):
    """``<int:…>`` in a route: an id a table's integer key can hold, else 404."""

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", INT32[1])
        super().__init__(map, *args, **kwargs)


def _refuse_nul() -> None:
    """A NUL in a query or form value is refused: PostgreSQL text cannot hold one.

    Runs after the access and CSRF checks, so a stranger's upload is not parsed.
    """
    req = request._get_current_object()  # type: ignore[attr-defined]  (one proxy lookup)
    # No query string: no parameters to parse.
    sources = [("参数", req.args)] if req.environ.get("QUERY_STRING") else []
    if req.method in ("POST", "PUT", "PATCH") and not req.is_json:
        if req.mimetype == "application/x-www-form-urlencoded":
            req.get_data()  # kept, for a view that reads the body itself (draw verify)
        sources.append(("表单字段", req.form))
    for label, values in sources:
        for key, value in values.items(multi=True):
            if "\x00" in key or (isinstance(value, str) and "\x00" in value):
                name = key.replace("\x00", "")
                raise BadRequest(f"{label} {name} 含有空字符（\\x00）", {name: ["含有空字符"]})


def install(app: Flask) -> None:
    app.json = BoundedJSONProvider(app)
    app.url_map.converters["int"] = IdConverter
    app.before_request(_refuse_nul)
