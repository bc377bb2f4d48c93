"""Roster import (一单两库): check every row, compare with the roster by id, write in bulk.

``analyse`` reads and checks a file and works out what would change, writing
nothing; ``apply`` writes it. Rows absent from the file are never deactivated
silently: ``apply`` refuses (409, naming them) until the caller says whether to
deactivate them or keep them.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from sqlalchemy import Table as SqlTable
from sqlalchemy import select

from riskctl.accounts.models import Unit
from riskctl.core import audit, storage
from riskctl.core.db import db
from riskctl.core.errors import Conflict, ValidationFailed
from riskctl.core.tabular.problems import ProblemCollector, TableError
from riskctl.core.tabular.reading import Column, read_table
from riskctl.inspections import bulk
from riskctl.inspections.models import (
    CREDIT_CLASSES,
    TARGET_KINDS,
    Inspector,
    RosterImport,
    Target,
)
from riskctl.inspections.rosters.columns import ColumnChecker

MISSING_SAMPLE = 50
# A roster may be a million rows (CSV); an .xlsx sheet holds at most 1,048,576 anyway.
ROSTER_MAX_ROWS = 2_000_000


class UnitMap(dict):
    """Unit code or unique name -> unit id; ``refused``: the deactivated ones -> why."""

    refused: dict[str, str]


@dataclass(frozen=True)
class RosterSpec:
    """How one roster is read, checked and stored."""

    name: str
    label: str
    noun: str
    model: type
    columns: tuple[Column, ...]
    # The stored columns an import sets (besides ``code`` and ``active``).
    fields: tuple[str, ...]
    # Columns a file may leave out: existing rows then keep their stored value.
    optional: dict[str, Any]
    check: Callable[[ColumnChecker, UnitMap], dict[str, list]]

    @property
    def table(self) -> SqlTable:
        return self.model.__table__


def _units_by_code_or_name() -> UnitMap:
    rows = db.session.execute(select(Unit.id, Unit.code, Unit.name, Unit.active)).all()
    names: dict[str, list[int]] = {}
    for unit_id, _, name, _ in rows:
        names.setdefault(name, []).append(unit_id)
    known = UnitMap({name: ids[0] for name, ids in names.items() if len(ids) == 1})
    known.update({code: unit_id for unit_id, code, _, _ in rows})
    stopped = [(code, name) for _, code, name, active in rows if not active]
    message = "单位“{}”已停用，不能再分配新的记录"
    known.refused = {code: message.format(name) for code, name in stopped}
    known.refused.update({n: message.format(n) for _, n in stopped if len(names[n]) == 1})
    return known


def _choices(labels: dict[str, str], *extra: str) -> dict[str, str]:
    out = {label: key for key, label in labels.items()}
    out.update({key.upper(): key for key in labels})
    for key in extra:
        out[key] = key
    return out


_KIND_CHOICES = _choices(TARGET_KINDS)
_CLASS_CHOICES = (
    {c: c for c in CREDIT_CLASSES}
    | {f"{c}类": c for c in CREDIT_CLASSES}
    | {f"{c}级": c for c in CREDIT_CLASSES}
)
_OPERATING_CHOICES = {"在营": "0", "正常": "0", "已关闭停业": "1", "关闭": "1", "停业": "1"}
_ACTIVE_CHOICES = {"在岗": "1", "停用": "0"}


def _check_targets(check: ColumnChecker, units: UnitMap) -> dict[str, list]:
    kinds = check.choice("kind", _KIND_CHOICES, list(TARGET_KINDS.values()))
    columns = {
        "code": check.ids("code", 64),
        "name": check.text("name", 200, required=True),
        "credit_code": check.credit_codes("credit_code", [k == "enterprise" for k in kinds]),
        "kind": kinds,
        "address": check.text("address", 300, required=False),
        "credit_class": check.choice("credit_class", _CLASS_CHOICES, list(CREDIT_CLASSES)),
        "unit_id": check.lookup("unit", units, "单位", units.refused),
    }
    if "status" in check.table.present:
        flags = check.choice("status", _OPERATING_CHOICES, ["在营", "已关闭停业"])
        columns["closed"] = [flag == "1" for flag in flags]
    return columns


def _check_inspectors(check: ColumnChecker, units: UnitMap) -> dict[str, list]:
    status = check.choice("status", _ACTIVE_CHOICES, list(_ACTIVE_CHOICES))
    columns = {
        "code": check.ids("code", 40),
        "name": check.text("name", 60, required=True),
        "license_no": check.ids("license_no", 40),
        "unit_id": check.lookup("unit", units, "单位", units.refused),
        "fields": check.text("fields", 200, required=False),
        "active": [flag == "1" for flag in status],
    }
    _check_licences_held_elsewhere(check, columns["code"], columns["license_no"])
    return columns


def _check_licences_held_elsewhere(
    check: ColumnChecker, codes: list[str], licences: list[str]
) -> None:
    """A 执法证号 already held by someone the file does not list cannot be given to another."""
    holders = dict(db.session.execute(select(Inspector.license_no, Inspector.code)).all())
    in_file = set(codes)
    for i, (code, licence) in enumerate(zip(codes, licences, strict=True)):
        holder = holders.get(licence)
        if holder is not None and holder != code and holder not in in_file:
            check.report("license_no", i, f"执法证号“{licence}”已属于人员 {holder}")


TARGETS = RosterSpec(
    name="targets",
    label="检查对象名录库",
    noun="检查对象",
    model=Target,
    columns=(
        Column("code", "对象编号"),
        Column("name", "对象名称"),
        Column("credit_code", "统一社会信用代码"),
        Column("kind", "对象类型"),
        Column("address", "地址"),
        Column("credit_class", "信用风险等级"),
        Column("unit", "主管单位"),
        Column("status", "经营状态", required=False),
    ),
    fields=("name", "credit_code", "kind", "address", "credit_class", "unit_id", "closed"),
    optional={"closed": False},
    check=_check_targets,
)

INSPECTORS = RosterSpec(
    name="inspectors",
    label="执法检查人员名录库",
    noun="检查人员",
    model=Inspector,
    columns=(
        Column("code", "人员编号"),
        Column("name", "姓名"),
        Column("license_no", "执法证号"),
        Column("unit", "所属单位"),
        Column("fields", "执法领域"),
        Column("status", "状态"),
    ),
    fields=("name", "license_no", "unit_id", "fields", "active"),
    optional={},
    check=_check_inspectors,
)

ROSTERS = {spec.name: spec for spec in (TARGETS, INSPECTORS)}


@dataclass
class Analysis:
    """What an import would do; ``columns`` are the checked values of the file."""

    spec: RosterSpec
    filename: str
    sha256: str
    rows: int
    fields: tuple[str, ...]
    columns: dict[str, list]
    new: list[int] = field(default_factory=list)
    changed: list[tuple[int, int]] = field(default_factory=list)
    reactivated: int = 0
    unchanged: int = 0
    missing: list[int] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "created": len(self.new),
            "updated": len(self.changed) - self.reactivated,
            "reactivated": self.reactivated,
            "unchanged": self.unchanged,
            "missing": len(self.missing),
        }

    def missing_sample(self, limit: int = MISSING_SAMPLE) -> list[dict[str, str]]:
        ids = self.missing[:limit]
        if not ids:
            return []
        model = self.spec.model
        rows = db.session.execute(
            select(model.code, model.name).where(model.id.in_(ids)).order_by(model.code)
        ).all()
        return [{"code": code, "name": name} for code, name in rows]


def analyse(spec: RosterSpec, data: bytes, filename: str) -> Analysis:
    """Check every row of the file and compare it with the stored roster; writes nothing.

    Raises ``ImportProblems`` with every bad cell, or ``ValidationFailed`` when the
    file as a whole cannot be read.
    """
    try:
        table = read_table(data, filename, spec.columns, max_rows=ROSTER_MAX_ROWS)
    except TableError as exc:
        raise ValidationFailed.field("file", exc.message) from exc
    if len(table) == 0:
        raise ValidationFailed.field("file", "文件中没有数据行")
    problems = ProblemCollector()
    columns = spec.check(ColumnChecker(table, problems), _units_by_code_or_name())
    problems.raise_if_any()
    fields = tuple(f for f in spec.fields if f in columns)
    analysis = Analysis(
        spec, PurePath(filename).name, hashlib.sha256(data).hexdigest(), len(table), fields, columns
    )
    _compare(analysis)
    return analysis


def _compare(analysis: Analysis) -> None:
    """Sort the file's rows into new / changed / unchanged and find the absent ones."""
    spec, fields = analysis.spec, analysis.fields
    existing: dict[str, tuple[int, int, bool]] = {}
    columns = [spec.table.c[name] for name in ("code", "id", "active", *fields)]
    for code, row_id, active, *values in bulk.fetch_rows(select(*columns)):
        # Raw SQLite hands booleans back as 0/1, which hash and compare like bools.
        existing[code] = (row_id, hash(tuple(values)), bool(active))
    codes = analysis.columns["code"]
    rows = zip(*(analysis.columns[f] for f in fields), strict=True)
    for i, (code, values) in enumerate(zip(codes, rows, strict=True)):
        found = existing.get(code)
        if found is None:
            analysis.new.append(i)
            continue
        row_id, digest, active = found
        reactivates = not active and "active" not in fields
        if reactivates:
            analysis.reactivated += 1
        if reactivates or hash(values) != digest:
            analysis.changed.append((i, row_id))
        else:
            analysis.unchanged += 1
    in_file = set(codes)
    analysis.missing = sorted(
        row_id for code, (row_id, _, active) in existing.items() if active and code not in in_file
    )


def apply(
    analysis: Analysis, *, deactivate_missing: bool | None, actor: str, data: bytes | None = None
) -> RosterImport:
    """Write the analysed import; refuse while absent rows are undecided."""
    missing = analysis.missing
    if missing and deactivate_missing is None:
        raise Conflict(
            f"名录中有 {len(missing)} 个{analysis.spec.noun}不在本次文件中。"
            "如确认将其移出名录，请勾选“停用文件中没有的记录”（deactivate_missing=1）后重新提交；"
            "如需保留，请选择“保留”（deactivate_missing=0）",
            {"missing": {"total": len(missing), "sample": analysis.missing_sample()}},
        )
    spec, now = analysis.spec, bulk.timestamp()
    _insert_new(analysis, now)
    _update_changed(analysis, now)
    deactivated = len(missing) if deactivate_missing else 0
    if deactivated:
        bulk.update_rows(
            spec.table, "id", ("active", "updated_at"), [(False, now, i) for i in missing]
        )
    record = RosterImport(
        roster=spec.name,
        filename=analysis.filename[:200],
        sha256=analysis.sha256,
        rows=analysis.rows,
        created=len(analysis.new),
        updated=len(analysis.changed) - analysis.reactivated,
        reactivated=analysis.reactivated,
        deactivated=deactivated,
        kept_missing=len(missing) - deactivated,
        imported_by=actor,
    )
    db.session.add(record)
    db.session.flush()
    summary = {
        **analysis.summary(),
        "file": analysis.filename,
        "sha256": analysis.sha256,
        "deactivated": deactivated,
        "import_id": record.id,
    }
    if deactivated:
        summary["deactivated_codes"] = [row["code"] for row in analysis.missing_sample(200)]
    audit.record(f"inspection.{spec.name}.import", "roster_import", record.id, summary, actor=actor)
    if data is not None:
        _archive(record, data)
    return record


def _insert_new(analysis: Analysis, now: Any) -> None:
    if not analysis.new:
        return
    spec, columns = analysis.spec, analysis.columns
    names = ["code", *analysis.fields]
    values = [columns[name] for name in names]
    if len(analysis.new) < analysis.rows:
        values = [[col[i] for i in analysis.new] for col in values]
    constants = {name: value for name, value in spec.optional.items() if name not in columns}
    constants |= {"created_at": now, "updated_at": now}
    if "active" not in analysis.fields:
        constants["active"] = True
    bulk.insert_columns(spec.table, dict(zip(names, values, strict=True)), constants)


def _update_changed(analysis: Analysis, now: Any) -> None:
    if not analysis.changed:
        return
    names: Sequence[str] = [*analysis.fields, "updated_at"]
    if "active" not in analysis.fields:
        names = [*names, "active"]
    extra = (now,) if "active" in analysis.fields else (now, True)
    cols = [analysis.columns[f] for f in analysis.fields]
    rows = [(*(col[i] for col in cols), *extra, row_id) for i, row_id in analysis.changed]
    bulk.update_rows(analysis.spec.table, "id", names, rows)


def archive_name(record_id: int, roster: str, sha256: str, filename: str) -> str:
    return f"{record_id:06d}-{roster}-{sha256[:16]}{PurePath(filename).suffix.lower()}"


def archive_ref(record: RosterImport) -> storage.FileRef:
    name = archive_name(record.id, record.roster, record.sha256, record.filename)
    return ARCHIVE.ref(name, record.sha256, record.size)


def _archive_references() -> Iterator[storage.FileRef]:
    yield from map(archive_ref, db.session.scalars(select(RosterImport)))


def _adopt(ref: storage.FileRef) -> None:
    """Record the size of an archive kept before rows recorded sizes (revision 0012)."""
    for record in db.session.scalars(select(RosterImport).where(RosterImport.size.is_(None))):
        if archive_ref(record).name == ref.name and record.sha256 == ref.sha256:
            record.size = ref.size
    db.session.flush()


ARCHIVE = storage.register(
    storage.Area(
        "roster-imports",
        "名录库导入存档",
        _archive_references,
        folder="roster-imports",
        names=re.compile(r"\d{6,}-(targets|inspectors)-[0-9a-f]{16}(\.[^/]{1,10})?"),
        adopt=_adopt,
    )
)


def _archive(record: RosterImport, data: bytes) -> None:
    """Keep the accepted file, so the roster's history can be traced to its source.

    It is written with the import's transaction and lands only if that commits.
    """
    name = archive_name(record.id, record.roster, record.sha256, record.filename)
    record.size = storage.put(ARCHIVE, data, name=name).size


def import_roster(
    roster: str, data: bytes, filename: str, deactivate_missing: bool | None, actor: str
) -> tuple[Analysis, RosterImport]:
    """Import a roster file: all rows or none; absent rows only deactivated when confirmed."""
    spec = ROSTERS[roster]
    analysis = analyse(spec, data, filename)
    record = apply(analysis, deactivate_missing=deactivate_missing, actor=actor, data=data)
    return analysis, record
