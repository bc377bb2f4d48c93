"""The API's list answers, kept per worker under the data version, and conditional GET.

A view marked :func:`cached` (the main lists) may be answered from a per-process store
of its earlier answers. An answer is kept under everything it depends on:

- the route's path and its whole query string,
- the user asking (their role, unit and scope are rows: a change to them is a write),
- the data version (``core.stamps`` row 2: a new random value in the same transaction as
  any write to the database, ``core.writes``), read by the same statement that
  authenticates the bearer token, so a worker sees another worker's commit at its
  next request,
- the shared stamp (settings, working-day calendar), read by that statement too,
- the business date (``core.clock.today()``: overdue days, deadlines).

Only a 200 answer of a request that wrote nothing is kept: a view that audits (a full
party id searched or shown) writes, so it runs, and audits, every time. A request
whose transaction already wrote is never answered from the store. The hit comes after
the access policy and every other before-request step, before the arguments are read;
the security headers and the request's one commit still follow.

Every answer that may be kept carries a strong ``ETag`` (a hash of its body);
``If-None-Match`` naming it answers 304 with no body, from the store or after the view
ran. ``Cache-Control: private, no-cache`` and ``Vary: Authorization``: a client may keep
it for that token and must ask again.

The store is bounded by RISKCTL_LIST_CACHE_MB (bytes of bodies and headers, least
recently used first out; 0: no store, no ETag). When the data version moves, every
answer kept under an older one is dropped at once (it can never be asked for again).
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from cachetools import LRUCache
from flask import Flask, Response, current_app, g, request

from riskctl.core import clock, stamps, writes

F = TypeVar("F", bound=Callable[..., Any])

_EXTENSION = "riskctl_list_cache"
_KEY_IN_G = "riskctl_list_key"
_SKIPPED = frozenset({"Content-Length", "Set-Cookie"})
CACHE_CONTROL = "private, no-cache"
VARY = "Authorization"  # each user their own answer


def cached(view: F) -> F:
    """The view's 200 answers may be kept and served again (see the module's text)."""
    view.list_cache = True  # type: ignore[attr-defined]
    return view


@dataclass(frozen=True)
class Entry:
    body: bytes
    headers: tuple[tuple[str, str], ...]
    etag: str
    size: int


class Store:
    """The bounded store of one process (threads share it under a lock)."""

    def __init__(self, max_bytes: int) -> None:
        self._entries: LRUCache = LRUCache(maxsize=max_bytes, getsizeof=lambda e: e.size)
        self._lock = threading.Lock()
        self._version: int | None = None
        self.max_bytes = max_bytes

    def get(self, key: tuple) -> Entry | None:
        with self._lock:
            return self._entries.get(key)

    def put(self, key: tuple, entry: Entry) -> None:
        if entry.size > self.max_bytes:
            return
        with self._lock:
            version = key[1]
            if version != self._version:
                # Answers under another version are never asked for again.
                self._entries.clear()
                self._version = version
            self._entries[key] = entry

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def size(self) -> int:
        return self._entries.currsize

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def store(app: Flask | None = None) -> Store | None:
    return (app or current_app).extensions.get(_EXTENSION)


def _key() -> tuple | None:
    """This request's key, or None when nothing may be kept for it."""
    actor = g.get("actor")
    if actor is None:
        return None
    version = stamps.data_current()
    if version is None:
        return None
    return (
        request.path,
        version,
        request.query_string,
        actor.id,
        stamps.current(),
        clock.today(),
    )


def _etag(body: bytes) -> str:
    return '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'


def _matches(etag: str) -> bool:
    # From the WSGI environ: werkzeug's headers answer a missing header by a KeyError
    # raised and caught, on every request that has none.
    wanted = request.environ.get("HTTP_IF_NONE_MATCH")
    if not wanted:
        return False
    if wanted.strip() == "*":
        return True
    return etag in {tag.strip().removeprefix("W/") for tag in wanted.split(",")}


def _not_modified(etag: str) -> Response:
    return Response(
        status=304, headers={"ETag": etag, "Cache-Control": CACHE_CONTROL, "Vary": VARY}
    )


def _serve() -> Response | None:
    """before_request, after the policy: the kept answer, if any."""
    if request.method != "GET" or request.endpoint is None:
        return None
    the_store = store()
    if the_store is None:
        return None
    view = current_app.view_functions.get(request.endpoint)
    if not getattr(view, "list_cache", False) or writes.request_wrote():
        return None
    key = _key()
    if key is None:
        return None
    g.setdefault(_KEY_IN_G, key)
    entry = the_store.get(key)
    if entry is None:
        return None
    g.riskctl_list_hit = True
    if _matches(entry.etag):
        return _not_modified(entry.etag)
    return Response(entry.body, status=200, headers=list(entry.headers))


def _keep(response: Response) -> Response:
    """after_request, before the commit: keep a fresh answer; ETag and 304."""
    key = g.get(_KEY_IN_G)
    if key is None or g.get("riskctl_list_hit"):
        return response
    if response.status_code != 200 or response.is_streamed or writes.request_wrote():
        return response
    the_store = store()
    if the_store is None:
        return response
    body = response.get_data()
    etag = _etag(body)
    response.headers["ETag"] = etag
    response.headers["Cache-Control"] = CACHE_CONTROL
    response.vary.add(VARY)
    headers = tuple((k, v) for k, v in response.headers.items() if k not in _SKIPPED)
    size = len(body) + sum(len(k) + len(v) for k, v in headers) + 200
    the_store.put(key, Entry(body, headers, etag, size))
    if _matches(etag):
        return _not_modified(etag)
    return response


def install(app: Flask) -> None:
    """The store (unless RISKCTL_LIST_CACHE_MB is 0) and its two hooks: call last, after
    every module registered, so the hit runs after every other before-request step and
    the keep before the commit."""
    max_bytes = int(app.config.get("LIST_CACHE_BYTES", 0))
    if max_bytes <= 0:
        return
    app.extensions[_EXTENSION] = Store(max_bytes)
    app.before_request(_serve)
    app.after_request(_keep)
