"""Ledger rules (整改台账规则): the settings and the colour of an item, as plain functions."""

from __future__ import annotations

from datetime import date

from riskctl.core.workdays import WorkCalendar


def yellow_cutoff(calendar: WorkCalendar, today: date, yellow_days: int) -> date:
    """Open items due before this date have at most ``yellow_days`` working days left.

    ``working_days_between(today, d) <= n`` holds exactly for ``d`` before the
    (n+1)-th working day after today, so one date turns the rule into a SQL bound.
    """
    return calendar.add_working_days(today, yellow_days + 1).date


def colour_for(status: str, deadline: date, today: date, cutoff: date) -> str:
    """red: overdue; yellow: few working days left; green: in time; closed: 已销号."""
    if status != "open":
        return "closed"
    if deadline < today:
        return "red"
    if deadline < cutoff:
        return "yellow"
    return "green"
