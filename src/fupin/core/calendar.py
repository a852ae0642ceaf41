"""Business dates: date-to-date terms, day counts and China's working-day calendar (R-PRD-2).

* Terms are counted date to date (对年对月对日): 2026-01-31 + 1 month = 2026-02-28.
* A due date on a weekend or statutory holiday may move to the next working day, using
  ``chinese-calendar`` (official holidays and adjusted working days 调休) and the days an
  administrator entered (:func:`use_entered`: a year the package does not know yet, once the State
  Council publishes it, or a correction) — those win. For a year neither covers, weekends alone
  are used and :func:`covered` says so, so that a schedule can tell its reader.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from functools import lru_cache
from typing import Literal

import chinese_calendar

TermUnit = Literal["day", "week", "month"]
ONE_DAY = dt.timedelta(days=1)


def days_in_month(year: int, month: int) -> int:
    if month == 12:
        return 31
    return (dt.date(year, month + 1, 1) - dt.date(year, month, 1)).days


def month_end(d: dt.date) -> dt.date:
    return dt.date(d.year, d.month, days_in_month(d.year, d.month))


def month_ends(first: dt.date, last: dt.date) -> list[dt.date]:
    """The month-ends from ``first``'s month up to, not including, ``last``: 2026-01-15 to 2026-03-31
    → 2026-01-31, 2026-02-28."""
    out, m = [], month_end(first)
    while m < last:
        out.append(m)
        m = month_end(m + ONE_DAY)
    return out


def add_months(start: dt.date, months: int) -> dt.date:
    """Date to date: the same day ``months`` later, clamped to the month's last day.

    Worked example: 2026-01-31 + 1 month = 2026-02-28; 2024-02-29 + 12 months = 2025-02-28.
    """
    index = start.year * 12 + (start.month - 1) + months
    year, month0 = divmod(index, 12)
    return dt.date(year, month0 + 1, min(start.day, days_in_month(year, month0 + 1)))


def add_term(start: dt.date, n: int, unit: TermUnit) -> dt.date:
    if unit == "month":
        return add_months(start, n)
    if unit == "week":
        return start + dt.timedelta(weeks=n)
    return start + dt.timedelta(days=n)


@lru_cache(maxsize=64)
def _calendar_years() -> tuple[int, int]:
    try:
        chinese_calendar.is_workday(dt.date(2004, 1, 1))
    except NotImplementedError:  # pragma: no cover - the package always covers 2004
        return (0, -1)
    first, last = 2004, 2004
    while True:
        try:
            chinese_calendar.is_workday(dt.date(last + 1, 6, 1))
        except NotImplementedError:
            return first, last
        last += 1


# the days an administrator entered: True a working day (调休), False a day off
_entered: dict[dt.date, bool] = {}
_entered_years: frozenset[int] = frozenset()


def use_entered(days: Mapping[dt.date, bool]) -> None:
    """Use these days (True: a working day, False: a day off) over the package from now on; a year
    with any of them counts as known."""
    global _entered, _entered_years
    _entered, _entered_years = dict(days), frozenset(d.year for d in days)
    is_working_day.cache_clear()


def _package_covers(year: int) -> bool:
    first, last = _calendar_years()
    return first <= year <= last


def covered(year: int) -> bool:
    """True when the official holiday calendar is known for ``year`` (the package's or entered)."""
    return _package_covers(year) or year in _entered_years


@lru_cache(maxsize=200_000)
def is_working_day(day: dt.date) -> bool:
    """Official working day (including 调休 Saturdays/Sundays); entered days first; weekends only
    outside coverage. Worked example: 2026-10-01 (National Day) is a day off."""
    if day in _entered:
        return _entered[day]
    if _package_covers(day.year):
        return bool(chinese_calendar.is_workday(day))
    return day.weekday() < 5


def next_working_day(day: dt.date) -> dt.date:
    """``day`` itself when it is a working day, else the first working day after it."""
    while not is_working_day(day):
        day += ONE_DAY
    return day


def calendar_note(days: list[dt.date] | tuple[dt.date, ...]) -> str | None:
    """A Chinese note when some of ``days`` fall in years without an official calendar."""
    missing = sorted({d.year for d in days if not covered(d.year)})
    if not missing:
        return None
    years = "、".join(str(y) for y in missing)
    return f"{years}年的法定节假日安排尚未收录，这些年份仅按周末顺延"
