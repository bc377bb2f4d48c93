"""Importing the register from .xlsx/.csv (导入): every row checked first, all rows or none.

A row matches an active point by unit + post + title: an equal one is left alone, a
different one is updated (a reason is then required), an unknown one is created.
The whole import is one audit entry naming the file's SHA-256 and every point it
created or changed; every created or changed point gets its own version as usual.
Reads and inserts go through SQL rows rather than ORM objects: a register of
thousands of rows must import in seconds.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import selectinload

from riskctl.accounts.models import Unit
from riskctl.core import audit, clock
from riskctl.core.db import db
from riskctl.core.errors import ValidationFailed
from riskctl.core.tabular.problems import ProblemCollector, TableError
from riskctl.core.tabular.reading import Table, read_table
from riskctl.risks.history import diff, snapshot_of
from riskctl.risks.models import ACTIVE, RiskMeasure, RiskPoint, RiskPointVersion
from riskctl.risks.operations import actor_name, apply_changes, new_version
from riskctl.risks.options import current_matrix, review_intervals
from riskctl.risks.rules import Matrix, next_review
from riskctl.risks.spreadsheet import COLUMNS, UnitIndex, parse_row

_KEY_COLUMN = "风险点"
_COPIED = (
    "post",
    "title",
    "power",
    "stage",
    "description",
    "category",
    "likelihood",
    "impact",
    "responsible",
    "supervisor",
    "indicator",
)
_COMPARED = (*_COPIED[2:], "next_review")


@dataclass
class ImportPlan:
    """What an import would do: ``creates`` holds row data, ``updates`` (point id, changes)."""

    rows: int = 0
    creates: list[dict[str, Any]] = field(default_factory=list)
    updates: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    unchanged: int = 0


@dataclass(frozen=True)
class ImportResult:
    rows: int
    created: int
    updated: int
    unchanged: int
    dry_run: bool


def read_register(data: bytes, filename: str) -> Table:
    try:
        return read_table(data, filename, COLUMNS)
    except TableError as exc:
        raise ValidationFailed.field("file", exc.message) from exc


def planned(data: bytes, filename: str) -> ImportPlan:
    """The file read and every row checked (ImportProblems), nothing written."""
    table = read_register(data, filename)
    if not len(table):
        raise ValidationFailed.field("file", "文件中没有任何数据行")
    return plan_import(table)


def plan_import(table: Table) -> ImportPlan:
    """Check every row; raise ImportProblems with all of them, else say what would change."""
    matrix = current_matrix()
    units = UnitIndex(db.session.scalars(select(Unit)))
    active, retired = {}, {}
    keys = select(
        RiskPoint.id, RiskPoint.unit_id, RiskPoint.post, RiskPoint.title, RiskPoint.status
    )
    for point_id, unit_id, post, title, status in db.session.execute(keys):
        (active if status == ACTIVE else retired)[unit_id, post, title] = point_id
    problems, seen, plan = ProblemCollector(), {}, ImportPlan(rows=len(table))
    matched: dict[int, dict[str, Any]] = {}
    for number, row in table.rows():
        data = parse_row(number, row, units, matrix, problems, table.present)
        if data is None:
            continue
        key = (data["unit"].id, data["post"], data["title"])
        if key in seen:
            problems.add(
                number, _KEY_COLUMN, f"与第 {seen[key]} 行重复（单位、岗位、风险点都相同）"
            )
        elif key in active:
            matched[active[key]] = data
        elif key in retired:
            problems.add(
                number,
                _KEY_COLUMN,
                f"与已停用的风险点（编号 {retired[key]}）同名；"
                "已停用的风险点不能通过导入修改，如需重新登记请在页面上新建",
            )
        else:
            plan.creates.append(data)
        seen.setdefault(key, number)
    problems.raise_if_any()
    _plan_updates(plan, matched)
    return plan


def _plan_updates(plan: ImportPlan, matched: dict[int, dict[str, Any]]) -> None:
    current = current_values(list(matched))
    for point_id, data in matched.items():
        changes = {k: v for k, v in data.items() if k not in ("unit", "post", "title")}
        if changes.get("next_review") is None:
            changes.pop("next_review")  # a blank date keeps the one in force
        if any(current[point_id][k] != v for k, v in changes.items()):
            plan.updates.append((point_id, changes))
        else:
            plan.unchanged += 1


def current_values(ids: list[int]) -> dict[int, dict[str, Any]]:
    """The compared fields and measures of the matched points, as plain values."""
    found: dict[int, dict[str, Any]] = {}
    columns = [getattr(RiskPoint, name) for name in _COMPARED]
    for start in range(0, len(ids), 5000):  # bounded IN lists
        chunk = ids[start : start + 5000]
        for point_id, *values in db.session.execute(
            select(RiskPoint.id, *columns).where(RiskPoint.id.in_(chunk))
        ):
            found[point_id] = {**dict(zip(_COMPARED, values, strict=True)), "measures": []}
        measures = select(
            RiskMeasure.point_id,
            RiskMeasure.text,
            RiskMeasure.owner,
            RiskMeasure.deadline,
            RiskMeasure.status,
        )
        for point_id, text, owner, deadline, status in db.session.execute(
            measures.where(RiskMeasure.point_id.in_(chunk)).order_by(RiskMeasure.position)
        ):
            found[point_id]["measures"].append(
                {"text": text, "owner": owner, "deadline": deadline, "status": status}
            )
    return found


def import_register(
    data: bytes,
    filename: str,
    *,
    reason: str = "",
    dry_run: bool = False,
    actor: str | None = None,
    today: date | None = None,
) -> ImportResult:
    """导入风险点登记表; with ``dry_run`` nothing is written (the web preview)."""
    plan = planned(data, filename)
    if not dry_run:
        if plan.updates and not reason.strip():
            raise ValidationFailed.field(
                "reason", f"本次导入将修改 {len(plan.updates)} 个已有风险点，请填写修改原因"
            )
        who, why, digest = actor_name(actor), reason.strip(), hashlib.sha256(data).hexdigest()
        created = _create(plan.creates, why or "批量导入", who, today or clock.today())
        updated = _update(plan.updates, why, who, today)
        audit.record(
            "risk_point.import",
            "risk_register",
            digest[:16],
            {
                "file": filename,
                "sha256": digest,
                "reason": why,
                "rows": plan.rows,
                "created": created,
                "updated": updated,
                "unchanged": plan.unchanged,
            },
            actor=who,
        )
    return ImportResult(plan.rows, len(plan.creates), len(plan.updates), plan.unchanged, dry_run)


def _point_row(
    data: dict[str, Any], matrix: Matrix, today: date, intervals: dict[str, int]
) -> dict[str, Any]:
    level = matrix.level(data["likelihood"], data["impact"])
    now = clock.now()
    row = {name: data[name] for name in _COPIED}
    row.update(
        unit_id=data["unit"].id,
        status=ACTIVE,
        version=1,
        created_at=now,
        updated_at=now,
        next_review=data["next_review"] or next_review(today, level, intervals),
        last_reviewed=None,
        retired_at=None,
        retire_reason=None,
    )
    return row


def _create(creates: list[dict[str, Any]], reason: str, actor: str, today: date) -> list[int]:
    """Insert the new points, their measures and first versions, each table in one go."""
    if not creates:
        return []
    matrix, intervals = current_matrix(), review_intervals()
    rows = [_point_row(data, matrix, today, intervals) for data in creates]
    # A plain executemany, then the new ids by key (unique among active points): RETURNING
    # over thousands of rows costs seconds in the PostgreSQL driver's query conversion.
    db.session.execute(insert(RiskPoint.__table__), rows)
    keys = select(RiskPoint.id, RiskPoint.unit_id, RiskPoint.post, RiskPoint.title).where(
        RiskPoint.status == ACTIVE
    )
    by_key = {(u, p, t): i for i, u, p, t in db.session.execute(keys)}
    ids = [by_key[row["unit_id"], row["post"], row["title"]] for row in rows]
    measures, versions, now = [], [], clock.now()
    for point_id, data, row in zip(ids, creates, rows, strict=True):
        measures += [
            {**m, "point_id": point_id, "position": k} for k, m in enumerate(data["measures"])
        ]
        after = snapshot_of(data["unit"].code, row, data["measures"], matrix)
        versions.append(
            {
                "point_id": point_id,
                "number": 1,
                "action": "import",
                "actor": actor,
                "reason": reason,
                "at": now,
                "snapshot": after,
                "changes": diff(None, after),
            }
        )
    if measures:
        db.session.execute(insert(RiskMeasure.__table__), measures)
    db.session.execute(insert(RiskPointVersion.__table__), versions)
    return ids


def _update(
    updates: list[tuple[int, dict[str, Any]]], reason: str, actor: str, today: date | None
) -> list[list[int]]:
    """Apply the changes point by point, each with its new version; [[id, version], …]."""
    if not updates:
        return []
    matrix, changes = current_matrix(), dict(updates)
    points = db.session.scalars(
        select(RiskPoint)
        .where(RiskPoint.id.in_(list(changes)))
        .options(selectinload(RiskPoint.measures), selectinload(RiskPoint.unit))
    ).all()
    for point in points:
        before = apply_changes(point, changes[point.id], matrix, today)
        new_version(point, "import", reason, before, actor, matrix)
    db.session.flush()
    return [[point.id, point.version] for point in points]
