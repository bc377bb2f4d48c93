"""The register as the bureau's spreadsheet (风险点登记表): columns, cells, measure lines.

防控措施 holds one measure per line, written ``措施（责任人：张三；完成时限：2026-06-30；
状态：落实中）``; a line without the bracket is a measure with no owner or deadline yet.
Exporting writes every cell the way importing reads it, so an export re-imports unchanged.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import date
from typing import Any

from riskctl.accounts.models import Unit
from riskctl.core.tabular.cells import clean_text, parse_date, parse_int
from riskctl.core.tabular.problems import CellError, ProblemCollector
from riskctl.core.tabular.reading import Column
from riskctl.risks.models import MEASURE_STATUSES
from riskctl.risks.rules import Matrix, level_label, parse_level

COLUMNS = (
    Column("unit", "单位", aliases=("单位名称", "责任单位")),
    Column("post", "岗位", aliases=("岗位名称",)),
    Column("power", "职权", aliases=("职权名称",)),
    Column("stage", "环节", aliases=("运行环节",)),
    Column("title", "风险点", aliases=("风险点名称", "廉政风险点")),
    Column("description", "表现形式", aliases=("风险表现形式",)),
    Column("category", "风险类别"),
    Column("likelihood", "可能性", aliases=("发生可能性",)),
    Column("impact", "影响程度"),
    Column("level", "风险等级", required=False),
    Column("measures", "防控措施"),
    Column("responsible", "责任人"),
    Column("supervisor", "责任领导"),
    Column("indicator", "监测指标"),
    Column("next_review", "下次评估日期", required=False),
)
HEADERS = tuple(column.header for column in COLUMNS)
_HEADER = {column.field: column.header for column in COLUMNS}
_TEXT_LIMITS = {
    "post": 100,
    "power": 100,
    "stage": 50,
    "title": 200,
    "description": 2000,
    "category": 50,
    "responsible": 60,
    "supervisor": 60,
    "indicator": 1000,
}
_REQUIRED_TEXT = ("post", "power", "stage", "title")
_ATTRS = re.compile(r"(?P<text>.*?)\s*[（(](?P<attrs>[^（）()]*)[）)]\s*")
_NUMBERING = re.compile(r"(?:\d{1,2}\s*[.、．]|[（(]\d{1,2}[）)])\s*")
_OWNER_KEYS = ("责任人", "负责人")
_DEADLINE_KEYS = ("完成时限", "时限", "期限", "完成时间")
_STATUS_WORDS = {
    **{label: code for code, label in MEASURE_STATUSES.items()},
    **{code: code for code in MEASURE_STATUSES},
    "进行中": "in_progress",
    "已完成": "done",
    "完成": "done",
}


# Measures (防控措施) ---------------------------------------------------------------


def format_measure(measure: dict[str, Any]) -> str:
    """One line of the 防控措施 cell."""
    parts = []
    if measure.get("owner"):
        parts.append(f"责任人：{measure['owner']}")
    if measure.get("deadline"):
        deadline = measure["deadline"]
        parts.append(
            f"完成时限：{deadline.isoformat() if isinstance(deadline, date) else deadline}"
        )
    if measure.get("status", "planned") != "planned":
        parts.append(f"状态：{MEASURE_STATUSES[measure['status']]}")
    return measure["text"] + (f"（{'；'.join(parts)}）" if parts else "")


def parse_measures(cell: str) -> list[dict[str, Any]]:
    """Measures from a cell, one per non-blank line; CellError names the bad line."""
    measures = []
    lines = [line.strip() for line in cell.split("\n") if line.strip()]
    for number, line in enumerate(lines, 1):
        try:
            measures.append(_parse_measure_line(line))
        except CellError as exc:
            prefix = f"第 {number} 条措施" if len(lines) > 1 else "措施"
            raise CellError(f"{prefix}：{exc.message}") from None
    return measures


def _parse_measure_line(line: str) -> dict[str, Any]:
    line = _NUMBERING.sub("", line, count=1) if _NUMBERING.match(line) else line
    measure: dict[str, Any] = {"text": line, "owner": "", "deadline": None, "status": "planned"}
    match = _ATTRS.fullmatch(line)
    attrs = _attributes(match.group("attrs")) if match else None
    if attrs is None:
        _check_measure_text(line)
        return measure
    measure["text"] = match.group("text")
    _check_measure_text(measure["text"])
    for key, value in attrs:
        if key in _OWNER_KEYS:
            measure["owner"] = clean_text(value, 60, required=False)
        elif key in _DEADLINE_KEYS:
            measure["deadline"] = parse_date(value, required=False)
        elif value not in _STATUS_WORDS:
            raise CellError(f"状态“{value}”无效，应为 未开始、落实中 或 已落实")
        else:
            measure["status"] = _STATUS_WORDS[value]
    return measure


def _attributes(text: str) -> list[tuple[str, str]] | None:
    """``责任人：张三；完成时限：…`` as pairs; None when the bracket is part of the text."""
    pairs = []
    for part in re.split(r"[；;]", text):
        if not part.strip():
            continue
        pieces = re.split(r"[：:]", part, maxsplit=1)
        key = unicodedata.normalize("NFKC", pieces[0]).strip()
        if len(pieces) != 2 or key not in (*_OWNER_KEYS, *_DEADLINE_KEYS, "状态"):
            return None
        pairs.append((key, pieces[1].strip()))
    return pairs or None


def _check_measure_text(text: str) -> None:
    if not text:
        raise CellError("措施内容不能为空")
    if len(text) > 500:
        raise CellError(f"措施内容不能超过 500 个字（现有 {len(text)} 个）")


# Rows --------------------------------------------------------------------------


def _usable(unit: Unit) -> Unit:
    if not unit.active:
        raise CellError(f"单位“{unit.name}”已停用，不能再导入该单位的风险点")
    return unit


class UnitIndex:
    """Units by code and by name: the 单位 cell may hold either."""

    def __init__(self, units: Iterable[Unit]) -> None:
        self.by_code: dict[str, Unit] = {}
        self.by_name: dict[str, list[Unit]] = {}
        for unit in units:
            self.by_code[unit.code] = unit
            self.by_name.setdefault(unit.name, []).append(unit)

    def find(self, text: str) -> Unit:
        if text in self.by_code:
            return _usable(self.by_code[text])
        named = self.by_name.get(text, [])
        if len(named) == 1:
            return _usable(named[0])
        if named:
            raise CellError(f"有 {len(named)} 个单位都叫“{text}”，请改填单位代码")
        raise CellError(f"单位“{text}”不存在（填写单位全称或单位代码）")

    def cell(self, code: str, name: str) -> str:
        """What the export writes: the name, or the code when the name is not unique."""
        return name if len(self.by_name.get(name, [])) == 1 else code


def parse_row(
    number: int,
    row: dict[str, Any],
    units: UnitIndex,
    matrix: Matrix,
    problems: ProblemCollector,
    present: frozenset[str],
) -> dict[str, Any] | None:
    """One spreadsheet row as ``create_point`` data; None when any cell has a problem."""
    before = len(problems.problems)
    data: dict[str, Any] = {}
    data["unit"] = problems.cell(
        number, _HEADER["unit"], lambda: units.find(clean_text(row["unit"], 100))
    )
    for field, limit in _TEXT_LIMITS.items():
        data[field] = problems.cell(
            number, _HEADER[field], clean_text, row[field], limit, required=field in _REQUIRED_TEXT
        )
    for field in ("likelihood", "impact"):
        data[field] = problems.cell(number, _HEADER[field], parse_int, row[field], 1, matrix.size)
    data["measures"] = problems.cell(
        number,
        _HEADER["measures"],
        lambda: parse_measures(clean_text(row["measures"], 20000, required=False)),
    )
    data["next_review"] = problems.cell(
        number, _HEADER["next_review"], parse_date, row["next_review"], required=False
    )
    if "level" in present:
        problems.cell(number, _HEADER["level"], _check_level, row["level"], data, matrix)
    return data if len(problems.problems) == before else None


def _check_level(cell: Any, data: dict[str, Any], matrix: Matrix) -> None:
    text = clean_text(cell, 20, required=False)
    if not text:
        return
    claimed = parse_level(text)
    if claimed is None:
        raise CellError(f"“{text}”不是风险等级，应为 高、中、低（或 一级、二级、三级）")
    if data["likelihood"] and data["impact"]:
        computed = matrix.level(data["likelihood"], data["impact"])
        if claimed != computed:
            raise CellError(
                f"填写为“{text}”，但按可能性 {data['likelihood']}、影响程度 "
                f"{data['impact']} 计算应为“{computed}”（风险等级由系统计算）"
            )


def export_row(
    point: Any, measures: list[dict[str, Any]], units: UnitIndex, matrix: Matrix, style: str
) -> list[Any]:
    """A point (any object with the point's fields and ``unit_code``, ``unit_name``) as one
    row, in the order of ``HEADERS``."""
    return [
        units.cell(point.unit_code, point.unit_name),
        point.post,
        point.power,
        point.stage,
        point.title,
        point.description,
        point.category,
        point.likelihood,
        point.impact,
        level_label(matrix.level(point.likelihood, point.impact), style),
        "\n".join(format_measure(m) for m in measures),
        point.responsible,
        point.supervisor,
        point.indicator,
        point.next_review,
    ]
