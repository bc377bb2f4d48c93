"""What an import will do, row by row: the rows it adds, the rows it changes (each changed
field with its old and new value) and the rows it deactivates.

Each import builds a :class:`Preview` from its own comparison; the pages show it with the
``import_preview`` macro. A section keeps at most ``SHOWN`` rows and counts the rest
("另有 N 行"), so a 100,000-row file previews in bounded memory.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

SHOWN = 200
KINDS = {"new": "新增", "changed": "修改", "deactivated": "停用或移出"}


def shown(value: Any) -> str:
    """A value as a person reads it in a preview: 是/否, dates, lists joined; blank as —."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "；".join(shown(v) for v in value)
    return str(value)


@dataclass(frozen=True)
class Change:
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class Entry:
    key: str
    name: str
    row: int | None = None
    changes: tuple[Change, ...] = ()


@dataclass
class Section:
    kind: str
    entries: list[Entry] = field(default_factory=list)
    total: int = 0

    @property
    def label(self) -> str:
        return KINDS[self.kind]

    @property
    def more(self) -> int:
        return self.total - len(self.entries)

    def add(self, entry: Entry) -> None:
        self.total += 1
        if len(self.entries) < SHOWN:
            self.entries.append(entry)

    def count(self, n: int = 1) -> None:
        """Rows counted but not listed (the caller knows they are past ``SHOWN``)."""
        self.total += n


@dataclass
class Preview:
    new: Section = field(default_factory=lambda: Section("new"))
    changed: Section = field(default_factory=lambda: Section("changed"))
    deactivated: Section = field(default_factory=lambda: Section("deactivated"))
    unchanged: int = 0
    deactivates: bool = True  # False: the import never deactivates (its section is left out)

    @property
    def sections(self) -> list[Section]:
        kept = [self.new, self.changed]
        return [*kept, self.deactivated] if self.deactivates else kept

    @property
    def empty(self) -> bool:
        return not any(s.total for s in self.sections)

    def summary(self) -> str:
        """新增 3，修改 2，停用或移出 1 — for the list of imports waiting."""
        parts = [f"{s.label} {s.total}" for s in self.sections if s.total]
        return "，".join(parts) or "无变化"


def changes(
    labels: Mapping[str, str], old: Mapping[str, Any], new: Mapping[str, Any]
) -> tuple[Change, ...]:
    """The fields of ``labels`` whose shown value differs, in the labels' order."""
    found = []
    for name, label in labels.items():
        if name not in new:
            continue
        before, after = shown(old.get(name)), shown(new.get(name))
        if before != after:
            found.append(Change(label, before, after))
    return tuple(found)
