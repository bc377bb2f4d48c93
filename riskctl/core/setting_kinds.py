"""The type of a setting, declared once beside it: what the API accepts and how a page shows it.

A kind is the setting's validator (``kind(value)`` returns the clean value or raises
``ValueError`` with a Chinese message) and also says how the administrator's page
renders it (``widget``, ``unit``, ``hint``), how to show a value in the form
(``to_form``) and how to read the form back (``from_form``). The API and the page
both end in ``settings.clean``, so one declaration bounds both.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from riskctl.core.figures import percent_text, ratio_of_percent

INT32 = 2_147_483_647

Form = Mapping[str, str]  # the submitted form: field name -> text


def _shown(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _number_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class Kind:
    widget = "json"
    unit = ""

    def __call__(self, value: Any) -> Any:
        return value

    @property
    def hint(self) -> str:
        return ""

    def to_form(self, value: Any) -> Any:
        """The value as the form shows it (text, or a structure of texts)."""
        return _shown(value)

    def from_form(self, form: Form, name: str) -> Any:
        """The raw value read from the form fields under ``name`` (then validated)."""
        text = form.get(name, "").strip()
        try:
            return json.loads(text)
        except ValueError:
            raise ValueError("格式不对") from None

    def text(self, value: Any) -> str:
        """The value for reading (the default column): Chinese, with its unit."""
        shown = self.to_form(value)
        return f"{shown} {self.unit}".strip() if isinstance(shown, str) else _shown(shown)


class Custom(Kind):
    """A setting with its own validator and no typed form (a JSON field)."""

    def __init__(self, validate: Callable[[Any], Any]) -> None:
        self._validate = validate

    def __call__(self, value: Any) -> Any:
        return self._validate(value)


class Integer(Kind):
    widget = "number"

    def __init__(self, low: int = 1, high: int = INT32, unit: str = "") -> None:
        self.low, self.high, self.unit = low, high, unit

    @property
    def hint(self) -> str:
        unit = f"（{self.unit}）" if self.unit else ""
        if self.high >= INT32:
            return f"不小于 {self.low} 的整数{unit}"
        return f"{self.low} 到 {self.high} 之间的整数{unit}"

    def __call__(self, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"须为 {self.hint}（收到 {_shown(value)}）")
        if not self.low <= value <= self.high:
            raise ValueError(f"须为 {self.hint}（收到 {value}）")
        return value

    def to_form(self, value: Any) -> str:
        return _number_text(value)

    def from_form(self, form: Form, name: str) -> Any:
        text = form.get(name, "").strip()
        if not text:
            raise ValueError("请填写")
        try:
            return int(text)
        except ValueError:
            raise ValueError(f"“{text}”不是整数，须为 {self.hint}") from None

    @property
    def step(self) -> str:
        return "1"


class Number(Integer):
    def __init__(self, low: float, high: float, unit: str = "", step: str = "any") -> None:
        self.low, self.high, self.unit, self._step = low, high, unit, step

    @property
    def hint(self) -> str:
        unit = f"（{self.unit}）" if self.unit else ""
        return f"{self.low:g} 到 {self.high:g} 之间的数字{unit}"

    def __call__(self, value: Any) -> float:
        numeric = isinstance(value, int | float) and not isinstance(value, bool)
        if not numeric or value != value or not self.low <= value <= self.high:
            raise ValueError(f"须为 {self.hint}（收到 {_shown(value)}）")
        return float(value)

    def from_form(self, form: Form, name: str) -> Any:
        text = form.get(name, "").strip()
        if not text:
            raise ValueError("请填写")
        try:
            number = float(Decimal(text))
        except (InvalidOperation, ValueError):
            raise ValueError(f"“{text}”不是数字，须为 {self.hint}") from None
        return int(number) if number.is_integer() else number

    @property
    def step(self) -> str:
        return self._step


class Percent(Kind):
    """A ratio stored from 0 to 1 (``as_text``: as a decimal string), typed and shown in %."""

    widget = "number"
    unit = "%"
    step = "any"

    def __init__(self, places: int = 4, as_text: bool = False) -> None:
        self.places, self.as_text = places, as_text

    @property
    def hint(self) -> str:
        return f"0 到 100 之间，最多 {self.places - 2} 位小数（如 5 表示 5%）"

    def __call__(self, value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise ValueError(f"须为 0 到 1 之间的比例（收到 {_shown(value)}）")
        try:
            ratio = Decimal(str(value).strip())
        except InvalidOperation:
            raise ValueError(f"“{value}”不是数字") from None
        if not ratio.is_finite() or not 0 <= ratio <= 1:
            raise ValueError(f"须在 0% 到 100% 之间（收到 {percent_text(ratio)}%）")
        if ratio.as_tuple().exponent < -self.places:
            raise ValueError(
                f"最多保留 {self.places - 2} 位小数的百分数（收到 {percent_text(ratio)}%）"
            )
        return str(ratio) if self.as_text else float(ratio)

    def to_form(self, value: Any) -> str:
        return percent_text(value)

    def text(self, value: Any) -> str:
        return f"{self.to_form(value)}%"

    def from_form(self, form: Form, name: str) -> Any:
        text = form.get(name, "").strip()
        if not text:
            raise ValueError("请填写百分数")
        ratio = ratio_of_percent(text, self.places - 2)
        return format(ratio, "f") if self.as_text else float(ratio)


class Switch(Kind):
    widget = "switch"

    def __call__(self, value: Any) -> bool:
        if not isinstance(value, bool):
            raise ValueError(f"须为 true（启用）或 false（停用）（收到 {_shown(value)}）")
        return value

    def to_form(self, value: Any) -> str:
        return "1" if value else "0"

    def text(self, value: Any) -> str:
        return "启用" if value else "停用"

    def from_form(self, form: Form, name: str) -> Any:
        text = form.get(name, "")
        if text not in ("0", "1"):
            raise ValueError("请选择启用或停用")
        return text == "1"


class Choice(Kind):
    widget = "choice"

    def __init__(self, options: Mapping[str, str]) -> None:
        self.options = dict(options)  # stored value -> label

    @property
    def hint(self) -> str:
        return "、".join(self.options.values())

    def __call__(self, value: Any) -> str:
        if not isinstance(value, str) or value not in self.options:
            choices = "、".join(f"“{v}”" for v in self.options)
            raise ValueError(f"须为 {choices} 之一")
        return value

    def to_form(self, value: Any) -> str:
        return str(value)

    def text(self, value: Any) -> str:
        return self.options.get(value, str(value))

    def from_form(self, form: Form, name: str) -> Any:
        return form.get(name, "")


class Lines(Kind):
    """A list of short texts, typed one per line."""

    widget = "lines"

    def __init__(self, max_items: int = 100, max_length: int = 100) -> None:
        self.max_items, self.max_length = max_items, max_length

    @property
    def hint(self) -> str:
        return f"每行一项，最多 {self.max_items} 项"

    def __call__(self, value: Any) -> list[str]:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValueError("须为文字的列表")
        if len(value) > self.max_items:
            raise ValueError(f"最多 {self.max_items} 项")
        for number, item in enumerate(value, 1):
            if not item.strip() or len(item) > self.max_length:
                raise ValueError(f"第 {number} 项不能为空，且不超过 {self.max_length} 个字")
        return [v.strip() for v in value]

    def to_form(self, value: Any) -> str:
        return "\n".join(value)

    def text(self, value: Any) -> str:
        return "、".join(value)

    def from_form(self, form: Form, name: str) -> Any:
        return [line.strip() for line in form.get(name, "").splitlines() if line.strip()]


class Keyed(Kind):
    """A mapping from fixed keys to values of one kind (``required``: every key present)."""

    widget = "keyed"

    def __init__(self, keys: Mapping[str, str], item: Kind, required: bool = True) -> None:
        self.keys, self.item, self.required = dict(keys), item, required
        self.unit = item.unit

    @property
    def hint(self) -> str:
        optional = "；留空则不设" if not self.required else ""
        return f"每项 {self.item.hint}{optional}"

    def __call__(self, value: Any) -> dict[str, Any]:
        if not isinstance(value, dict) or not value:
            raise ValueError(f"须为 {'、'.join(self.keys.values())} 各自的取值")
        unknown = [k for k in value if k not in self.keys]
        if unknown:
            raise ValueError(f"“{unknown[0]}”无效，应为 {'、'.join(self.keys)} 之一")
        missing = [label for k, label in self.keys.items() if k not in value]
        if self.required and missing:
            raise ValueError(f"缺少{missing[0]}")
        out = {}
        for key in self.keys:
            if key in value:
                try:
                    out[key] = self.item(value[key])
                except ValueError as exc:
                    raise ValueError(f"{self.keys[key]}：{exc}") from None
        return out

    def to_form(self, value: Any) -> dict[str, str]:
        return {k: self.item.to_form(v) for k, v in value.items()}

    def text(self, value: Any) -> str:
        return "，".join(f"{self.keys.get(k, k)} {self.item.text(v)}" for k, v in value.items())

    def from_form(self, form: Form, name: str) -> Any:
        out = {}
        for key, label in self.keys.items():
            field = f"{name}.{key}"
            if not self.required and not form.get(field, "").strip():
                continue
            try:
                out[key] = self.item.from_form(form, field)
            except ValueError as exc:
                raise ValueError(f"{label}：{exc}") from None
        return out


class Rows(Kind):
    """A short table: each row a fixed set of columns (text or integer), in order.

    ``validate`` checks the whole table (its own rules, e.g. descending scores).
    """

    widget = "rows"

    def __init__(
        self,
        columns: Sequence[tuple[str, type]],
        validate: Callable[[Any], Any],
        max_rows: int = 10,
    ) -> None:
        self.columns, self.validate, self.max_rows = list(columns), validate, max_rows

    @property
    def hint(self) -> str:
        return f"每行一项（最多 {self.max_rows} 行），空行不计"

    def __call__(self, value: Any) -> Any:
        return self.validate(value)

    def to_form(self, value: Any) -> list[list[str]]:
        return [[_number_text(cell) for cell in row] for row in value]

    def text(self, value: Any) -> str:
        return "；".join(" ".join(_number_text(c) for c in row) for row in value)

    def from_form(self, form: Form, name: str) -> Any:
        rows = []
        for index in range(self.max_rows):
            cells = [form.get(f"{name}.{index}.{c}", "").strip() for c in range(len(self.columns))]
            if not any(cells):
                continue
            row: list[Any] = []
            for (label, kind), cell in zip(self.columns, cells, strict=True):
                if kind in (int, float):
                    try:
                        number = Decimal(cell)
                        if not number.is_finite():
                            raise InvalidOperation
                    except InvalidOperation:
                        raise ValueError(f"第 {len(rows) + 1} 行的{label}须为数字") from None
                    row.append(int(number) if number == int(number) else float(number))
                else:
                    row.append(cell)
            rows.append(row)
        return rows


class Grid(Kind):
    """A square table of choices up to ``max_size`` (rows and columns named by the page)."""

    widget = "grid"

    def __init__(self, options: Sequence[str], max_size: int, validate: Callable) -> None:
        self.options, self.max_size, self.validate = list(options), max_size, validate

    @property
    def hint(self) -> str:
        return f"从左上角起填写 2×2 到 {self.max_size}×{self.max_size} 的方阵，不用的格留空"

    def __call__(self, value: Any) -> Any:
        return self.validate(value)

    def to_form(self, value: Any) -> list[list[str]]:
        return [list(row) for row in value]

    def text(self, value: Any) -> str:
        return " / ".join("".join(row) for row in value)

    def from_form(self, form: Form, name: str) -> Any:
        rows = []
        for r in range(self.max_size):
            cells = [form.get(f"{name}.{r}.{c}", "") for c in range(self.max_size)]
            cells = [cell for cell in cells if cell]
            if cells:
                rows.append(cells)
        return rows
