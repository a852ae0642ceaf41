"""Due dates of a schedule and which periods between them are regular (R-PRD-2).

A *regular* period is exactly one step of the frequency, date to date (so monthly
interest on the ``period`` basis is annual ÷ 12); any other period — the stub before a
fixed settlement day, an irregular first period, the last period ending at maturity —
accrues by actual days.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

from fupin.core.calendar import add_months, add_term, calendar_note, days_in_month, next_working_day
from fupin.core.errors import ValidationFailed
from fupin.core.schedule.terms import PERIOD_STEP, Terms

QUARTER_MONTHS = (3, 6, 9, 12)


@dataclass(frozen=True, slots=True)
class Timeline:
    maturity: dt.date
    accrual: tuple[dt.date, ...]  # period end dates: interest accrues up to these
    due: tuple[dt.date, ...]  # when the borrower pays (accrual dates moved per holiday rule)
    regular: tuple[bool, ...]  # period k (from accrual[k-1] or start) is one whole step
    days: tuple[int, ...]  # actual days in each period
    note: str | None
    all_regular: bool = False


def timeline(terms: Terms) -> Timeline:
    count = None
    f = terms.fixed_percent
    if terms.shape == "fixed_percent" and f:
        count = -(-f.denominator // f.numerator)  # ceil(1 / f)
    return _timeline(
        terms.start,
        terms.term,
        terms.term_unit,
        terms.frequency,
        terms.settlement_day,
        terms.first_due_days,
        terms.holiday_shift,
        count,
    )


@lru_cache(maxsize=65536)
def _timeline(
    start: dt.date,
    term: int,
    unit: str,
    frequency: str,
    settlement_day: int | None,
    first_due_days: int | None,
    holiday_shift: str,
    count: int | None,
) -> Timeline:
    maturity = add_term(start, term, unit)  # type: ignore[arg-type]
    # each point: (date, series, index) — consecutive indices of one series are one step apart
    points: list[tuple[dt.date, str, int]]
    if frequency == "maturity":
        points = [(maturity, "end", 0)]
    elif settlement_day is not None:
        points = _settlement_points(start, maturity, settlement_day, frequency)
    else:
        n, step_unit = PERIOD_STEP[frequency]
        points = []
        k = 1
        while True:
            d = add_term(start, k * n, step_unit)
            if d > maturity:
                break
            points.append((d, "grid", k))
            k += 1
        if not points or points[-1][0] != maturity:
            points.append((maturity, "end", 0))
    if first_due_days is not None:
        first = start + dt.timedelta(days=first_due_days)
        if first > maturity:
            raise ValidationFailed("首期还款日晚于到期日", code="terms_first_due")
        on_grid = [p for p in points if p[0] == first]
        points = (on_grid or [(first, "first", 0)]) + [p for p in points if p[0] > first]
    if count is not None:
        if len(points) < count:
            raise ValidationFailed(
                f"期限内只有 {len(points)} 个还款日，不足按固定比例还清所需的 {count} 期",
                code="terms_too_short",
            )
        points = points[:count]
    accrual = tuple(p[0] for p in points)
    prev: tuple[dt.date, str, int] = (start, "grid", 0)
    regular = []
    days = []
    for p in points:
        regular.append(p[1] == prev[1] and p[1] in ("grid", "settle") and p[2] == prev[2] + 1)
        days.append((p[0] - prev[0]).days)
        prev = p
    due = tuple(next_working_day(d) for d in accrual) if holiday_shift == "next" else accrual
    note = calendar_note(accrual) if holiday_shift == "next" else None
    return Timeline(maturity, accrual, due, tuple(regular), tuple(days), note, all(regular))


def _settlement_points(
    start: dt.date, maturity: dt.date, day: int, frequency: str
) -> list[tuple[dt.date, str, int]]:
    """Day ``day`` of every month (monthly) or of March/June/September/December (quarterly)
    strictly after ``start`` and before maturity, then maturity itself (按季结息)."""
    points: list[tuple[dt.date, str, int]] = []
    step = 1 if frequency == "monthly" else 3
    month_index = start.year * 12 + start.month - 1
    k = 0
    while True:
        y, m0 = divmod(month_index, 12)
        m = m0 + 1
        if step == 1 or m in QUARTER_MONTHS:
            d = dt.date(y, m, min(day, days_in_month(y, m)))
            if d >= maturity:
                break
            if d > start:
                k += 1
                points.append((d, "settle", k))
        month_index += 1
    points.append((maturity, "end", 0))
    return points


__all__ = ["Timeline", "add_months", "timeline"]
