"""The close-of-business arithmetic (fupin.core.cob): worked examples and properties against
exact fractions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from fupin.core import cob

D = dt.date


def exact_half_up(x: Fraction) -> int:
    return int(x + Fraction(1, 2)) if x >= 0 else -int(-x + Fraction(1, 2))


@given(st.integers(0, 10**12), st.integers(1, 10**9))
def test_half_up_is_round_half_up_of_the_exact_quotient(n, d):
    assert cob.half_up(n, d) == exact_half_up(Fraction(n, d))


def test_worked_examples():
    # 300.00 yuan over a 30-day period, 10 days in
    assert cob.accrual_target(30_000, D(2026, 1, 1), D(2026, 1, 31), D(2026, 1, 11)) == 10_000
    # 4.35 % + 50 % = 6.525 %; 3.5 % + 50 % = 5.25 %
    assert cob.penalty_rate(Decimal("0.0435"), Decimal("0.5")) == 6_525_000
    rate = cob.penalty_rate(Decimal("0.035"), Decimal("0.5"))
    # 10 000.00 yuan overdue 30 days: 43.75 yuan
    assert cob.penalty_of(cob.principal_days_at(0, 1_000_000, D(2026, 1, 1), D(2026, 1, 31)), rate) == 4_375
    assert cob.principal_days_at(500, 1_000, D(2026, 1, 10), D(2026, 1, 5)) == 500  # nothing before pd_from


@given(st.integers(0, 10**9), st.integers(1, 400), st.integers(-5, 405))
def test_accrual_is_exact_monotone_and_complete_at_the_due_date(interest, length, k):
    start = D(2026, 3, 1)
    due = start + dt.timedelta(days=length)
    on = start + dt.timedelta(days=k)
    got = cob.accrual_target(interest, start, due, on)
    expected = 0 if k <= 0 else interest if k >= length else exact_half_up(Fraction(interest * k, length))
    assert got == expected
    assert 0 <= got <= interest
    assert cob.accrual_target(interest, start, due, on + dt.timedelta(days=1)) >= got


@given(st.integers(0, 10**10), st.integers(0, 20_000_000))
def test_penalty_is_rounded_once_from_exact_principal_days(principal_days, rate_e8):
    assert cob.penalty_of(principal_days, rate_e8) == exact_half_up(
        Fraction(principal_days * rate_e8, 360 * 10**8)
    )


def test_receivable_is_what_was_earned_beyond_what_was_paid():
    start, due = D(2026, 1, 1), D(2026, 1, 31)
    assert cob.receivable(0, 30_000, 0, start, due, None) == 0  # before any close: nothing accrued
    assert cob.receivable(500, 30_000, 0, start, due, D(2026, 1, 11)) == 10_500
    assert cob.receivable(500, 30_000, 20_000, start, due, D(2026, 1, 11)) == 500  # paid ahead
    assert cob.receivable(500, 0, 0, None, None, D(2026, 2, 11)) == 500  # no instalment left earning


def test_village_suspension_needs_three_month_ends_below_and_lifts_at_98_percent():
    assert (
        cob.MonthRate(100, 97).below and not cob.MonthRate(100, 98).below and cob.MonthRate(0, 0).rate is None
    )
    assert not cob.suspended([True, True], False)
    assert cob.suspended([False, True, True, True], False)
    assert not cob.suspended([True, False, True], False)
    assert cob.suspended([True], True)  # stays suspended while below
    assert not cob.suspended([False], True)  # lifted at 98 % or above
    assert cob.is_month_end(D(2028, 2, 29)) and not cob.is_month_end(D(2026, 2, 28 - 1))


def test_r_rpt_4_counts_three_consecutive_calendar_months():
    """Issue 24's worked example: month-ends below 98 % at 2025-12, 2026-03 and 2026-04 are not
    three months running; 2026-03, 04 and 05 are. A month-end with no figures breaks a run."""
    assert cob.month_ends_before(D(2026, 4, 30), 2) == [D(2026, 2, 28), D(2026, 3, 31)]
    assert cob.month_ends_before(D(2026, 1, 31), 2) == [D(2025, 11, 30), D(2025, 12, 31)]
    gap = {D(2025, 12, 31): (True, False), D(2026, 3, 31): (True, False)}
    assert not cob.suspended_at(D(2026, 4, 30), True, gap)
    run = {D(2026, 3, 31): (True, False), D(2026, 4, 30): (True, False)}
    assert cob.suspended_at(D(2026, 5, 31), True, run)
    missing = {D(2026, 3, 31): (True, False)}  # nothing due at 2026-04-30: no row for it
    assert not cob.suspended_at(D(2026, 5, 31), True, missing)
    # once suspended, it stays so while below and lifts at a month-end at 98 % or above
    held = {**run, D(2026, 5, 31): (True, True)}
    assert cob.suspended_at(D(2026, 6, 30), True, held)
    assert not cob.suspended_at(D(2026, 6, 30), False, held)


def test_interest_taken_upfront_is_earned_evenly_and_instalments_from_the_last_that_earned():
    """Issue 24 (7), the module's worked examples: 800.00 upfront over 357 days, 100 days in →
    80 000 × 100 ÷ 357 = 22 408.96 → 224.09; all of it at the end; nothing before the start or when
    nothing was closed. P-GROUP's instalments carry no interest but the last: it earns from the start."""
    start, end = dt.date(2026, 3, 2), dt.date(2026, 3, 2) + dt.timedelta(days=357)
    assert cob.amortised(80_000, start, end, start + dt.timedelta(days=100)) == 22_409
    assert cob.amortised(80_000, start, end, end + dt.timedelta(days=9)) == 80_000
    assert cob.amortised(80_000, start, end, start) == 0 == cob.amortised(80_000, start, end, None)
    assert cob.amortised(0, start, end, end) == 0
    dues = [start + dt.timedelta(days=d) for d in (14, 21, 28)]
    assert cob.period_starts(start, dues, [0, 0, 800]) == [start, start, start]
    assert cob.period_starts(start, dues, [5, 5, 5]) == [start, dues[0], dues[1]]
    assert cob.period_starts(start, dues, [5, 0, 5]) == [start, dues[0], dues[0]]
