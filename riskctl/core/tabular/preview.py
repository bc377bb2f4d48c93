"""What an import will do, row by row: the rows it adds, the rows it changes (each changed
field with its old and new value) and the rows it deactivates.

Each import builds a :class:`Preview` from its own comparison; the pages show it with the
``import_preview`` macro. A section keeps at most ``SHOWN`` rows and counts the rest
("另有 N 行"), so a 100,000-row file previews in bounded memory. The same builder with
``limit=None`` (``Preview(cap=None)``) lists every row: the downloadable full preview
(``preview_xlsx``: one line per changed field, Chinese headers, cells through
``safe_cell``), served from the list of imports waiting (``core.storage.staging``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from riskctl.core.tabular.writing import write_xlsx

SHOWN = 200
CHUNK = 1000  # rows looked up per query (bounded IN lists)
T = TypeVar("T")
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
    cap: int | None = SHOWN  # None: every row is listed (the full preview)

    @property
    def label(self) -> str:
        return KINDS[self.kind]

    @property
    def more(self) -> int:
        return self.total - len(self.entries)

    def add(self, entry: Entry) -> None:
        self.total += 1
        if self.cap is None or len(self.entries) < self.cap:
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
    cap: int | None = SHOWN  # rows listed per section; None lists them all

    def __post_init__(self) -> None:
        for section in (self.new, self.changed, self.deactivated):
            section.cap = self.cap

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


def listed(items: Sequence[T], limit: int | None) -> Iterator[Sequence[T]]:
    """The first ``limit`` of ``items`` (all when None) in chunks of ``CHUNK``: what a
    builder looks up in the database for the rows it lists."""
    taken = items if limit is None else items[:limit]
    for start in range(0, len(taken), CHUNK):
        yield taken[start : start + CHUNK]


PREVIEW_HEADERS = ("类别", "文件行号", "字段", "原值", "新值")


def preview_xlsx(preview: Preview, key_label: str = "编号", name_label: str = "名称") -> bytes:
    """Every row of a full preview as an .xlsx: a line per new or deactivated row, a line
    per changed field (old and new value); text cells escaped by ``write_xlsx``."""

    def rows() -> Iterator[tuple[object, ...]]:
        for section in preview.sections:
            for entry in section.entries:
                head = (section.label, entry.row, entry.key, entry.name)
                if not entry.changes:
                    yield (*head, None, None, None)
                for change in entry.changes:
                    yield (*head, change.label, change.old, change.new)

    kind, row, *rest = PREVIEW_HEADERS
    headers = (kind, row, key_label, name_label, *rest)
    return write_xlsx(headers, rows(), "导入预览")
