"""The shared stamp: what lets a worker keep a per-process cache of rarely changed data.

One row (the table kept its first user's name, ``calendar_stamp``) holds a random
version that moves, in the same transaction, whenever data a worker caches changes:
a loaded working-day schedule (``core.calendar``) or a setting (``core.settings``).
A cache is kept with the version it was built under and used only while the version
read for this request is the same, so every worker on every host sees a change at its
next request.

A request reads the version once: the API's bearer-token statement carries it
(:func:`column`, then :func:`seen`), anything else asks on first use (:func:`current`).
Outside a request every :func:`current` asks the database.

A second row (id 2) is the data version: a new random value in the same transaction as
any write to the database at all (``core.writes`` moves it at every commit that wrote;
nobody calls it by hand). The API's list cache (``core.listcache``) keeps answers under
it; the bearer-token statement reads it beside the shared stamp (:func:`data_column`,
:func:`data_seen`). No row yet (an emptied database): None, and nothing is cached.
"""

from __future__ import annotations

import secrets

from flask import g, has_request_context
from sqlalchemy import BigInteger, Integer, ScalarSelect, insert, select, update
from sqlalchemy.orm import Mapped, mapped_column

from riskctl.core.db import db

ROW = 1
DATA_ROW = 2
_IN_G = "riskctl_stamp"
_DATA_IN_G = "riskctl_data_version"


class Stamp(db.Model):
    """One row: the version of what every worker may cache, a new random value at every
    change."""

    __tablename__ = "calendar_stamp"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(BigInteger, default=0)


_READ = select(Stamp.version).where(Stamp.id == ROW)
_READ_DATA = select(Stamp.version).where(Stamp.id == DATA_ROW)


def column() -> ScalarSelect:
    """The version as a column of another statement (the bearer token's)."""
    return _READ.scalar_subquery()


def seen(version: int | None) -> None:
    """The version this request read within another statement."""
    if has_request_context():
        setattr(g, _IN_G, version or 0)


def current() -> int:
    """The version in force for this request (read once), or now (outside a request)."""
    in_request = has_request_context()
    if in_request:
        version = g.get(_IN_G)
        if version is not None:
            return version
    version = db.session.scalar(_READ) or 0
    if in_request:
        setattr(g, _IN_G, version)
    return version


def bump(connection=None) -> int:
    """A new version, in the current transaction (on ``connection`` during a flush).

    A fresh random value rather than +1: a change rolled back after some worker saw its
    version must not leave that worker a cache that a later change's version would match.
    """
    version = secrets.randbits(62) + 1
    execute = connection.execute if connection is not None else db.session.execute
    moved = execute(update(Stamp).where(Stamp.id == ROW).values(version=version))
    if not moved.rowcount:
        execute(insert(Stamp).values(id=ROW, version=version))
    seen(version)
    return version


def data_column() -> ScalarSelect:
    """The data version as a column of another statement (the bearer token's)."""
    return _READ_DATA.scalar_subquery()


def data_seen(version: int | None) -> None:
    """The data version this request read within another statement (None: no row)."""
    if has_request_context():
        setattr(g, _DATA_IN_G, (version,))


def data_current() -> int | None:
    """The data version for this request (read once), or now (outside a request); None
    while the row does not exist."""
    in_request = has_request_context()
    if in_request:
        held = g.get(_DATA_IN_G)
        if held is not None:
            return held[0]
    version = db.session.scalar(_READ_DATA)
    if in_request:
        setattr(g, _DATA_IN_G, (version,))
    return version
