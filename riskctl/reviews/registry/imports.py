"""Importing the case-file register (结案案卷登记) from .xlsx or .csv: all rows or none."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import insert, select

from riskctl.accounts.models import Unit, User
from riskctl.core import audit, clock
from riskctl.core.db import db
from riskctl.core.tabular.cells import clean_text, parse_choice, parse_date
from riskctl.core.tabular.problems import CellError, ProblemCollector
from riskctl.core.tabular.reading import Column, Table, read_table
from riskctl.reviews.models import CaseFile, ReviewFile

# A year of a city bureau's closed cases, with room to spare.
MAX_ROWS = 200_000
# Far above any fine, and its fen fit a BIGINT: 1e30 would break quantize and the column.
_LARGEST_PENALTY = 10**12
COLUMNS = [
    Column("case_no", "案件编号", aliases=("案号", "行政处罚决定书文号")),
    Column("unit", "承办单位"),
    Column("case_type", "案由", aliases=("案件类型",)),
    Column("procedure", "程序类型", aliases=("程序",)),
    Column("handler_names", "承办人", required=False),
    Column("handlers", "承办人执法证号"),
    Column("approver_name", "审批人", required=False),
    Column("approver", "审批人执法证号"),
    Column("closed_on", "结案日期"),
    Column("penalty", "罚款金额（元）", required=False, aliases=("罚款金额", "罚款金额(元)")),
]
HEADERS = [c.header for c in COLUMNS]
_PROCEDURES = {"一般": "general", "一般程序": "general", "简易": "simple", "简易程序": "simple"}
_SPLIT = re.compile(r"[、,，;；/\s]+")
_BADGE = re.compile(r"[0-9A-Za-z\-]{4,40}")
_FIELDS = (
    "unit_id",
    "case_type",
    "procedure",
    "handlers",
    "handler_names",
    "approver",
    "approver_name",
    "closed_on",
    "penalty_fen",
)


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int
    dry_run: bool


def parse_badges(value: Any) -> list[str]:
    """执法证号 separated by 、 , ; / or spaces, at least one."""
    text = unicodedata.normalize("NFKC", clean_text(value, 400))
    badges = [b for b in _SPLIT.split(text) if b]
    bad = [b for b in badges if not _BADGE.fullmatch(b)]
    if bad:
        raise CellError(f"“{bad[0]}”不是有效的执法证号（4–40 位字母、数字或 -）")
    if len(set(badges)) != len(badges):
        raise CellError("同一执法证号重复出现")
    return badges


def parse_penalty(value: Any) -> int | None:
    """Yuan with at most two decimals, as fen (分)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = unicodedata.normalize("NFKC", str(value)).replace(",", "").strip().removesuffix("元")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise CellError(f"“{text}”不是金额，应如 2000 或 2000.50") from None
    if not amount.is_finite() or not 0 <= amount <= _LARGEST_PENALTY:
        raise CellError(f"金额应在 0 到 {_LARGEST_PENALTY:,} 元之间")
    if amount != amount.quantize(Decimal("0.01")):
        raise CellError("金额应为不小于 0 的数，最多两位小数")
    return int(amount * 100)


def _units() -> dict[str, int | None]:
    """Units by code and by name: the register may use either."""
    units = db.session.execute(select(Unit.id, Unit.code, Unit.name, Unit.active)).all()
    # A deactivated unit maps to None: known, but it takes no new case files.
    return {
        **{u.name: u.id if u.active else None for u in units},
        **{u.code: u.id if u.active else None for u in units},
    }


def _row(
    number: int,
    row: dict[str, Any],
    units: dict[str, int | None],
    problems: ProblemCollector,
    headers: dict[str, str],
) -> dict[str, Any] | None:
    def cell(field: str, parse, *args, **kw):
        return problems.cell(number, headers[field], parse, row[field], *args, **kw)

    before = len(problems.problems)
    unit_text = cell("unit", clean_text, 100)
    unit_id = units.get(unit_text) if unit_text else None
    if unit_text and unit_id is None and unit_text in units:
        problems.add(number, headers["unit"], f"单位“{unit_text}”已停用，不能再登记新的案卷")
    elif unit_text and unit_id is None:
        problems.add(number, headers["unit"], f"单位“{unit_text}”不存在，请填写单位代码或全称")
    procedure = cell("procedure", parse_choice, list(_PROCEDURES))
    approver = cell("approver", parse_badges)
    if approver is not None and len(approver) != 1:
        problems.add(number, headers["approver"], "审批人执法证号只能填一个")
    data = {
        "case_no": cell("case_no", clean_text, 80),
        "unit_id": unit_id,
        "case_type": cell("case_type", clean_text, 100),
        "procedure": _PROCEDURES.get(procedure or ""),
        "handlers": cell("handlers", parse_badges),
        "handler_names": cell("handler_names", clean_text, 200, required=False),
        "approver": approver[0] if approver else None,
        "approver_name": cell("approver_name", clean_text, 60, required=False),
        "closed_on": cell("closed_on", parse_date),
        "penalty_fen": cell("penalty", parse_penalty),
    }
    return data if len(problems.problems) == before else None


def check_rows(table: Table) -> list[dict[str, Any]]:
    """Every row parsed, or ImportProblems naming every bad cell by row and column."""
    problems = ProblemCollector()
    headers = {field: table.header(field) for field in table.fields}
    units, rows, first_seen = _units(), [], {}
    for number, row in table.rows():
        data = _row(number, row, units, problems, headers)
        case_no = data["case_no"] if data else None
        if case_no and case_no in first_seen:
            problems.add(number, headers["case_no"], f"与第 {first_seen[case_no]} 行案件编号重复")
        elif data:
            first_seen[case_no] = number
            rows.append({"row": number, **data})
    problems.raise_if_any()
    _check_drawn(rows, problems, headers["case_no"])
    problems.raise_if_any()
    return rows


def _check_drawn(rows: list[dict[str, Any]], problems: ProblemCollector, column: str) -> None:
    """A file already drawn into a campaign keeps the data its draw was made on."""
    drawn = set(
        db.session.scalars(
            select(CaseFile.case_no).join(ReviewFile, ReviewFile.case_file_id == CaseFile.id)
        )
    )
    existing = _existing({r["case_no"] for r in rows} & drawn)
    for row in rows:
        if row["case_no"] in existing and _changed(existing[row["case_no"]], row):
            problems.add(
                row["row"], column, f"案卷 {row['case_no']} 已被评查活动抽中，不能通过导入修改"
            )


def _existing(case_nos: set[str], chunk: int = 5000) -> dict[str, CaseFile]:
    """Registered files among ``case_nos`` (in chunks: SQLite caps bound parameters)."""
    wanted, found = sorted(case_nos), {}
    for start in range(0, len(wanted), chunk):
        query = select(CaseFile).where(CaseFile.case_no.in_(wanted[start : start + chunk]))
        found.update((c.case_no, c) for c in db.session.scalars(query))
    return found


def _changed(case: CaseFile, row: dict[str, Any]) -> bool:
    return any(getattr(case, field) != row[field] for field in _FIELDS)


def compare(data: bytes, filename: str) -> tuple[list, dict[str, CaseFile], list, list]:
    """The checked rows, the registered files they name, the new rows and the changed ones."""
    rows = check_rows(read_table(data, filename, COLUMNS, max_rows=MAX_ROWS))
    existing = _existing({r["case_no"] for r in rows})
    new = [r for r in rows if r["case_no"] not in existing]
    changed = [r for r in rows if r["case_no"] in existing and _changed(existing[r["case_no"]], r)]
    return rows, existing, new, changed


def import_case_files(
    data: bytes, filename: str, actor: User, *, dry_run: bool = False
) -> ImportResult:
    """Read, check every row, then insert new files and update changed ones (audited)."""
    rows, existing, new, changed = compare(data, filename)
    result = ImportResult(len(new), len(changed), len(rows) - len(new) - len(changed), dry_run)
    if dry_run:
        return result
    now = clock.now()
    if new:
        db.session.execute(
            insert(CaseFile),
            [
                {
                    **{k: v for k, v in r.items() if k != "row"},
                    "imported_at": now,
                    "imported_by": actor.username,
                }
                for r in new
            ],
        )
    for row in changed:
        case = existing[row["case_no"]]
        for field in _FIELDS:
            setattr(case, field, row[field])
        case.imported_at, case.imported_by = now, actor.username
    db.session.flush()
    audit.record(
        "review.case_files.import",
        "case_files",
        filename[:120],
        {"created": result.created, "updated": result.updated, "unchanged": result.unchanged},
        actor=actor.username,
    )
    return result
