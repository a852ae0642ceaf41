import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from fupin.core import calendar as c

D = dt.date


def test_date_to_date_months():
    """R-PRD-2: a loan of 2026-01-31 for one month is due 2026-02-28."""
    assert c.add_months(D(2026, 1, 31), 1) == D(2026, 2, 28)
    assert c.add_months(D(2024, 2, 29), 12) == D(2025, 2, 28)
    assert c.add_months(D(2026, 1, 31), 2) == D(2026, 3, 31)
    assert c.add_months(D(2026, 12, 15), 1) == D(2027, 1, 15)
    assert c.add_months(D(2026, 3, 15), -3) == D(2025, 12, 15)


@given(st.dates(D(2000, 1, 1), D(2090, 12, 31)), st.integers(0, 480))
def test_add_months_properties(start, n):
    d = c.add_months(start, n)
    assert (d.year * 12 + d.month) - (start.year * 12 + start.month) == n
    assert d.day == min(start.day, c.days_in_month(d.year, d.month))


def test_statutory_holidays_and_adjusted_working_days():
    assert not c.is_working_day(D(2026, 10, 1))  # National Day
    assert not c.is_working_day(D(2026, 2, 17))  # Spring Festival
    assert not c.is_working_day(D(2026, 10, 7))
    # 调休: Saturday 2026-10-10 is an official working day, Sunday 2026-10-11 is not
    assert c.is_working_day(D(2026, 10, 10)) and not c.is_working_day(D(2026, 10, 11))
    assert c.next_working_day(D(2026, 10, 1)) == D(2026, 10, 8)
    assert c.next_working_day(D(2026, 10, 9)) == D(2026, 10, 9)


def test_years_outside_the_official_calendar_fall_back_to_weekends():
    first, last = c._calendar_years()
    y = last + 1
    assert not c.covered(y)
    saturday = next(
        D(y, 1, 1) + dt.timedelta(days=i)
        for i in range(7)
        if (D(y, 1, 1) + dt.timedelta(days=i)).weekday() == 5
    )
    assert not c.is_working_day(saturday)
    assert c.next_working_day(saturday) == saturday + dt.timedelta(days=2)
    note = c.calendar_note([saturday])
    assert note and str(y) in note and "周末" in note
    assert c.calendar_note([D(2026, 5, 1)]) is None


def test_days_an_administrator_entered_win_and_make_the_year_known():
    """Issue 24 (6): a year the package does not know, once its arrangement is entered: the days
    off move due dates, a weekend working day (调休) takes them, and the year counts as known."""
    y = c._calendar_years()[1] + 1
    first_friday = next(
        D(y, 10, 1) + dt.timedelta(days=i)
        for i in range(7)
        if (D(y, 10, 1) + dt.timedelta(days=i)).weekday() == 4
    )
    saturday = first_friday + dt.timedelta(days=1)
    try:
        c.use_entered({first_friday: False, saturday: True})
        assert c.covered(y) and c.calendar_note([first_friday]) is None
        assert not c.is_working_day(first_friday) and c.is_working_day(saturday)
        assert c.next_working_day(first_friday) == saturday
        assert c.is_working_day(first_friday - dt.timedelta(days=1))  # the Thursday is untouched
    finally:
        c.use_entered({})
    assert not c.covered(y) and c.is_working_day(first_friday) and not c.is_working_day(saturday)
