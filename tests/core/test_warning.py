"""Early warning's arithmetic (issue 28 (1)): the worked example of fupin.core.warning, the flow
rate across a year's start, suspension ahead by R-RPT-4, the backtest's counts, the fund's months."""

import datetime as dt
from fractions import Fraction

from fupin.core.cob import MonthRate
from fupin.core.warning import (
    Backtest,
    Coming,
    backtest,
    first_over,
    flow_rate,
    forecast,
    fund_ahead,
    month_end,
    suspension_ahead,
)

D = dt.date


def test_the_worked_example():
    history = [
        (D(2026, 2, 28), MonthRate(70_000_00, 67_600_00)),
        (D(2026, 3, 31), MonthRate(80_000_00, 77_400_00)),
        (D(2026, 4, 30), MonthRate(90_000_00, 87_200_00)),
        (D(2026, 5, 31), MonthRate(100_000_00, 97_000_00)),
    ]
    flow = flow_rate(history)
    assert flow == Fraction(29_400_00, 30_000_00) == Fraction(98, 100)
    [june] = forecast(D(2026, 5, 31), history[-1][1], [Coming(current=18_000_00, in_arrears=2_000_00)], flow)
    assert (june.month, june.due, june.repaid) == (D(2026, 6, 30), 120_000_00, 114_640_00)
    assert june.below and round(float(june.rate) * 100, 2) == 95.53
    assert june.needed == 20_600_00  # ceil(98 % × 120 000.00) − 97 000.00


def test_a_group_with_a_member_in_arrears_is_expected_to_bring_in_less():
    plain = forecast(D(2026, 5, 31), MonthRate(0, 0), [Coming(current=10_000)], Fraction(1))[0]
    group = forecast(
        D(2026, 5, 31), MonthRate(0, 0), [Coming(grouped=((10_000, Fraction(3, 5)),))], Fraction(1)
    )[0]
    assert (plain.repaid, group.repaid) == (10_000, 6_000)  # two of five members behind: 3/5 expected


def test_the_flow_rate_starts_again_in_january_and_skips_a_gap():
    history = [
        (D(2025, 12, 31), MonthRate(120_000, 118_000)),
        (D(2026, 1, 31), MonthRate(10_000, 9_000)),  # the year starts again: 9 000 of 10 000
        (D(2026, 2, 28), MonthRate(20_000, 19_500)),  # 10 500 of 10 000
    ]
    assert flow_rate(history, months=2) == Fraction(19_500, 20_000)
    assert flow_rate([(D(2026, 3, 31), MonthRate(5, 5))]) is None  # no month-end before it
    # a forecast across the year's end starts the figures again
    [dec, jan] = forecast(
        D(2025, 11, 30), MonthRate(100, 100), [Coming(current=10), Coming(current=20)], Fraction(1)
    )
    assert (dec.due, jan.due, jan.repaid) == (110, 20, 20)
    assert month_end(D(2025, 12, 15), 1) == D(2026, 1, 31) and month_end(D(2026, 3, 1), -1) == D(2026, 2, 28)


def test_suspension_ahead_follows_r_rpt_4():
    # below at the last two month-ends; below again next month: suspended; back at 98 %: lifted
    assert suspension_ahead([False, True, True], False, [True, False]) == [True, False]
    assert suspension_ahead([True], False, [True, False, True]) == [False, False, False]


def test_the_backtest_counts_what_was_foreseen():
    def series(rates):
        out, due, repaid = [], 0, 0
        for n, r in enumerate(rates, start=1):
            due += 1000
            repaid += r
            out.append((month_end(D(2026, 1, 1), n - 1), MonthRate(due, repaid)))
        return out

    steady = series([1000] * 6)  # never below: two forecasts (April → May, May → June), both right
    slipping = series([1000, 1000, 1000, 900, 900, 900])  # below from April: both foreseen
    sudden = series([1000, 1000, 1000, 1000, 500, 1000])  # May's drop missed, June's foreseen
    result = backtest({"a": steady, "b": slipping, "c": sudden})
    assert result == Backtest(
        cases=6, right=5, below_seen=4, below_foreseen=3, alarms=3, false_alarms=0, persistence_right=5
    )
    assert (result.accuracy, result.recall, result.precision) == (Fraction(5, 6), Fraction(3, 4), 1)


def test_the_fund_passes_its_leverage_as_loans_grow_and_claims_are_paid():
    months = fund_ahead(
        D(2026, 6, 10), 1_000_000, 8_000_000, [100_000] * 6, 500_000, [0, 0, 200_000, 0, 0, 0]
    )
    assert [m.outstanding for m in months[:2]] == [8_400_000, 8_800_000]
    assert months[2].balance == 800_000 and months[2].leverage == Fraction(9_200_000, 800_000)
    over = first_over(months, Fraction(10))
    assert over is not None and over.month == D(2026, 8, 31)  # 11.5 times at the end of August
    assert months[0].month == D(2026, 6, 30)  # this month's end first
    assert first_over(months[:2], Fraction(10)) is None
