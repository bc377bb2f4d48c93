"""Thin-HTTP helpers: parse a JSON body with a schema, paginate, document a route."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, TypeVar

from flask import request
from marshmallow import Schema
from sqlalchemy import Select

from riskctl.core.counting import count_rows
from riskctl.core.db import db
from riskctl.core.errors import BadRequest

F = TypeVar("F", bound=Callable[..., Any])

MAX_PER_PAGE = 200
# Far past the last page of any list, and (page - 1) × per_page fits every OFFSET.
MAX_PAGE = 1_000_000
_INTEGER = re.compile(r"[+-]?[0-9]{1,12}")


def json_body(schema: Schema, *, partial: bool = False) -> dict[str, Any]:
    """The request body loaded through ``schema``; 400 unless it is a JSON object."""
    payload = request.get_json(silent=True)
    if payload is None:
        raise BadRequest("请求体不是合法的 JSON（需要 Content-Type: application/json）")
    if not isinstance(payload, dict):
        raise BadRequest("请求体必须是 JSON 对象")
    return schema.load(payload, partial=partial)


def page_args() -> tuple[int, int]:
    """``?page=&per_page=``, bounded: 400 naming the parameter otherwise."""
    page = int_arg("page", 1, lo=1, hi=MAX_PAGE)
    per_page = int_arg("per_page", 50, lo=1, hi=2**31 - 1)
    return page, min(per_page, MAX_PER_PAGE)


def int_arg(
    name: str, default: int | None = None, *, lo: int = 1, hi: int = 2**31 - 1
) -> int | None:
    """The integer query parameter ``name`` in ``lo``–``hi`` (an id by default), or ``default``."""
    raw = request.args.get(name, "").strip()
    if not raw:
        return default
    if not _INTEGER.fullmatch(raw):
        raise BadRequest(f"参数 {name} 应为 {lo} 到 {hi} 之间的整数", {name: ["应为整数"]})
    value = int(raw)
    if not lo <= value <= hi:
        raise BadRequest(f"参数 {name} 应为 {lo} 到 {hi} 之间的整数", {name: ["超出范围"]})
    return value


def paginate(query: Select, schema: Schema) -> dict[str, Any]:
    """The api.md list shape for ``query``."""
    page, per_page = page_args()
    total, estimated = count_rows(query)
    rows = db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)).all()
    body = {
        "items": schema.dump(rows, many=True),
        "total": total,
        "page": page,
        "per_page": per_page,
    }
    if estimated:  # more than counting.EXACT_UP_TO matches: "about total"
        body["total_estimated"] = True
    return body


def doc(
    summary: str,
    *,
    body: type[Schema] | None = None,
    response: type[Schema] | None = None,
    status: int = 200,
    tags: tuple[str, ...] = (),
    upload: bool = False,
) -> Callable[[F], F]:
    """Attach OpenAPI metadata to a view (read by ``riskctl.core.openapi``)."""

    def decorate(view: F) -> F:
        view.api_doc = {  # type: ignore[attr-defined]
            "summary": summary,
            "body": body,
            "response": response,
            "status": status,
            "tags": tags,
            "upload": upload,
        }
        return view

    return decorate


def upload_limit(max_bytes_config: str) -> Callable[[F], F]:
    """Raise the request size cap for a view from a config key (e.g. rosters)."""

    def decorate(view: F) -> F:
        view.upload_limit_config = max_bytes_config  # type: ignore[attr-defined]
        return view

    return decorate
