"""Every route, with hostile values in every field its schema declares, answers below 500.

The routes come from the URL map, the fields from each API route's documented
marshmallow body schema (introspected, nested schemas included), the page forms'
fields from every WTForms form class, and the query parameters from the filter
schemas. Each request changes one field of an otherwise plausible body to a value
of issue 13: 10**30, 1e30, a lone surrogate, a NUL, 100,000 characters, the year 1
or 9999; and every route gets ?page=99999999999999999999, JSON nested 100,000 deep
and a 10**30 id. Every upload route (and every page form, which may take a file) gets
a file whose name holds a NUL, a control character or 100,000 characters. The demo
data set gives the routes real objects to act on.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask_wtf import FlaskForm
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from riskctl.accounts import operations as accounts
from riskctl.accounts.models import Unit
from riskctl.core.auth.policy import policy_of
from riskctl.core.db import db
from riskctl.core.schema import BaseSchema
from riskctl.inspections.models import InspectionItem, Plan
from riskctl.leniency.models import LeniencyItem
from riskctl.reviews.models import Campaign
from tests.conftest import csrf_token
from tests.demo_data import load_demo
from tests.factories import PASSWORD

HUGE = 10**30
HUGE_TEXT = "99999999999999999999"
ROLE_ORDER = ("legal", "discipline", "admin", "officer", "leader", "auditor")
INT_VALUES = (HUGE, -HUGE, 2**31)
NUMBER_VALUES = (1e30, -1e30, "1e30")
TEXT_VALUES = ("\ud800x", "\x00", "x" * 100_000)
DATE_VALUES = ("0001-01-01", "9999-12-31")
DEEP = "[" * 100_000 + "]" * 100_000
# A file every upload accepts by content (a PDF) under a hostile name.
UPLOAD = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
UPLOAD_NAMES = ("\x00.pdf", "证据\x1b.pdf", "x" * 100_000 + ".pdf")


def _subclasses(cls: type) -> Iterator[type]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _plausible(field: fields.Field, name: str, known: dict[str, str]) -> Any:
    choices = [v for v in field.validators if isinstance(v, validate.OneOf)]
    if choices:
        return next(iter(choices[0].choices))
    if name in known:
        return known[name]
    if isinstance(field, fields.Nested):
        return _body(field.schema, known)
    if isinstance(field, fields.Boolean):
        return False
    if isinstance(field, fields.Integer | fields.Float | fields.Decimal):
        ranges = [v for v in field.validators if isinstance(v, validate.Range) and v.min]
        return ranges[0].min if ranges else 1
    if isinstance(field, fields.DateTime):
        return "2026-06-01T08:00:00+08:00"
    if isinstance(field, fields.Date):
        return "2026-06-01"
    if isinstance(field, fields.List):
        return []
    if isinstance(field, fields.Dict):
        return {}
    return "巡查测试"


def _loadable(schema: Schema) -> dict[str, fields.Field]:
    return {(f.data_key or name): f for name, f in schema.fields.items() if not f.dump_only}


def _body(schema: Schema, known: dict[str, str]) -> dict[str, Any]:
    return {key: _plausible(f, key, known) for key, f in _loadable(schema).items()}


def _hostile_values(field: fields.Field) -> tuple[Any, ...]:
    if isinstance(field, fields.Integer):
        return INT_VALUES
    if isinstance(field, fields.Float | fields.Decimal):
        return NUMBER_VALUES
    if isinstance(field, fields.DateTime):
        return tuple(f"{d}T00:00:00" for d in DATE_VALUES)
    if isinstance(field, fields.Date):
        return DATE_VALUES
    if isinstance(field, fields.String):
        return TEXT_VALUES
    if isinstance(field, fields.List):
        inner = _hostile_values(field.inner) if not isinstance(field.inner, fields.Nested) else ()
        return (*([v] for v in inner[:2]), [[HUGE]])
    if isinstance(field, fields.Dict | fields.Raw):
        return ({"A": HUGE, "B": 1e30, "C": "\ud800"}, HUGE, 1e30, "\ud800", [HUGE])
    return ()


def _variants(schema: Schema, known: dict[str, str]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(path, body): a plausible body with one leaf made hostile, for every leaf."""
    base = _body(schema, known)
    for key, field in _loadable(schema).items():
        if isinstance(field, fields.Nested):
            for path, inner in _variants(field.schema, known):
                value = [inner] if field.many else inner
                yield f"{key}.{path}", {**base, key: value}
            continue
        if isinstance(field, fields.List) and isinstance(field.inner, fields.Nested):
            for path, inner in _variants(field.inner.schema, known):
                yield f"{key}[0].{path}", {**base, key: [inner]}
            continue
        for value in _hostile_values(field):
            yield key, {**base, key: value}


def _form_fields() -> set[str]:
    names: set[str] = set()
    for form in _subclasses(FlaskForm):
        names.update(n for n, v in vars(form).items() if hasattr(v, "field_class"))
    for schema in _subclasses(BaseSchema):
        names.update(_loadable(schema()).keys())
    return names - {"csrf_token"}


def _query_names() -> set[str]:
    names = {"page", "per_page", "unit_id", "start", "end", "year", "quarter", "q", "as_of"}
    for schema in _subclasses(BaseSchema):
        if "Filter" in schema.__name__:
            names.update(_loadable(schema()).keys())
    return names


def _known_values() -> dict[str, str]:
    first = lambda column: db.session.scalar(select(column).limit(1)) or "无"  # noqa: E731
    return {
        "unit": first(Unit.code),
        "item_code": first(LeniencyItem.code),
        "username": "sweep_legal",
        "party_id": "91410100MA44XXXX0X",
        "officers": [],
    }


def _codes() -> dict[str, str]:
    first = lambda column: db.session.scalar(select(column).limit(1)) or "无"  # noqa: E731
    return {
        "plans": first(Plan.code),
        "inspections": first(Plan.code),
        "campaigns": first(Campaign.code),
        "items": first(InspectionItem.code),
        "leniency": first(LeniencyItem.code),
    }


def _url(rule, codes: dict[str, str]) -> str:
    def fill(match: re.Match) -> str:
        spec = match.group(1)
        if spec.startswith("int:"):
            return codes.get(spec[4:], "1")
        if spec.startswith("any("):
            return spec[4 : spec.index(")")].split(",")[0].strip()
        before = rule.rule[: match.start()]
        for word, code in codes.items():
            if word in before:
                return code
        return "x"

    return re.sub(r"<([^>]+)>", fill, rule.rule)


class Sweep:
    def __init__(self, app, clients: dict[str | None, Any], tokens: dict[str, str]):
        self.app, self.clients, self.tokens = app, clients, tokens
        self.failures: list[str] = []
        self.requests = 0
        self.statuses: dict[int, int] = {}
        self.csrf = {role: csrf_token(c) for role, c in clients.items() if role is not None}

    def send(self, role: str | None, method: str, url: str, note: str, **kwargs: Any) -> None:
        client = self.clients[role]
        if url.startswith("/api/") and role is not None:
            kwargs.setdefault("headers", {})["Authorization"] = f"Bearer {self.tokens[role]}"
        elif method != "GET" and role is not None:
            kwargs.setdefault("headers", {})["X-CSRFToken"] = self.csrf[role]
        response = getattr(client, method.lower())(url, **kwargs)
        self.requests += 1
        self.statuses[response.status_code] = self.statuses.get(response.status_code, 0) + 1
        if response.status_code >= 500:
            self.failures.append(f"{method} {url} [{role}] {note} → {response.status_code}")
        # A route that ended the sweep's own token or session would hide every route after it.
        signed_out = response.status_code == 401 or (
            response.status_code == 302 and "/login" in (response.location or "")
        )
        if role is not None and signed_out:
            self.failures.append(f"{method} {url} [{role}] {note} → signed out")
        # The database's own refusal is the last line, not the bound: the field is unnamed.
        if response.status_code == 422 and "超出允许范围（过长或过大）" in response.get_data(
            as_text=True
        ):
            self.failures.append(f"{method} {url} [{role}] {note} → refused by the database")


def _role(endpoint: str) -> str | bool | None:
    policy = policy_of(endpoint)
    if policy is None:
        return False
    if policy.public:
        return None
    return next((r for r in ROLE_ORDER if r in policy.roles), False)


# The sweep runs in CHUNKS tests (every CHUNKS-th route from the sorted URL map each), so
# that xdist spreads its ~1,800 requests over the workers; each starts from the demo data.
CHUNKS = 12


def _swept(app) -> list[tuple[Any, str | None]]:
    """(rule, role) of every route the sweep visits, sorted by URL: the role signs in."""
    swept = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        role = _role(rule.endpoint)
        if rule.endpoint == "static" or role is False or rule.rule == "/logout":
            continue
        swept.append((rule, role))
    return swept


def _sweep_route(sweep: Sweep, rule, role, plan: dict[str, Any]) -> None:
    url = _url(rule, plan["codes"])
    doc = _declared(sweep.app.view_functions[rule.endpoint])
    for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
        if method == "GET":
            _sweep_get(sweep, role, url, plan["query_names"])
        elif doc.get("upload"):
            # Spreadsheet contents: tests/test_hostile_imports.py; here the names.
            _sweep_upload(sweep, role, method, url)
        elif url.startswith("/api/"):
            _sweep_json(sweep, role, method, url, doc.get("body"), plan["known"])
        else:
            _sweep_form(sweep, role, method, url, plan["form_names"])
            _sweep_upload(sweep, role, method, url)
        if "<int:" in rule.rule:
            huge = re.sub(r"<int:[^>]+>", HUGE_TEXT, rule.rule)
            sweep.send(role, method, _url_from(huge, rule, plan["codes"]), "id 10**30")


def _plan() -> dict[str, Any]:
    return {
        "known": _known_values(),
        "codes": _codes(),
        "form_names": _form_fields(),
        "query_names": _query_names(),
    }


class Count(Sweep):
    """A sweep that only counts the requests it would send."""

    def __init__(self, app):
        self.app, self.requests = app, 0

    def send(self, *args: Any, **kwargs: Any) -> None:
        self.requests += 1


def test_the_sweep_covers_every_route_with_over_1000_requests(app):
    swept = _swept(app)
    chunks = [swept[chunk::CHUNKS] for chunk in range(CHUNKS)]
    # Every chunk has routes, and together they visit each swept route once.
    assert all(chunks)
    assert sum(len(chunk) for chunk in chunks) == len(swept)
    count, plan = Count(app), _plan()
    for rule, role in swept:
        _sweep_route(count, rule, role, plan)
    assert count.requests > 1000


@pytest.mark.parametrize("chunk", range(CHUNKS))
def test_no_route_answers_hostile_input_with_a_5xx(app, chunk):
    load_demo(app)
    squad = db.session.scalar(select(Unit.code).where(Unit.code.like("%-%")).limit(1))
    # Revoking "token 1" must not revoke the sweep's own credentials half-way through.
    decoy = accounts.issue_token("jiwei")
    tokens = {}
    for role in ROLE_ORDER:
        accounts.create_user(
            f"sweep_{role}", role, role, PASSWORD, squad if role == "officer" else None
        )
        tokens[role] = accounts.issue_token(f"sweep_{role}")
    db.session.commit()
    clients: dict[str | None, Any] = {None: app.test_client()}
    for role in ROLE_ORDER:
        clients[role] = app.test_client()
        login = {"username": f"sweep_{role}", "password": PASSWORD}
        clients[role].post("/login", data={**login, "csrf_token": csrf_token(clients[role])})
    sweep = Sweep(app, clients, tokens)
    plan = _plan()
    plan["codes"]["token_id"] = str(_token_id(decoy))

    for rule, role in _swept(app)[chunk::CHUNKS]:
        _sweep_route(sweep, rule, role, plan)
    print(sweep.statuses, *sweep.failures, sep="\n")
    assert sweep.requests > 0
    assert sweep.failures == []


def _declared(view) -> dict[str, Any]:
    """The body schema and upload flag a view declares to flask-smorest."""
    declared: dict[str, Any] = {}
    parameters = getattr(view, "_apidoc", {}).get("arguments", {}).get("parameters", [])
    for parameter in parameters:
        schema = parameter.get("schema")
        if parameter.get("in") == "json":
            declared["body"] = schema if isinstance(schema, type) else type(schema)
        if parameter.get("in") == "files":
            declared["upload"] = True
    return declared


def _url_from(text: str, rule, codes: dict[str, str]) -> str:
    class _Rule:
        pass

    fake = _Rule()
    fake.rule = text
    return _url(fake, codes)


def _sweep_get(sweep: Sweep, role, url: str, names: set[str]) -> None:
    sweep.send(role, "GET", url, "page", query_string={"page": HUGE_TEXT})
    sweep.send(role, "GET", url, "per_page", query_string={"per_page": HUGE_TEXT})
    for value in (HUGE_TEXT, "0001-01-01", "\x00" + "x" * 5000):
        sweep.send(
            role, "GET", url, f"query {value[:10]!r}", query_string=dict.fromkeys(names, value)
        )


def _sweep_json(sweep: Sweep, role, method: str, url: str, body, known) -> None:
    sweep.send(role, method, url, "deep", data=DEEP, content_type="application/json")
    if body is None:
        sweep.send(
            role,
            method,
            url,
            "surrogate",
            data='{"value": "\\ud800"}',
            content_type="application/json",
        )
        return
    for path, payload in _variants(body(), known):
        sweep.send(
            role,
            method,
            url,
            f"{path}={_short(payload, path)}",
            data=json.dumps(payload),
            content_type="application/json",
        )


def _short(payload: dict, path: str) -> str:
    value = payload.get(path.split(".")[0].split("[")[0])
    return repr(value)[:30]


def _sweep_form(sweep: Sweep, role, method: str, url: str, names: set[str]) -> None:
    for value in (HUGE_TEXT, "1e30", "0001-01-01", "9999-12-31", "\x00", "x" * 100_000):
        sweep.send(role, method, url, f"form {value[:10]!r}", data=dict.fromkeys(names, value))


def _sweep_upload(sweep: Sweep, role, method: str, url: str) -> None:
    for name in UPLOAD_NAMES:
        sweep.send(
            role,
            method,
            url,
            f"file name {name[:10]!r}",
            data={"file": (io.BytesIO(UPLOAD), name), "reason": "巡查测试", "text": "巡查测试"},
            content_type="multipart/form-data",
        )


def _token_id(token: str) -> int:
    from riskctl.accounts.models import ApiToken

    return db.session.scalar(
        select(ApiToken.id).where(ApiToken.token_hash == accounts._token_digest(token))
    )
