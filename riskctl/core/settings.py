"""Settings an administrator can change (thresholds, intervals, matrices).

A module defines each setting once (in its ``options.py``) with its Chinese label, default
and kind (``core.setting_kinds``: the validator the API and the settings page share, and
how the page shows it, with unit and bounds); the value in force is the stored one, else
the default. Changes are audited.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import g, has_request_context
from sqlalchemy import String, Text, select
from sqlalchemy.orm import Mapped, mapped_column

from riskctl.core import audit, clock
from riskctl.core.db import UTCDateTime, db
from riskctl.core.errors import NotFound, ValidationFailed
from riskctl.core.setting_kinds import Custom, Kind


class Setting(db.Model):
    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    updated_by: Mapped[str] = mapped_column(String(60))


@dataclass(frozen=True)
class SettingDef:
    key: str
    label: str
    default: Any
    validate: Kind  # returns the cleaned value or raises ValueError(中文); renders the form
    help: str = ""
    section: str = ""  # a heading within its module's form (e.g. a warning rule)
    short: str = ""  # the label under that heading; the full label names it elsewhere

    @property
    def kind(self) -> Kind:
        return self.validate


_DEFS: dict[str, SettingDef] = {}
_OPERATIONS: dict[str, Callable[[Any, str], Any]] = {}


def define(
    key: str,
    label: str,
    default: Any,
    kind: Kind | Callable[[Any], Any],
    help: str = "",
    *,
    section: str = "",
    short: str = "",
) -> SettingDef:
    """A setting, once: its Chinese label, default, kind (the validator the API and the
    page share, and how the page renders it), help text and place on the page."""
    kind = kind if isinstance(kind, Kind) else Custom(kind)
    definition = SettingDef(key, label, default, kind, help, section, short)
    _DEFS.setdefault(key, definition)
    return _DEFS[key]


def definitions() -> list[SettingDef]:
    return sorted(_DEFS.values(), key=lambda d: d.key)


def declared() -> list[SettingDef]:
    """Every setting in the order the modules declared them."""
    return list(_DEFS.values())


def definition(key: str) -> SettingDef | None:
    return _DEFS.get(key)


def get(key: str) -> Any:
    definition = _DEFS[key]
    # A setting never changed has no row, and the session's identity map cannot
    # remember a miss: remember it for the request, so a list asks once, not per use.
    absent = g.setdefault("settings_absent", set()) if has_request_context() else None
    if absent is not None and key in absent:
        return definition.default
    row = db.session.get(Setting, key)
    if row is None:
        if absent is not None:
            absent.add(key)
        return definition.default
    return json.loads(row.value)


def change(key: str, raw: Any, actor: str) -> Any:
    """An administrator's change: through the module's own operation when it registered
    one (:func:`changed_by`), else validated and stored as it is."""
    operation = _OPERATIONS.get(key)
    if operation is not None:
        return operation(raw, actor)
    return store(key, raw, actor)


def changed_by(key: str, operation: Callable[[Any, str], Any]) -> None:
    """``operation(raw, actor)`` makes every change of ``key``: checks that need the
    database live there, and it ends with :func:`store`."""
    _OPERATIONS[key] = operation


def clean(key: str, raw: Any) -> Any:
    """The validated value, or 422 naming the setting."""
    definition = _DEFS.get(key)
    if definition is None:
        raise NotFound(f"没有名为 {key} 的设置项")
    try:
        return definition.validate(raw)
    except (ValueError, TypeError) as exc:
        raise ValidationFailed.field(key, f"{definition.label}：{exc}") from exc


def refuse(key: str, message: str) -> ValidationFailed:
    """A 422 for ``key`` worded like a validator's own refusal."""
    return ValidationFailed.field(key, f"{_DEFS[key].label}：{message}")


def store(key: str, raw: Any, actor: str) -> Any:
    value = clean(key, raw)
    before = get(key)
    if has_request_context():
        g.get("settings_absent", set()).discard(key)
    row = db.session.get(Setting, key) or Setting(key=key)
    row.value, row.updated_at, row.updated_by = (
        json.dumps(value, ensure_ascii=False),
        clock.now(),
        actor,
    )
    db.session.add(row)
    db.session.flush()
    audit.record("setting.change", "setting", key, {"before": before, "after": value})
    return value


def prefetch(*keys: str) -> None:
    """Read ``keys`` in one statement for the request (a list that needs several settings):
    each later :func:`get` of them then asks the database nothing — a row found stays in
    the session (held for the request: the identity map alone keeps no object alive), a
    missing one is remembered as absent."""
    if not has_request_context():
        return
    absent = g.setdefault("settings_absent", set())
    held = g.setdefault("settings_rows", {})
    wanted = [key for key in keys if key not in absent and key not in held]
    if not wanted:
        return
    for row in db.session.scalars(select(Setting).where(Setting.key.in_(wanted))):
        held[row.key] = row
    absent.update(key for key in wanted if key not in held)
