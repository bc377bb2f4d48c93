"""The demo data set (``flask demo``) for tests that need a populated bureau.

Loading the demo runs every module's loader, hashes passwords and issues a report: it
was several seconds per test. ``load_demo(app)`` runs the real command the first time in
a worker (for the bureau's date and the storage backend in force), keeps a copy of every
row and stored file, and later writes that copy back into the emptied database instead:
the same rows, ids, files and audit chain as the command left. ``tests/web/test_demo.py``
still runs the command itself every time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import Integer, select, text

from riskctl.core import clock
from riskctl.core.db import db

# Where the filesystem backend keeps the files of each storage area.
FILE_ROOTS = ("ATTACHMENTS_DIR", "REPORTS_DIR")


@dataclass(frozen=True)
class Copy:
    rows: dict[str, list[dict[str, Any]]]
    sqlite_sequence: list[tuple[str, int]]
    files: dict[Path, bytes]


_copies: dict[tuple[date, str], Copy] = {}


def load_demo(app: Flask) -> None:
    """The demo data set in the (empty) test database, committed."""
    key = (clock.today(), app.config["STORAGE"])
    copy = _copies.get(key)
    if copy is None:
        result = app.test_cli_runner().invoke(args=["demo"])
        assert result.exit_code == 0, result.output
        _copies[key] = take(app)
    else:
        restore(copy)


def take(app: Flask, files: bool = True) -> Copy:
    """A copy of every row (and, with ``files``, every stored file) of the test database."""
    db.session.remove()
    rows: dict[str, list[dict[str, Any]]] = {}
    sequence: list[tuple[str, int]] = []
    with db.engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            query = select(table).order_by(*table.primary_key.columns)
            rows[table.name] = [dict(row._mapping) for row in conn.execute(query)]
        if (
            conn.dialect.name == "sqlite"
            and conn.execute(
                text("SELECT name FROM sqlite_master WHERE name='sqlite_sequence'")
            ).first()
        ):
            sequence = [
                tuple(r) for r in conn.execute(text("SELECT name, seq FROM sqlite_sequence"))
            ]
    stored = {}
    for root in FILE_ROOTS if files else ():
        for path in Path(app.config[root]).rglob("*"):
            if path.is_file():
                stored[path] = path.read_bytes()
    return Copy(rows, sequence, stored)


def restore(copy: Copy) -> None:
    """Write ``copy`` back into the emptied database (same ids, sequences moved on)."""
    db.session.remove()
    with db.engine.begin() as conn:
        for table in db.metadata.sorted_tables:
            if copy.rows[table.name]:
                conn.execute(table.insert(), copy.rows[table.name])
        if conn.dialect.name == "postgresql":
            # Ids given explicitly leave the sequences behind: move each to its table's max
            # (one statement for all of them).
            moves = [
                f'setval(\'{sequence}\', (SELECT max("{column}") FROM "{table}"))'
                for table, column, sequence in _serial_sequences(conn)
                if copy.rows[table]
            ]
            if moves:
                conn.exec_driver_sql("SELECT " + ", ".join(moves))
        for name, seq in copy.sqlite_sequence:
            conn.execute(
                text("INSERT INTO sqlite_sequence (name, seq) VALUES (:n, :s)"),
                {"n": name, "s": seq},
            )
    for path, data in copy.files.items():
        if not path.is_file() or path.read_bytes() != data:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)


_sequences: list[tuple[str, str, str]] = []


def _serial_sequences(conn) -> list[tuple[str, str, str]]:
    """(table, column, sequence) of every table whose key is one serial integer column
    (PostgreSQL; the schema is the same for the whole run: looked up once)."""
    if not _sequences:
        for table in db.metadata.sorted_tables:
            keys = list(table.primary_key.columns)
            if len(keys) == 1 and isinstance(keys[0].type, Integer):
                sequence = conn.execute(
                    text("SELECT pg_get_serial_sequence(:t, :c)"),
                    {"t": table.name, "c": keys[0].name},
                ).scalar()
                if sequence is not None:
                    _sequences.append((table.name, keys[0].name, sequence))
    return _sequences
