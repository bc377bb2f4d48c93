"""Query-string filters shared by the API and the pages (list filters, statistics period)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from riskctl.core import clock
from riskctl.core.bounds import date_error
from riskctl.core.errors import ValidationFailed
from riskctl.leniency import party
from riskctl.leniency.queries import RecordFilter
from riskctl.leniency.rules import GROUNDS, STATUSES
from riskctl.leniency.schemas import normalise_code
from riskctl.leniency.stats.queries import Period, quarter, quarter_of

_TRUE = {"1", "true", "yes", "on"}


def _date(args: Mapping[str, str], name: str) -> date | None:
    value = (args.get(name) or "").strip()
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed.field(name, f"日期“{value}”格式不对，应如 2026-03-01") from None
    problem = date_error(day)
    if problem:
        raise ValidationFailed.field(name, problem)
    return day


def _choice(args: Mapping[str, str], name: str, choices: tuple[str, ...]) -> str | None:
    value = (args.get(name) or "").strip()
    if value and value not in choices:
        raise ValidationFailed.field(name, f"应为以下之一：{'、'.join(choices)}")
    return value or None


def record_filter(args: Mapping[str, str]) -> RecordFilter:
    start, end = _date(args, "from"), _date(args, "to")
    if start and end and end < start:
        raise ValidationFailed.field("to", "结束日期不能早于开始日期")
    party_id = (args.get("party_id") or "").strip()
    return RecordFilter(
        unit=(args.get("unit") or "").strip() or None,
        item=normalise_code(args.get("item") or "") or None,
        ground=_choice(args, "ground", GROUNDS),
        status=_choice(args, "status", STATUSES),
        start=start,
        end=end,
        overdue=(args.get("overdue") or "").lower() in _TRUE,
        party_key=party.key_for(party_id) if party_id else None,
        q=(args.get("q") or "").strip() or None,
    )


def period(args: Mapping[str, str]) -> Period:
    """``from``/``to``, or ``year``/``quarter``; the current quarter when neither is given."""
    start, end = _date(args, "from"), _date(args, "to")
    if start or end:
        if not (start and end):
            raise ValidationFailed.field("from", "请同时给出开始日期和结束日期")
        if end < start:
            raise ValidationFailed.field("to", "结束日期不能早于开始日期")
        return Period(start, end)
    year, number = (args.get("year") or "").strip(), (args.get("quarter") or "").strip()
    if year or number:
        if not (year.isdigit() and number in ("1", "2", "3", "4")):
            raise ValidationFailed.field("quarter", "年份应为数字，季度应为 1 到 4")
        return quarter(int(year), int(number))
    return quarter_of(clock.today())
