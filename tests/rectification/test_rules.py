"""The colour of a ledger item: a plain function of its deadline, the day and the calendar."""

from __future__ import annotations

from datetime import date

import pytest

from riskctl.core.workdays import WorkCalendar
from riskctl.rectification.rules import colour_for, yellow_cutoff

# 2030 loaded with no holidays: weekdays only, so the arithmetic is easy to follow.
PLAIN = WorkCalendar(loaded_years=[2030])
FRIDAY = date(2030, 1, 4)


def test_the_cutoff_is_the_day_after_which_more_than_three_working_days_remain():
    # Fri → Mon 7, Tue 8, Wed 9 are the 3 working days; Thu 10 is the 4th.
    assert yellow_cutoff(PLAIN, FRIDAY, 3) == date(2030, 1, 10)


@pytest.mark.parametrize(
    ("deadline", "colour"),
    [
        (date(2030, 1, 3), "red"),  # yesterday: overdue
        (FRIDAY, "yellow"),  # due today: 0 days left
        (date(2030, 1, 6), "yellow"),  # Sunday: 0 working days left
        (date(2030, 1, 9), "yellow"),  # Wednesday: exactly 3 working days left
        (date(2030, 1, 10), "green"),  # Thursday: 4 working days left
    ],
)
def test_colours_around_the_deadline(deadline, colour):
    cutoff = yellow_cutoff(PLAIN, FRIDAY, 3)
    assert colour_for("open", deadline, FRIDAY, cutoff) == colour


def test_a_holiday_does_not_count_as_a_day_left():
    # Monday 7 is a holiday: Tue, Wed, Thu are the 3 working days; Thursday stays yellow.
    calendar = WorkCalendar(overrides={date(2030, 1, 7): False})
    cutoff = yellow_cutoff(calendar, FRIDAY, 3)
    assert colour_for("open", date(2030, 1, 10), FRIDAY, cutoff) == "yellow"
    assert colour_for("open", date(2030, 1, 11), FRIDAY, cutoff) == "green"


def test_a_make_up_working_day_counts_as_a_day_left():
    # Saturday 5 is a make-up working day (调休上班): Wed 9 is the 4th working day.
    calendar = WorkCalendar(overrides={date(2030, 1, 5): True})
    cutoff = yellow_cutoff(calendar, FRIDAY, 3)
    assert colour_for("open", date(2030, 1, 8), FRIDAY, cutoff) == "yellow"
    assert colour_for("open", date(2030, 1, 9), FRIDAY, cutoff) == "green"


def test_a_closed_item_has_no_warning_colour_even_when_late():
    cutoff = yellow_cutoff(PLAIN, FRIDAY, 3)
    assert colour_for("closed", date(2029, 1, 1), FRIDAY, cutoff) == "closed"


def test_the_threshold_is_configurable():
    cutoff = yellow_cutoff(PLAIN, FRIDAY, 1)
    assert colour_for("open", date(2030, 1, 7), FRIDAY, cutoff) == "yellow"
    assert colour_for("open", date(2030, 1, 8), FRIDAY, cutoff) == "green"
