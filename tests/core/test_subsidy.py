"""Subsidy policies (DOMAIN §7): the docstrings' worked examples, and properties — late periods
earn nothing, never more than the interest paid (R-SUB-0), the household cap across loans."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from fupin.core import subsidy
from fupin.core.subsidy import PRESETS, LoanFacts, Period, household_cap, loan_lines

D = dt.date


def facts(periods, *, amount=1_000_000, rate=Fraction("0.0612"), term=12, purpose="crops"):
    return LoanFacts(amount=amount, rate=rate, term_months=term, purpose=purpose, periods=tuple(periods))


def test_s_rate_worked_example_window_and_interest_ceiling():
    # 10 000.00 outstanding over 2006-06-01 … 2006-12-01; the window ends 2006-09-30: 121 days
    p = Period(1, D(2006, 6, 1), D(2006, 12, 1), 1_000_000, 31_110, True)
    [line] = loan_lines(PRESETS["S-RATE"], facts([p]))
    assert (line.days, line.amount) == (121, 16_806)  # 1 000 000 × 5 % × 121 / 360 = 16 805.56
    # R-SUB-0: a household that paid less interest than that gets what it paid
    [line] = loan_lines(
        PRESETS["S-RATE"], facts([Period(1, D(2006, 6, 1), D(2006, 12, 1), 1_000_000, 9_000, True)])
    )
    assert line.amount == 9_000


def test_s_rate_counts_principal_prepaid_in_part_up_to_its_day():
    """Issue 24 (14): 4 000.00 of 10 000.00 prepaid on 2006-07-11, inside 2006-06-01 … 2006-12-01,
    window to 2006-09-30: 6 000.00 × 121 days + 4 000.00 × 40 days (06-02 … 07-11) at 5 % ÷ 360
    = 100.83 + 22.22 → 123.06 (one rounding); the interest paid with the prepayment counts toward
    R-SUB-0's ceiling. S-HALF halves the instalment's interest only."""
    prepaid = ((400_000, D(2006, 7, 11)),)
    p = Period(1, D(2006, 6, 1), D(2006, 12, 1), 600_000, 18_666, True, prepaid, 7_333)
    [line] = loan_lines(PRESETS["S-RATE"], facts([p]))
    expected = Fraction(600_000 * 121 + 400_000 * 40) * Fraction(5, 100) / 360  # 12 305.56
    assert (line.days, line.amount, line.interest) == (121, int(expected + Fraction(1, 2)), 25_999)
    assert line.amount == 12_306
    tight = Period(1, D(2006, 6, 1), D(2006, 12, 1), 600_000, 3_000, True, prepaid, 1_000)
    assert loan_lines(PRESETS["S-RATE"], facts([tight]))[0].amount == 4_000  # all that was paid
    [half] = loan_lines(PRESETS["S-HALF"], facts([p]))
    assert half.amount == 9_333  # 186.66 × ½


def test_s_rate_at_most_a_year_per_loan():
    # two half-year periods then a third: only 365 days are subsidised in all
    ps = [
        Period(1, D(2005, 1, 1), D(2005, 7, 1), 1_000_000, 99_999, True),
        Period(2, D(2005, 7, 1), D(2006, 1, 1), 1_000_000, 99_999, True),
        Period(3, D(2006, 1, 1), D(2006, 7, 1), 1_000_000, 99_999, True),
    ]
    lines = loan_lines(PRESETS["S-RATE"], facts(ps))
    assert [ln.days for ln in lines] == [181, 184, 0]
    assert sum(ln.days for ln in lines) == 365
    assert lines[2].reason == subsidy.USED_UP
    assert lines[0].amount == 25_139  # 1 000 000 × 5 % × 181 / 360 = 25 138.89


def test_s_half_worked_example_and_late_period():
    ps = [
        Period(1, D(2026, 1, 1), D(2026, 4, 1), 1_000_000, 30_001, True),
        Period(2, D(2026, 4, 1), D(2026, 7, 1), 1_000_000, 30_001, False),
    ]
    a, b = loan_lines(PRESETS["S-HALF"], facts(ps))
    assert a.amount == 15_001  # 300.01 × ½ = 150.005 → 150.01
    assert (b.amount, b.reason) == (0, subsidy.LATE)


def test_s_capped_worked_example_interest_ceiling_and_cap():
    policy = PRESETS["S-CAPPED"]
    year = [Period(1, D(2025, 1, 1), D(2026, 1, 1), 5_000_000, 152_083, True)]
    [line] = loan_lines(policy, facts(year, amount=5_000_000, rate=Fraction("0.03")))
    assert line.days == 365
    assert line.amount == 152_083  # 2 534.72 computed, but only 1 520.83 of interest was paid
    rich = [Period(1, D(2025, 1, 1), D(2026, 1, 1), 5_000_000, 999_999, True)]
    [line] = loan_lines(policy, facts(rich, amount=5_000_000, rate=Fraction("0.03")))
    assert line.amount == 253_472  # 5 000 000 × 5 % × 365 / 360 = 253 472.2
    assert household_cap(300_000, 152_083, [253_472]) == [147_917]  # 3 000.00 − 1 520.83
    assert household_cap(300_000, 253_472, [100_000, 50_000]) == [46_528, 0]


def test_s_capped_refuses_rate_above_benchmark_and_non_productive_purpose():
    policy = PRESETS["S-CAPPED"]
    year = [Period(1, D(2025, 1, 1), D(2026, 1, 1), 5_000_000, 200_000, True)]
    [line] = loan_lines(policy, facts(year, amount=5_000_000, rate=Fraction("0.0301")))
    assert (line.amount, line.reason) == (0, subsidy.ABOVE_BENCHMARK)
    # 24 months: the five-year LPR (3.5 %) is the benchmark
    [line] = loan_lines(policy, facts(year, amount=5_000_000, rate=Fraction("0.035"), term=24))
    assert line.amount > 0
    [line] = loan_lines(policy, facts(year, amount=5_000_000, rate=Fraction("0.03"), purpose="lead_equity"))
    assert (line.amount, line.reason) == (0, subsidy.NOT_PRODUCTIVE)
    [line] = loan_lines(policy, facts(year, amount=5_000_000, rate=Fraction("0.03")), barred="列入失信黑名单")
    assert (line.amount, line.reason) == (0, "列入失信黑名单")


def test_s_capped_counts_only_on_time_days():
    ps = [
        Period(1, D(2025, 1, 1), D(2025, 7, 1), 5_000_000, 80_000, True),
        Period(2, D(2025, 7, 1), D(2026, 1, 1), 5_000_000, 80_000, False),
    ]
    [line] = loan_lines(PRESETS["S-CAPPED"], facts(ps, amount=5_000_000, rate=Fraction("0.03")))
    assert line.days == 181 and line.interest == 80_000
    assert line.amount == min(subsidy.half_up(Fraction(5_000_000 * 5 * 181, 100 * 360)), 80_000)
    assert line.reason == subsidy.LATE


periods = st.lists(
    st.tuples(st.integers(1, 200), st.integers(0, 5_000_000), st.integers(0, 200_000), st.booleans()),
    min_size=1,
    max_size=12,
)


def _build(raw, start):
    out, at = [], start
    for n, (days, principal, interest, on_time) in enumerate(raw, 1):
        out.append(Period(n, at, at + dt.timedelta(days=days), principal, interest, on_time))
        at += dt.timedelta(days=days)
    return out


@given(periods, st.sampled_from(sorted(PRESETS)))
def test_late_periods_earn_nothing_and_never_more_than_interest(raw, code):
    policy = PRESETS[code]
    ps = _build(raw, D(2005, 3, 1) if code == "S-RATE" else D(2025, 3, 1))
    lines = loan_lines(policy, facts(ps, amount=5_000_000, rate=Fraction("0.03")))
    assert all(0 <= ln.amount <= ln.interest for ln in lines)  # R-SUB-0
    if policy.kind != "capped":
        for p, ln in zip(ps, lines, strict=True):
            if not p.on_time:
                assert ln.amount == 0 and ln.reason == subsidy.LATE
    else:
        on_time = [p for p in ps if p.on_time]
        assert lines[0].interest == sum(p.interest for p in on_time)
        assert lines[0].days == sum((p.end - p.start).days for p in on_time)
    if policy.max_days:
        assert sum(ln.days for ln in lines if not ln.reason) <= policy.max_days


@given(st.integers(0, 400_000), st.lists(st.integers(0, 300_000), max_size=8))
def test_household_cap_holds_across_loans_and_years(already, amounts):
    out = household_cap(300_000, already, amounts)
    assert all(0 <= o <= a for o, a in zip(out, amounts, strict=True))
    assert already + sum(out) <= max(300_000, already)
    if already + sum(amounts) <= 300_000:
        assert out == amounts
    else:
        assert already + sum(out) == max(300_000, already)


def test_s_rate_is_settled_on_its_dates_the_others_at_any_time():
    """DOMAIN §7: S-RATE settles in batches on configured dates (篇2: 30 June and 31 December)."""
    rate, half = PRESETS["S-RATE"], PRESETS["S-HALF"]
    assert subsidy.settlement_dates(rate, 2026) == [D(2026, 6, 30), D(2026, 12, 31)]
    assert subsidy.last_settlement(rate, D(2026, 12, 30)) == D(2026, 6, 30)
    assert subsidy.last_settlement(rate, D(2026, 3, 1)) == D(2025, 12, 31)
    assert subsidy.last_settlement(rate, D(2026, 12, 31)) == D(2026, 12, 31)
    assert subsidy.settled_in_batches(rate) and not subsidy.settled_in_batches(half)
    feb = subsidy.Policy("X", "1", "rate", "x", D(2026, 1, 1), ("annual",), settle=((2, 31),))
    assert subsidy.settlement_dates(feb, 2028) == [D(2028, 2, 29)]  # the month's last day
