"""Scoring a case file against a rubric (案卷评分规则): plain functions over plain data.

A rubric has veto items (否决项: any one makes the file 不合格 with score 0) and
deduction items in seven groups that total 100 points. A group never goes below
0, however much is deducted in it; a single deduction larger than its group (or
than its item's maximum) is refused. Grade bands (等级) map a score to a grade.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

GROUP_NAMES = ("主体", "事实与证据", "程序", "法律适用", "裁量", "文书", "立卷归档")
TOTAL = Decimal(100)
STEP = Decimal("0.5")
TENTH = Decimal("0.1")
_LARGEST = Decimal(10**6)


class ScoringError(ValueError):
    """Input that cannot be scored; ``details`` maps a field or item code to messages."""

    def __init__(self, details: dict[str, list[str]]) -> None:
        self.details = details
        field, messages = next(iter(details.items()))
        self.message = f"{field}：{messages[0]}"
        super().__init__(self.message)


class _Problems:
    def __init__(self) -> None:
        self.details: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.details.setdefault(field, []).append(message)

    def raise_if_any(self) -> None:
        if self.details:
            raise ScoringError(self.details)


@dataclass(frozen=True)
class VetoItem:
    code: str
    text: str
    guide: str = ""


@dataclass(frozen=True)
class DeductionItem:
    code: str
    text: str
    max: Decimal
    group: str
    guide: str = ""


@dataclass(frozen=True)
class Group:
    name: str
    points: Decimal
    items: tuple[DeductionItem, ...]


@dataclass(frozen=True)
class Rubric:
    veto: tuple[VetoItem, ...]
    groups: tuple[Group, ...]

    def veto_item(self, code: str) -> VetoItem | None:
        return next((v for v in self.veto if v.code == code), None)

    def deduction_item(self, code: str) -> DeductionItem | None:
        return next((i for g in self.groups for i in g.items if i.code == code), None)

    def group(self, name: str) -> Group:
        return next(g for g in self.groups if g.name == name)


@dataclass(frozen=True)
class Mark:
    """One veto (points 0) or deduction on a sheet, with the reviewer's note."""

    code: str
    points: Decimal
    note: str


@dataclass(frozen=True)
class SheetScore:
    score: Decimal
    grade: str
    vetoed: bool
    group_scores: dict[str, Decimal]
    vetoes: tuple[Mark, ...]
    deductions: tuple[Mark, ...]


Bands = Sequence[tuple[str, float]]


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    # Scores live in 0–100; a bound far above keeps `%` and quantize within precision.
    return number if number.is_finite() and abs(number) <= _LARGEST else None


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


# Rubric -----------------------------------------------------------------------


def parse_rubric(body: Mapping[str, Any]) -> Rubric:
    """A rubric from its JSON body, or ScoringError naming every problem."""
    problems = _Problems()
    if not isinstance(body, Mapping):
        raise ScoringError({"rubric": ["评查标准应为对象，含 veto 与 groups"]})
    seen: set[str] = set()
    veto = tuple(_veto_items(body.get("veto"), problems, seen))
    groups = tuple(_groups(body.get("groups"), problems, seen))
    problems.raise_if_any()
    total = sum((g.points for g in groups), Decimal(0))
    if total != TOTAL:
        problems.add("groups", f"各分组分值合计应为 100 分，现为 {_show(total)} 分")
    problems.raise_if_any()
    return Rubric(veto, groups)


def _code(raw: Any, where: str, problems: _Problems, seen: set[str]) -> str:
    code = _text(raw)
    if not code or len(code) > 20:
        problems.add(where, "编号不能为空，且不超过 20 个字符")
    elif code in seen:
        problems.add(where, f"编号 {code} 重复")
    seen.add(code)
    return code


def _veto_items(raw: Any, problems: _Problems, seen: set[str]) -> Iterable[VetoItem]:
    if not isinstance(raw, list):
        problems.add("veto", "否决项应为列表")
        return
    for n, entry in enumerate(raw, 1):
        entry = entry if isinstance(entry, Mapping) else {}
        code = _code(entry.get("code"), f"veto[{n}]", problems, seen)
        if not _text(entry.get("text")):
            problems.add(f"veto[{n}]", "否决项内容不能为空")
        yield VetoItem(code, _text(entry.get("text")), _text(entry.get("guide")))


def _groups(raw: Any, problems: _Problems, seen: set[str]) -> Iterable[Group]:
    if not isinstance(raw, list) or [
        _text(g.get("name")) if isinstance(g, Mapping) else None for g in raw
    ] != list(GROUP_NAMES):
        problems.add("groups", "扣分项须依次分为：" + "、".join(GROUP_NAMES))
        return
    for entry in raw:
        name = _text(entry["name"])
        points = _number(entry.get("points"))
        if points is None or points <= 0 or points % STEP:
            problems.add(name, "分组分值须为大于 0 的数，且为 0.5 分的整数倍")
            points = Decimal(0)
        items = entry.get("items")
        if not isinstance(items, list) or not items:
            problems.add(name, "每个分组至少要有一个扣分项")
            items = []
        yield Group(name, points, tuple(_item(i, name, points, problems, seen) for i in items))


def _item(raw: Any, group: str, points: Decimal, problems: _Problems, seen: set[str]):
    raw = raw if isinstance(raw, Mapping) else {}
    code = _code(raw.get("code"), group, problems, seen)
    most = _number(raw.get("max"))
    if not _text(raw.get("text")):
        problems.add(code or group, "扣分项内容不能为空")
    if most is None or most <= 0 or most % STEP:
        problems.add(code or group, "最高扣分须为大于 0 的数，且为 0.5 分的整数倍")
        most = Decimal(0)
    elif most > points:
        problems.add(code, f"最高扣分 {_show(most)} 分超过“{group}”分组总分 {_show(points)} 分")
    return DeductionItem(code, _text(raw.get("text")), most, group, _text(raw.get("guide")))


# Grade bands ------------------------------------------------------------------


def parse_bands(value: Any) -> list[list[Any]]:
    """Grade bands as ``[[name, min], ...]`` from the highest; the last one starts at 0.

    Raises ValueError with a Chinese message (the settings page shows it).
    """
    if not isinstance(value, list) or len(value) < 2:
        raise ValueError("至少需要两个等级，如 合格 70 分、不合格 0 分")
    bands: list[list[Any]] = []
    for entry in value:
        if not isinstance(entry, list | tuple) or len(entry) != 2:
            raise ValueError("每个等级须有名称和最低分")
        name, low = _text(entry[0]), _number(entry[1])
        if not name or low is None or not 0 <= low <= TOTAL:
            raise ValueError("等级名称不能为空，最低分须在 0 到 100 之间")
        if bands and low >= Decimal(str(bands[-1][1])):
            raise ValueError("等级须按最低分从高到低排列，且不能相同")
        if any(name == b[0] for b in bands):
            raise ValueError(f"等级名称“{name}”重复")
        bands.append([name, float(low)])
    if bands[-1][1] != 0:
        raise ValueError("最后一个等级的最低分须为 0")
    return bands


def grade_for(score: Decimal, bands: Bands) -> str:
    for name, low in bands:
        if score >= Decimal(str(low)):
            return name
    return bands[-1][0]


def failing_grade(bands: Bands) -> str:
    """The lowest band: a vetoed file's grade (默认 不合格)."""
    return bands[-1][0]


# Sheets -----------------------------------------------------------------------


def score_sheet(
    rubric: Rubric,
    vetoes: Sequence[Mapping[str, Any]],
    deductions: Sequence[Mapping[str, Any]],
    bands: Bands,
) -> SheetScore:
    """Score one sheet (评分表); ScoringError names every bad veto or deduction."""
    problems = _Problems()
    veto_marks = _veto_marks(rubric, vetoes, problems)
    marks = _deduction_marks(rubric, deductions, problems)
    problems.raise_if_any()
    lost: dict[str, Decimal] = {g.name: Decimal(0) for g in rubric.groups}
    for mark in marks:
        lost[rubric.deduction_item(mark.code).group] += mark.points
    group_scores = {g.name: max(Decimal(0), g.points - lost[g.name]) for g in rubric.groups}
    if veto_marks:
        return SheetScore(Decimal(0), failing_grade(bands), True, group_scores, veto_marks, marks)
    score = sum(group_scores.values(), Decimal(0))
    return SheetScore(score, grade_for(score, bands), False, group_scores, veto_marks, marks)


def _veto_marks(
    rubric: Rubric, vetoes: Sequence[Mapping[str, Any]], problems: _Problems
) -> tuple[Mark, ...]:
    marks: list[Mark] = []
    seen: set[str] = set()
    for entry in vetoes:
        code = _text(entry.get("code"))
        if rubric.veto_item(code) is None:
            problems.add(code or "vetoes", f"评查标准中没有否决项 {code or '（空）'}")
        elif code in seen:
            problems.add(code, f"否决项 {code} 重复填写")
        elif not _text(entry.get("note")):
            problems.add(code, "请写明否决理由（发现的具体问题）")
        else:
            marks.append(Mark(code, Decimal(0), _text(entry.get("note"))))
        seen.add(code)
    return tuple(marks)


def _deduction_marks(
    rubric: Rubric, deductions: Sequence[Mapping[str, Any]], problems: _Problems
) -> tuple[Mark, ...]:
    marks: list[Mark] = []
    seen: set[str] = set()
    for entry in deductions:
        code = _text(entry.get("code"))
        item = rubric.deduction_item(code)
        if item is None:
            problems.add(code or "deductions", f"评查标准中没有扣分项 {code or '（空）'}")
            continue
        if code in seen:
            problems.add(code, f"扣分项 {code} 重复填写")
            continue
        seen.add(code)
        points = _number(entry.get("points"))
        message = _points_problem(points, item, rubric.group(item.group))
        if message:
            problems.add(code, message)
        elif not _text(entry.get("note")):
            problems.add(code, "请写明扣分理由（发现的具体问题）")
        else:
            marks.append(Mark(code, points, _text(entry.get("note"))))
    return tuple(marks)


def _points_problem(points: Decimal | None, item: DeductionItem, group: Group) -> str | None:
    if points is None or points <= 0:
        return "扣分应为大于 0 的数"
    if points % STEP:
        return "扣分须为 0.5 分的整数倍"
    if points > group.points:
        return f"扣分 {_show(points)} 分超过“{group.name}”分组总分 {_show(group.points)} 分"
    if points > item.max:
        return f"扣分 {_show(points)} 分超过该项最高扣分 {_show(item.max)} 分"
    return None


# A file's result -----------------------------------------------------------------


@dataclass(frozen=True)
class FileResult:
    score: Decimal
    grade: str
    vetoed: bool


@dataclass(frozen=True)
class Vote:
    """One sheet as the result rule reads it: its score, whether it vetoes the file, and
    what its deductions alone come to (what the sheet says if its veto is overturned)."""

    score: Decimal
    vetoed: bool
    without_veto: Decimal


@dataclass(frozen=True)
class Decision:
    """The declared rule's outcome: a result, or a third reviewer to draw first."""

    result: FileResult | None
    spread: Decimal
    needs_third: bool
    basis: str


def decide(
    votes: Sequence[Vote], bands: Bands, margin: Decimal, *, overturned: bool, third_drawn: bool
) -> Decision:
    """The file's result from its sheets, by the rule declared in domain.md:

    - a veto on any sheet stands (不合格, 0), unless the legal office overturns it
      (``overturned``, with a written reason kept by the caller);
    - otherwise the mean score, rounded half up to one decimal;
    - when the scores differ by more than ``margin`` and no third reviewer has been
      drawn yet, a third reviewer is drawn before any result (``needs_third``).
    """
    if not votes:
        raise ValueError("no sheets to decide on")
    if any(v.vetoed for v in votes) and not overturned:
        return Decision(
            FileResult(Decimal(0), failing_grade(bands), True), Decimal(0), False, "否决项成立"
        )
    scores = [v.without_veto if v.vetoed else v.score for v in votes]
    spread = max(scores) - min(scores)
    if spread > margin and not third_drawn:
        return Decision(None, spread, True, "")
    mean = (sum(scores, Decimal(0)) / len(scores)).quantize(TENTH, rounding=ROUND_HALF_UP)
    basis = "否决项经法制科书面推翻，" if overturned else ""
    basis += f"{len(scores)} 份评分表平均"
    return Decision(FileResult(mean, grade_for(mean, bands), False), spread, False, basis)


def _show(number: Decimal) -> str:
    return format(number.normalize(), "f")
