"""The statistics period a request asks for: from/to, or year/quarter, else this quarter."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from riskctl.core import clock
from riskctl.core.bounds import date_error
from riskctl.core.errors import ValidationFailed
from riskctl.leniency.filters import date_arg
from riskctl.leniency.stats.queries import Period, quarter, quarter_of


def from_args(args: Mapping[str, str]) -> Period:
    """``from``/``to``, or ``year``/``quarter``; the current quarter when neither is given."""
    start, end = date_arg(args, "from"), date_arg(args, "to")
    if start or end:
        if not (start and end):
            raise ValidationFailed.field("from", "请同时给出开始日期和结束日期")
        if end < start:
            raise ValidationFailed.field("to", "结束日期不能早于开始日期")
        return Period(start, end)
    year, number = (args.get("year") or "").strip(), (args.get("quarter") or "").strip()
    if year or number:
        if not (year.isdigit() and len(year) == 4 and number in ("1", "2", "3", "4")):
            raise ValidationFailed.field("quarter", "年份应为数字，季度应为 1 到 4")
        if date_error(date(int(year), 1, 1)) or date_error(date(int(year), 12, 31)):
            raise ValidationFailed.field("year", f"年份 {year} 超出允许范围")
        return quarter(int(year), int(number))
    return quarter_of(clock.today())
