"""R-SLA-2, R-BAT-9: working days skip weekends and England and Wales bank holidays."""

from datetime import date

import pytest

from hub.workdays import add_working_days, is_working_day, working_days_between


def test_weekend_is_skipped():
    friday = date(2026, 11, 20)
    assert add_working_days(friday, 1) == date(2026, 11, 23)  # Monday
    assert working_days_between(friday, date(2026, 11, 23)) == 1
    assert not is_working_day(date(2026, 11, 21))
    assert not is_working_day(date(2026, 11, 22))


def test_christmas_and_boxing_day_are_skipped():
    # 2026: Christmas Day is a Friday, Boxing Day a Saturday observed on Monday 28th.
    thursday = date(2026, 12, 24)
    assert not is_working_day(date(2026, 12, 25))
    assert not is_working_day(date(2026, 12, 28))
    assert add_working_days(thursday, 1) == date(2026, 12, 29)


def test_substitute_days_when_christmas_falls_at_the_weekend():
    # 2027: Christmas is a Saturday; both substitute days (Mon 27th, Tue 28th) are holidays.
    friday = date(2027, 12, 24)
    assert add_working_days(friday, 1) == date(2027, 12, 29)
    assert working_days_between(friday, date(2027, 12, 29)) == 1


def test_easter_good_friday_and_easter_monday_are_skipped():
    # 2026: Good Friday 3 April, Easter Monday 6 April.
    thursday = date(2026, 4, 2)
    assert add_working_days(thursday, 1) == date(2026, 4, 7)
    assert working_days_between(thursday, date(2026, 4, 7)) == 1


def test_r_sla_2_ten_working_days_over_christmas_and_new_year():
    # Complete on Friday 18 December 2026: 21, 22, 23, 24, 29, 30, 31 Dec, (1 Jan is a
    # holiday), 4, 5, 6 Jan.
    assert add_working_days(date(2026, 12, 18), 10) == date(2027, 1, 6)


@pytest.mark.parametrize(
    "start",
    [date(2026, 12, 18), date(2026, 4, 1), date(2027, 12, 23), date(2026, 11, 21)],
)
@pytest.mark.parametrize("n", [0, 1, 5, 10, 23])
def test_between_inverts_add(start, n):
    assert working_days_between(start, add_working_days(start, n)) == n


def test_counting_back():
    assert add_working_days(date(2026, 4, 7), -1) == date(2026, 4, 2)
    assert working_days_between(date(2026, 4, 7), date(2026, 4, 2)) == -1
