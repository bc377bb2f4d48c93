from datetime import date

import pytest

from riskctl.core.workdays import Deadline, ScheduleError, WorkCalendar, parse_schedule

# chinesecalendar 1.11.0 carries the State Council's 2026 schedule: 国庆节 10-01..10-07
# off (10-08 is a working day again), make-up working days Sun 09-20 and Sat 10-10;
# 中秋节 09-25..09-27 off.

# Not an official schedule: an administrator's upload for a year the package
# does not know yet, with a make-up Sunday and a holiday week.
SCHEDULE_2027 = """日期,类型,说明
2027-09-26,班,国庆节调休
2027-10-01,休,国庆节
2027-10-02,休
2027-10-03,休
2027-10-04,休
2027-10-05,休
2027-10-06,休
2027-10-07,休
2027-10-09,班,国庆节调休
"""


@pytest.fixture
def calendar():
    return WorkCalendar()


def test_the_2026_national_day_week_is_off_and_its_make_up_days_are_worked(calendar):
    assert not any(calendar.is_working_day(date(2026, 10, d)) for d in range(1, 8))
    assert calendar.is_working_day(date(2026, 10, 8))
    assert calendar.is_working_day(date(2026, 9, 20))  # a Sunday
    assert calendar.is_working_day(date(2026, 10, 10))  # a Saturday
    assert not calendar.is_working_day(date(2026, 10, 11))


def test_a_deadline_skips_the_national_day_week(calendar):
    assert calendar.add_working_days(date(2026, 9, 30), 1) == Deadline(date(2026, 10, 8), False)
    assert calendar.add_working_days(date(2026, 9, 30), 3) == Deadline(date(2026, 10, 10), False)


def test_twenty_working_days(calendar):
    # 09-20 (Sunday) is worked, 09-25..27 is 中秋节
    assert calendar.add_working_days(date(2026, 9, 1), 20) == Deadline(date(2026, 9, 29), False)
    # across 国庆节, counting the make-up Saturday 10-10
    assert calendar.add_working_days(date(2026, 9, 21), 20) == Deadline(date(2026, 10, 26), False)


def test_zero_working_days_is_the_start_itself(calendar):
    assert calendar.add_working_days(date(2026, 10, 3), 0) == Deadline(date(2026, 10, 3), False)


def test_a_negative_count_is_a_programming_error(calendar):
    with pytest.raises(ValueError):
        calendar.add_working_days(date(2026, 10, 3), -1)


def test_an_unknown_year_falls_back_to_weekdays_provisionally(calendar):
    # 2027-10-01 is a Friday: without a schedule it counts as a working day
    assert calendar.add_working_days(date(2027, 9, 30), 1) == Deadline(date(2027, 10, 1), True)
    assert calendar.add_working_days(date(2027, 10, 1), 1) == Deadline(date(2027, 10, 4), True)
    assert not calendar.is_known(date(2027, 1, 4))
    assert not calendar.is_known(date(2003, 1, 6))
    assert calendar.is_working_day(date(2003, 1, 6))


def test_a_deadline_crossing_into_an_unknown_year_is_provisional(calendar):
    deadline = calendar.add_working_days(date(2026, 12, 25), 10)
    assert deadline.provisional
    assert deadline.date.year == 2027


def test_a_loaded_schedule_makes_the_year_known_and_honours_make_up_days():
    calendar = WorkCalendar(parse_schedule(SCHEDULE_2027), loaded_years=[2027])
    assert calendar.add_working_days(date(2027, 9, 25), 1) == Deadline(date(2027, 9, 26), False)
    assert calendar.add_working_days(date(2027, 9, 30), 1) == Deadline(date(2027, 10, 8), False)
    assert calendar.add_working_days(date(2027, 9, 30), 2) == Deadline(date(2027, 10, 9), False)
    # days the schedule does not mention follow the weekday
    assert not calendar.is_working_day(date(2027, 10, 10))
    assert calendar.is_working_day(date(2027, 10, 11))


def test_a_loaded_year_without_special_days_is_known():
    calendar = WorkCalendar(loaded_years=[2027])
    assert calendar.add_working_days(date(2027, 1, 1), 1) == Deadline(date(2027, 1, 4), False)


def test_a_loaded_schedule_replaces_the_package_for_its_year():
    calendar = WorkCalendar({date(2026, 10, d): False for d in range(1, 9)})
    assert calendar.add_working_days(date(2026, 9, 30), 1) == Deadline(date(2026, 10, 9), False)
    assert not calendar.is_working_day(date(2026, 9, 20))  # no make-up Sunday in this upload


def test_working_days_between_counts_after_the_first_day_up_to_the_second(calendar):
    assert calendar.working_days_between(date(2026, 9, 30), date(2026, 10, 10)) == 3
    assert calendar.working_days_between(date(2026, 10, 10), date(2026, 9, 30)) == -3
    assert calendar.working_days_between(date(2026, 10, 9), date(2026, 10, 9)) == 0
    # overdue across a weekend: judge by the dates, the count may be 0
    assert calendar.working_days_between(date(2026, 10, 17), date(2026, 10, 16)) == 0


def test_schedule_words_in_chinese_and_english_and_full_width_commas():
    text = "\ufeff2027-05-01，假\n2027/5/2 休息\n\n# 劳动节\n2027-05-03,holiday\n2027-04-25\t上班\n"
    assert parse_schedule(text) == {
        date(2027, 5, 1): False,
        date(2027, 5, 2): False,
        date(2027, 5, 3): False,
        date(2027, 4, 25): True,
    }


def test_schedule_errors_name_every_bad_line():
    text = "2027-13-01,休\n2027-10-01\n2027-10-02,忙\n2027-10-03,休\n2027-10-03,班\n"
    with pytest.raises(ScheduleError) as caught:
        parse_schedule(text)
    assert caught.value.problems == [
        "第 1 行：日期“2027-13-01”不存在",
        "第 2 行：应为“日期,休”或“日期,班”，实际为“2027-10-01”",
        "第 3 行：无法识别的类型“忙”（应为 休 或 班）",
        "第 5 行：2027-10-03 与第 4 行矛盾",
    ]
    assert caught.value.message.startswith("第 1 行：")


def test_a_schedule_line_with_an_unreadable_date_is_named():
    with pytest.raises(ScheduleError, match="第 1 行：无法识别的日期“十月一日”"):
        parse_schedule("十月一日,休")
