"""Cell parsers shared by every import: text, integers, choices and dates (Excel serials too)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from riskctl.core.bounds import date_error
from riskctl.core.tabular.problems import CellError

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


_EXCEL_EPOCH = date(1899, 12, 30)


# Bare numbers in a date column are Excel serials. Only 1950–2199 is accepted:
# a year typed alone ("2026") must not turn into 1905-07-18, and the range
# stays clear of Excel's fictitious 1900-02-29.
_SERIAL_RANGE = ((date(1950, 1, 1) - _EXCEL_EPOCH).days, (date(2199, 12, 31) - _EXCEL_EPOCH).days)


# 2026-03-01, 2026/3/1, 2026.3.1 or 2026年3月1日, optionally followed by a time of day
_DATE_TEXT = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
)


_COMPACT_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})")


_SERIAL_TEXT = re.compile(r"\d{1,6}(?:\.\d+)?")


_INT_TEXT = re.compile(r"[+-]?\d+(?:\.0*)?")


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text_of(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime) and value.time() == time():
        value = value.date()
    return value.isoformat() if isinstance(value, date) else str(value)


def clean_text(value: object, max_len: int, *, required: bool = True) -> str:
    """Stripped text of at most `max_len` characters, without control characters."""
    if _blank(value):
        if required:
            raise CellError("不能为空")
        return ""
    text = _text_of(value).replace("\r\n", "\n").replace("\r", "\n").strip()
    if _CONTROL_CHARS.search(text):
        raise CellError("含有不可见的控制字符，请删除后重试")
    if len(text) > max_len:
        raise CellError(f"不能超过 {max_len} 个字（现有 {len(text)} 个）")
    return text


def parse_int(value: object, lo: int, hi: int, *, required: bool = True) -> int | None:
    """An integer from `lo` to `hi`; accepts 3, 3.0, "3" and "３"."""
    message = f"应为 {lo} 到 {hi} 之间的整数"
    if _blank(value):
        if required:
            raise CellError(f"不能为空，{message}")
        return None
    if isinstance(value, bool):
        raise CellError(message)
    if isinstance(value, float):
        if not value.is_integer():
            raise CellError(message)
        number = int(value)
    elif isinstance(value, int):
        number = value
    else:
        text = unicodedata.normalize("NFKC", str(value)).strip()
        if not _INT_TEXT.fullmatch(text):
            raise CellError(f"“{text}”不是整数，{message}")
        number = int(text.split(".")[0])
    if not lo <= number <= hi:
        raise CellError(message)
    return number


def parse_choice(value: object, choices: Iterable[str], *, required: bool = True) -> str | None:
    """One of `choices`, matched ignoring width, surrounding spaces and letter case."""
    options = list(choices)
    message = "应为以下之一：" + "、".join(options)
    if _blank(value):
        if required:
            raise CellError(f"不能为空，{message}")
        return None
    text = unicodedata.normalize("NFKC", _text_of(value)).strip()
    for option in options:
        if text == option or text.casefold() == option.casefold():
            return option
    raise CellError(f"“{text}”不是可选值，{message}")


def parse_date(value: object, *, required: bool = True) -> date | None:
    """A date in 2000–2100 from a date cell, ISO or Chinese text, `2026/3/1`, or an Excel serial."""
    if _blank(value):
        if required:
            raise CellError("不能为空，应为日期，如 2026-03-01")
        return None
    day = _any_date(value)
    message = date_error(day)
    if message:
        raise CellError(message)
    return day


def _any_date(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _from_serial(value, str(value))
    text = unicodedata.normalize("NFKC", str(value)).strip()
    match = _DATE_TEXT.fullmatch(text) or _COMPACT_DATE.fullmatch(text)
    if match:
        try:
            return date(*(int(part) for part in match.groups()))
        except ValueError:
            raise CellError(f"日期“{text}”不存在") from None
    if _SERIAL_TEXT.fullmatch(text):
        return _from_serial(float(text), text)
    raise CellError(f"无法识别的日期“{text}”，应如 2026-03-01")


def _from_serial(serial: float, shown: str) -> date:
    lo, hi = _SERIAL_RANGE
    if not lo <= serial < hi + 1:
        raise CellError(f"无法识别的日期“{shown}”，应如 2026-03-01")
    return _EXCEL_EPOCH + timedelta(days=int(serial))
