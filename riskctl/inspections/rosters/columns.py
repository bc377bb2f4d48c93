"""Column-wise checks of an imported roster: one pass per column, a problem per bad cell.

A million-row file is checked a column at a time with plain list passes (and
numpy for the credit-code check digits); only the cells that fail a quick test
get the slow, precise check that words the message.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

import numpy as np

from riskctl.core.ids import IdError, validate_credit_code
from riskctl.core.tabular.problems import ProblemCollector
from riskctl.core.tabular.reading import Table

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CREDIT_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = np.array((1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28))
_CREDIT_VALUE = np.full(256, -1, dtype=np.int64)
for _value, _char in enumerate(_CREDIT_CHARSET):
    _CREDIT_VALUE[ord(_char)] = _value
_CREDIT_CHECK = np.frombuffer(_CREDIT_CHARSET.encode(), dtype=np.uint8)


def _as_text(value: Any) -> str:
    """A spreadsheet cell as the text the user typed (xlsx gives numbers and dates)."""
    if type(value) is str:
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


class ColumnChecker:
    """Checks the columns of ``table`` and collects every problem in ``problems``.

    Each check first asks a whole-column question at C speed (is the joined column
    printable, NFC, free of control characters; are all values known?) and walks
    the cells one by one only when that answer is no.
    """

    def __init__(self, table: Table, problems: ProblemCollector) -> None:
        self.table = table
        self.problems = problems
        self.rows = table.row_numbers

    def _texts(self, field: str) -> list[str]:
        values = self.table.column(field)
        if all(type(v) is str for v in values):
            return values
        return [v if type(v) is str else _as_text(v) for v in values]

    def report(self, field: str, index: int, message: str) -> None:
        self.problems.add(self.rows[index], self.table.header(field), message)

    def ids(self, field: str, max_len: int) -> list[str]:
        """Unique ids: exact text, no blank, no surrounding space, tab or control character.

        An id is kept as typed (NFC) rather than trimmed: "ZF-01 " and "ZF-01" would be
        two different people, so a stray space is the user's to fix.
        """
        label = self.table.header(field)
        values = self._texts(field)
        joined = "".join(values)
        if not unicodedata.is_normalized("NFC", joined):
            values = [unicodedata.normalize("NFC", v) for v in values]
        # isprintable() is False for tabs, line breaks, NBSP and 全角空格: only ASCII
        # spaces can then surround an id, and a column without any needs no cell walk.
        if not (
            all(values)
            and joined.isprintable()
            and " " not in joined
            and max(map(len, values)) <= max_len
        ):
            for i, value in enumerate(values):
                if (
                    not value
                    or value != value.strip()
                    or not value.isprintable()
                    or len(value) > max_len
                ):
                    self.report(field, i, _id_problem(label, value, max_len))
        if len(set(values)) != len(values):
            first: dict[str, int] = {}
            for i, value in enumerate(values):
                j = first.setdefault(value, i)
                if j != i and value:
                    self.report(field, i, f"{label}“{value}”与第 {self.rows[j]} 行重复")
        return values

    def text(self, field: str, max_len: int, *, required: bool) -> list[str]:
        """Trimmed single-line text of at most ``max_len`` characters."""
        values = [v.strip() for v in self._texts(field)]
        if (
            (all(values) or not required)
            and max(map(len, values), default=0) <= max_len
            and not _CONTROL.search("".join(values))
        ):
            return values
        for i, value in enumerate(values):
            if not value:
                if required:
                    self.report(field, i, "不能为空")
            elif len(value) > max_len:
                self.report(field, i, f"不能超过 {max_len} 个字（现有 {len(value)} 个）")
            elif _CONTROL.search(value):
                self.report(field, i, "含有换行、制表符或不可见的控制字符，请删除后重试")
        return values

    def choice(self, field: str, choices: Mapping[str, str], shown: Sequence[str]) -> list[str]:
        """Each cell mapped through ``choices`` (typed text → stored value)."""
        values = self._texts(field)
        out = [choices.get(v) for v in values]
        for i in [i for i, stored in enumerate(out) if stored is None]:
            key = values[i].strip()
            stored = choices.get(key) or choices.get(unicodedata.normalize("NFKC", key).upper())
            if stored is None:
                message = "不能为空" if not key else f"“{key}”不是可选值"
                self.report(field, i, f"{message}，应为以下之一：{'、'.join(shown)}")
                stored = ""
            out[i] = stored
        return out

    def credit_codes(self, field: str, required: Sequence[bool]) -> list[str | None]:
        """统一社会信用代码 (GB 32100-2015); a wrong check character refuses the row."""
        values = self._texts(field)
        good = _quick_credit_check(values)
        out: list[str | None] = list(values)
        for i in np.flatnonzero(~good):
            value = values[i].strip()
            if not value:
                out[i] = None
                if required[i]:
                    self.report(field, i, "该类型对象必须填写统一社会信用代码")
                continue
            try:
                out[i] = validate_credit_code(value)
            except IdError as exc:
                self.report(field, i, f"“{value}”{exc.message}")
                out[i] = None
        return out

    def lookup(
        self,
        field: str,
        known: Mapping[str, int],
        noun: str,
        refused: Mapping[str, str] | None = None,
    ) -> list[int]:
        """Each cell looked up in ``known`` (e.g. unit code or name → unit id); a cell in
        ``refused`` (e.g. a deactivated unit) is reported with its message."""
        refused = refused or {}
        values = self._texts(field)
        out = [None if v in refused else known.get(v) for v in values]
        for i in [i for i, found in enumerate(out) if found is None]:
            key = values[i].strip()
            found = known.get(key)
            if key in refused:
                self.report(field, i, refused[key])
                found = 0
            elif found is None:
                self.report(field, i, "不能为空" if not key else f"{noun}“{key}”不存在")
                found = 0
            out[i] = found
        return out


def _id_problem(label: str, value: str, max_len: int) -> str:
    if not value.strip():
        return f"{label}不能为空"
    if "\t" in value:
        return f"{label}“{value.strip()}”含有制表符，请删除后重试"
    if value != value.strip():
        return f"{label}“{value.strip()}”首尾含有空格，请删除后重试"
    if len(value) > max_len:
        return f"{label}不能超过 {max_len} 个字符（现有 {len(value)} 个）"
    return f"{label}“{value}”含有换行、全角空格或不可见字符，请删除后重试"


def _quick_credit_check(values: list[str]) -> np.ndarray:
    """True where a value is already a valid, normalised credit code (vectorised)."""
    good = np.zeros(len(values), dtype=bool)
    shaped = [i for i, v in enumerate(values) if len(v) == 18 and v.isascii()]
    if not shaped:
        return good
    chars = np.frombuffer("".join(values[i] for i in shaped).encode(), dtype=np.uint8)
    chars = chars.reshape(-1, 18)
    digits = _CREDIT_VALUE[chars]
    valid_chars = (digits >= 0).all(axis=1)
    check = (31 - (digits[:, :17] @ _CREDIT_WEIGHTS) % 31) % 31
    good[np.array(shaped)] = valid_chars & (_CREDIT_CHECK[check] == chars[:, 17])
    return good
