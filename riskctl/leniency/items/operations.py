"""Keeping the 免罚清单: create, change (each change a new version), import and export .xlsx."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from marshmallow import ValidationError

from riskctl.accounts.models import User
from riskctl.core import audit
from riskctl.core.db import db
from riskctl.core.errors import Conflict, ValidationFailed
from riskctl.core.tabular.cells import clean_text, parse_choice
from riskctl.core.tabular.problems import (
    CellError,
    ImportProblems,
    ProblemCollector,
    RowProblem,
    TableError,
)
from riskctl.core.tabular.reading import Column, read_table
from riskctl.core.tabular.writing import write_xlsx
from riskctl.leniency.models import LeniencyItem, LeniencyItemVersion
from riskctl.leniency.queries import all_items, item_by_code
from riskctl.leniency.schemas import Code

CONTENT_FIELDS = ("name", "legal_basis", "conditions", "active")
ACTIVE_LABELS = {True: "启用", False: "停用"}
COLUMNS = [
    Column("code", "事项编号", aliases=("编号",)),
    Column("name", "违法行为", aliases=("违法行为名称",)),
    Column("legal_basis", "法律依据", aliases=("依据",)),
    Column("conditions", "适用条件", aliases=("免罚条件",)),
    Column("active", "状态", required=False),
    Column("reason", "修订说明", required=False),
]
_EXPORT_HEADERS = [c.header for c in COLUMNS[:5]]


def create_item(data: dict[str, Any], actor: User, reason: str = "新增事项") -> LeniencyItem:
    if item_by_code(data["code"]) is not None:
        raise Conflict(f"事项编号 {data['code']} 已存在，如需修改请编辑该事项（会生成新版本）")
    item = LeniencyItem(
        code=data["code"], version=0, **{k: data.get(k, True) for k in CONTENT_FIELDS}
    )
    db.session.add(item)
    _new_version(item, reason, actor)
    audit.record(
        "leniency.item.create",
        "leniency_item",
        item.code,
        {k: getattr(item, k) for k in CONTENT_FIELDS},
    )
    return item


def change_item(item: LeniencyItem, data: dict[str, Any], actor: User) -> LeniencyItem:
    """Apply the changed fields as a new version; records keep the version they used."""
    changes = {k: data[k] for k in CONTENT_FIELDS if k in data and data[k] != getattr(item, k)}
    if not changes:
        raise ValidationFailed("没有任何修改：提交的内容与当前版本相同")
    before = {k: getattr(item, k) for k in changes}
    for key, value in changes.items():
        setattr(item, key, value)
    _new_version(item, data["reason"], actor)
    audit.record(
        "leniency.item.change",
        "leniency_item",
        item.code,
        {"version": item.version, "before": before, "after": changes, "reason": data["reason"]},
    )
    return item


def _new_version(item: LeniencyItem, reason: str, actor: User) -> None:
    item.version += 1
    db.session.add(
        LeniencyItemVersion(
            item=item,
            version=item.version,
            name=item.name,
            legal_basis=item.legal_basis,
            conditions=item.conditions,
            active=item.active,
            reason=reason,
            changed_by=actor.username,
        )
    )
    db.session.flush()


# Import ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemRow:
    """One row of an import as it will be applied: ``action`` is create, change or same."""

    row: int
    action: str
    data: dict[str, Any]


def plan_import(content: bytes, filename: str) -> list[ItemRow]:
    """Every row checked and classified; ImportProblems lists every bad cell at once."""
    try:
        table = read_table(content, filename, COLUMNS)
    except TableError as exc:
        raise ImportProblems([RowProblem(1, "文件", exc.message)]) from exc
    problems = ProblemCollector()
    seen: dict[str, int] = {}
    plan = []
    for number, row in table.rows():
        data, good = _check_row(number, row, table, problems)
        code = data["code"]
        if code in seen:
            problems.add(number, table.header("code"), f"事项编号 {code} 与第 {seen[code]} 行重复")
            continue
        if code is not None:
            seen[code] = number
        if good:
            plan.append(ItemRow(number, _action(data), data))
    if not len(table):
        problems.add(1, "事项编号", "文件中没有任何事项")
    problems.raise_if_any()
    return plan


def _check_row(
    number: int, row: dict[str, Any], table, problems: ProblemCollector
) -> tuple[dict[str, Any], bool]:
    """The row's values (None where a cell is bad) and whether every cell was good."""
    before = len(problems.problems)
    data = {
        "code": problems.cell(number, table.header("code"), _code, row["code"]),
        "name": problems.cell(number, table.header("name"), clean_text, row["name"], 200),
        "legal_basis": problems.cell(
            number, table.header("legal_basis"), clean_text, row["legal_basis"], 2000
        ),
        "conditions": problems.cell(
            number, table.header("conditions"), clean_text, row["conditions"], 2000
        ),
        "active": problems.cell(
            number,
            table.header("active"),
            parse_choice,
            row["active"],
            ACTIVE_LABELS.values(),
            required=False,
        )
        in (None, "启用"),
        "reason": problems.cell(
            number, table.header("reason"), clean_text, row["reason"], 500, required=False
        )
        or "批量导入",
    }
    return data, len(problems.problems) == before


def _code(value: Any) -> str:
    try:
        return Code().deserialize(clean_text(value, 20))
    except ValidationError as exc:
        raise CellError(exc.messages[0]) from exc


def _action(data: dict[str, Any]) -> str:
    item = item_by_code(data["code"])
    if item is None:
        return "create"
    same = all(getattr(item, k) == data[k] for k in CONTENT_FIELDS)
    return "same" if same else "change"


def apply_import(plan: list[ItemRow], actor: User) -> dict[str, int]:
    counts = {"create": 0, "change": 0, "same": 0}
    for entry in plan:
        counts[entry.action] += 1
        if entry.action == "create":
            create_item(entry.data, actor, reason=entry.data["reason"])
        elif entry.action == "change":
            change_item(item_by_code(entry.data["code"]), entry.data, actor)
    audit.record("leniency.item.import", "leniency_item", "*", counts)
    return counts


def import_items(content: bytes, filename: str, actor: User) -> dict[str, int]:
    """All rows or none: 422 with every problem by row and column."""
    try:
        plan = plan_import(content, filename)
    except ImportProblems as exc:
        raise ValidationFailed(exc.message, exc.as_details()) from exc
    return apply_import(plan, actor)


def export_items() -> bytes:
    rows = [
        (i.code, i.name, i.legal_basis, i.conditions, ACTIVE_LABELS[i.active]) for i in all_items()
    ]
    return write_xlsx(_EXPORT_HEADERS, rows, "免罚清单")
