"""Settings an administrator can change (thresholds, intervals, matrices).

A module defines each setting once (in its ``options.py``) with its Chinese label, default
and kind (``core.setting_kinds``: the validator the API and the settings page share, and
how the page shows it, with unit and bounds); the value in force is the stored one, else
the default. Changes are audited.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import String, Text, event, select
from sqlalchemy.orm import Mapped, mapped_column

from riskctl.core import audit, clock, stamps
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
    """The value in force: the stored one, else the default (a fresh object each time)."""
    raw = _stored().get(key)
    return _DEFS[key].default if raw is None else json.loads(raw)


# database engine -> (stamp version, every stored value as JSON text under that version)
_cache: dict[Any, tuple[int, dict[str, str]]] = {}
_cache_lock = threading.Lock()
_READ_ALL = select(Setting.key, Setting.value)


def _stored() -> dict[str, str]:
    """Every stored value, as of the shared stamp this request read: the table is read
    again only when the stamp has moved (a change on any worker moves it)."""
    version = stamps.current()
    engine = db.engine
    cached = _cache.get(engine)
    if cached is not None and cached[0] == version:
        return cached[1]
    values = {key: value for key, value in db.session.execute(_READ_ALL)}
    with _cache_lock:
        _cache[engine] = (version, values)
    return values


@event.listens_for(Setting, "after_insert")
@event.listens_for(Setting, "after_update")
@event.listens_for(Setting, "after_delete")
def _moved(_mapper, connection, _target) -> None:
    # Any write of a setting moves the shared stamp in its own transaction: every worker
    # reads the settings again at its next request (this one at its next get).
    stamps.bump(connection)


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
    row = db.session.get(Setting, key) or Setting(key=key)
    row.value, row.updated_at, row.updated_by = (
        json.dumps(value, ensure_ascii=False),
        clock.now(),
        actor,
    )
    db.session.add(row)
    db.session.flush()  # moves the shared stamp (``_moved``)
    audit.record("setting.change", "setting", key, {"before": before, "after": value})
    _stored()  # this worker's cache follows at once (under the new version)
    return value


def prefetch(*keys: str) -> None:
    """Make sure the settings are at hand for the request (a list that needs several):
    all of them are read in one statement when the shared stamp has moved, and each
    later :func:`get` asks the database nothing."""
    _stored()
