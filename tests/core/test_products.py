"""The worked examples of DOMAIN §4, one named test each; each docstring states the formula."""

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest

from fupin.core.apr import cash_flows, disclose
from fupin.core.errors import ValidationFailed
from fupin.core.products import LPR, LPR_1Y, LPR_5Y, Benchmark, lead_amount, preset
from fupin.core.schedule import Terms, generate
from fupin.core.schedule.declining import annuity_payment
from fupin.core.schedule.flat import total_interest
from fupin.core.schedule.payoff import payoff

D = dt.date


def test_p_group_weekly_two_percent_from_day_14_to_day_357():
    """P-GROUP (篇1): 20 000 yuan; principal 2 % = 400.00 a week for 50 weeks, first on day 14,
    last on day 357; interest 8 % flat for the year = 20 000 × 0.08 = 1 600.00, of which
    50 % = 800.00 at disbursement and 800.00 with the last instalment."""
    s = generate(preset("group").terms(principal=2_000_000, start=D(2026, 3, 2)))
    assert len(s) == 50
    assert [(d - D(2026, 3, 2)).days for d in (s.due_dates[0], s.due_dates[-1])] == [14, 357]
    assert all((b - a).days == 7 for a, b in zip(s.due_dates, s.due_dates[1:], strict=False))
    assert set(s.principal) == {40_000}
    assert s.upfront_interest == 80_000
    assert s.interest[:-1] == (0,) * 49 and s.interest[-1] == 80_000
    assert s.total_interest == 160_000
    assert s.principal[-1] + s.interest[-1] == 120_000


def test_p_group_annualised_rate_is_computed_not_the_seeds_18_percent():
    """R-PRD-4: IRR of the flows (+19 200 on day 0, −400 weekly, −1 200 on day 357) × 52."""
    s = generate(preset("group").terms(principal=2_000_000, start=D(2026, 3, 2)))
    assert cash_flows(s)[0] == (D(2026, 3, 2), 1_920_000)
    d = disclose(s)
    assert d.nominal == Decimal("0.080000")
    assert d.apr == Decimal("0.153735")
    assert d.ear == Decimal("0.165918")
    assert d.apr != Decimal("0.18")


def test_p_seasonal_interest_monthly_principal_at_maturity_with_fee_and_deposit():
    """P-SEASONAL (篇1): 16.5 % a year settled monthly: 10 000 × 0.165 ÷ 12 = 137.50 a month,
    principal at maturity; 3, 6 or 9 months; guarantee fee and deposit at disbursement."""
    p = preset("seasonal")
    s = generate(p.terms(principal=1_000_000, start=D(2026, 3, 10), term=6))
    assert len(s) == 6 and set(s.interest) == {13_750}
    assert s.principal[:-1] == (0,) * 5 and s.principal[-1] == 1_000_000
    assert s.upfront_fees == 10_000 and s.deposit == 50_000
    with pytest.raises(ValidationFailed) as e:
        p.terms(principal=1_000_000, start=D(2026, 3, 10), term=4)
    assert "3、6、9" in e.value.message
    with pytest.raises(ValidationFailed) as e:
        p.terms(principal=3_100_000, start=D(2026, 3, 10), term=3)
    assert "上限 30000.00" in e.value.message


def test_p_seasonal_early_repayment_worked_example():
    """payoff docstring: 10 000.00 at 16.5 % disbursed 2026-03-10, paid off 2026-05-25 after the
    April and May interest: 10 000 × 0.165 × 15 ÷ 360 = 68.75 of interest, 10 068.75 in all."""
    s = generate(preset("seasonal").terms(principal=1_000_000, start=D(2026, 3, 10), term=6))
    q = payoff(s, D(2026, 5, 25))
    assert (q.principal, q.interest, q.refund, q.total) == (1_000_000, 6_875, 0, 1_006_875)


def test_p_group_early_repayment_refunds_unearned_upfront_interest():
    """Flat shapes recompute interest pro rata by days: after 91 days of 365, 1 600 × 91 ÷ 365
    = 398.90 is earned; 800.00 was prepaid, so 401.10 is refunded."""
    s = generate(preset("group").terms(principal=2_000_000, start=D(2026, 3, 2)))
    q = payoff(s, D(2026, 6, 1))
    paid = sum(1 for d in s.due_dates if d <= D(2026, 6, 1))
    assert q.principal == 2_000_000 - 40_000 * paid
    assert q.interest_recomputed == 39_890 and q.refund == 80_000 - 39_890 and q.interest == 0


def test_p_subsidy_quarterly_interest_on_the_20th_principal_at_maturity_and_rate_cap():
    """P-SUBSIDY (篇7, 篇8): 按季结息 on the 20th of Mar/Jun/Sep/Dec, principal at maturity,
    rate at most LPR 1Y (≤ 1 year) or LPR 5Y (1–3 years), at most 50 000 and 36 months."""
    p = preset("subsidy")
    s = generate(p.terms(principal=5_000_000, start=D(2026, 3, 2), term=36))
    assert s.terms.annual_rate == LPR_5Y
    assert all(d.day == 20 and d.month in (3, 6, 9, 12) for d in s.accrual_dates[:-1])
    assert s.accrual_dates[-1] == D(2029, 3, 2)
    # first period 2026-03-02 -> 2026-03-20 is 18 days: 50 000 × 0.035 × 18 ÷ 360 = 87.50
    assert s.interest[0] == 8_750
    assert generate(p.terms(principal=1_000_000, start=D(2026, 3, 2), term=12)).terms.annual_rate == LPR_1Y
    with pytest.raises(ValidationFailed) as e:
        p.terms(principal=1_000_000, start=D(2026, 3, 2), term=12, annual_rate=Fraction("0.031"))
    assert "不高于基准利率" in e.value.message
    with pytest.raises(ValidationFailed):
        p.terms(principal=5_000_100, start=D(2026, 3, 2), term=12)
    with pytest.raises(ValidationFailed):
        p.terms(principal=1_000_000, start=D(2026, 3, 2), term=37)


def test_the_lpr_products_take_the_benchmark_in_force_on_the_contract_date():
    """Issue 24 (8): the LPR is dated policy data; a contract takes the one given for its date —
    the default rate (by term, or the one-year rate) and the ceiling."""
    earlier = Benchmark(D(2024, 10, 21), Fraction("0.031"), Fraction("0.036"))
    assert earlier.for_term(12) == Fraction("0.031") and earlier.for_term(13) == Fraction("0.036")
    s = preset("subsidy").terms(principal=1_000_000, start=D(2025, 1, 6), term=36, benchmark=earlier)
    assert s.annual_rate == Fraction("0.036")
    assert preset("annual").terms(
        principal=1_000_000, start=D(2025, 1, 6), benchmark=earlier
    ).annual_rate == Fraction("0.031")
    assert preset("lead").terms(
        principal=1_000_000, start=D(2025, 1, 6), benchmark=earlier
    ).annual_rate == Fraction("0.031")
    # 3.1 % is within the ceiling then, above it under today's 3.0 %
    preset("subsidy").terms(
        principal=1_000_000, start=D(2025, 1, 6), term=12, annual_rate=Fraction("0.031"), benchmark=earlier
    )
    with pytest.raises(ValidationFailed, match="2025-05-20"):
        preset("subsidy").terms(
            principal=1_000_000, start=D(2026, 1, 6), term=12, annual_rate=Fraction("0.031")
        )
    assert LPR.for_term(12) == LPR_1Y and LPR.for_term(36) == LPR_5Y


def test_p_annual_one_year_date_to_date_at_most_10000():
    """P-ANNUAL (篇3): one year counted date to date (对年对月对日), at most 10 000, benchmark rate."""
    p = preset("annual")
    s = generate(p.terms(principal=1_000_000, start=D(2024, 2, 29)))
    assert s.maturity == D(2025, 2, 28)
    assert s.terms.annual_rate == LPR_1Y
    with pytest.raises(ValidationFailed):
        p.terms(principal=1_000_100, start=D(2026, 1, 1))
    with pytest.raises(ValidationFailed):
        p.terms(principal=1_000_000, start=D(2026, 1, 1), annual_rate=Fraction("0.04"))


def test_p_lead_amount_from_driven_households():
    """P-LEAD: allowance × driven households, capped: 篇3 5 000 × 12 = 60 000 -> 50 000;
    篇7 50 000 × 8 = 400 000 (under the 500 000 ceiling)."""
    assert lead_amount(500_000, 12, 5_000_000) == 5_000_000
    assert lead_amount(5_000_000, 8, 50_000_000) == 40_000_000
    s = generate(preset("lead").terms(principal=5_000_000, start=D(2026, 3, 2), term=24))
    assert sum(s.principal) == 5_000_000
    with pytest.raises(ValidationFailed):
        preset("lead").terms(principal=5_000_001, start=D(2026, 3, 2))


def test_the_lead_preset_is_one_source_the_5_000_allowance_and_its_50_000_ceiling():
    """The preset's allowance and ceiling are 篇3's pair (5 000 each, 50 000 at most), and a lead
    household driving 12 households is told the 50 000 ceiling, not 500 000."""
    from fupin.core.origination import lead_problems

    allowance = preset("lead").lead
    assert allowance is not None
    assert (allowance.per_household, allowance.ceiling) == (5_000_00, 50_000_00)
    assert preset("lead").bounds.max_amount == allowance.ceiling
    (problem,) = lead_problems(
        amount=60_000_00, per_household=allowance.per_household, driven=12, ceiling=allowance.ceiling
    )
    assert "上限 50000.00 元：最多可贷 50000.00 元" in problem
    assert not lead_problems(
        amount=50_000_00, per_household=allowance.per_household, driven=12, ceiling=allowance.ceiling
    )


def test_annuity_payment_worked_example():
    """annuity_payment docstring: 100 000 at 6 % monthly over 12 months = 8 606.64."""
    assert annuity_payment(10_000_000, 12, 6, 1200, "half_up") == 860_664


def test_flat_total_interest_worked_example():
    """total_interest docstring: 20 000 × 8 % × 1 year = 1 600.00."""
    t = Terms(principal=2_000_000, annual_rate=Fraction("0.08"), start=D(2026, 1, 1), term=12, shape="flat")
    assert total_interest(t) == 160_000


def test_equal_principal_and_grace_and_multiple():
    """等额本金 with 2 periods of grace: 12 000 over 12 months, principal 1 200.00 from month 3;
    rounding instalment totals to whole yuan keeps every amortising total but the last a multiple
    of 1.00 (grace instalments are interest only and stay as computed)."""
    t = Terms(
        principal=1_200_000,
        annual_rate=Fraction("0.0735"),
        start=D(2026, 1, 15),
        term=12,
        shape="equal_principal",
        principal_grace=2,
        installment_multiple=100,
    )
    s = generate(t)
    assert s.principal[:2] == (0, 0)
    assert s.interest[:2] == (7_350, 7_350)
    assert all((p + i) % 100 == 0 for p, i in zip(s.principal[2:-1], s.interest[2:-1], strict=False))
    assert sum(s.principal) == 1_200_000


def test_holiday_shift_moves_due_dates_to_the_next_working_day():
    """A due date on National Day 2026 moves to 2026-10-08 when the product says so."""
    t = Terms(
        principal=1_000_000, annual_rate=Fraction("0.06"), start=D(2026, 9, 1), term=3, shape="interest_only"
    )
    s = generate(Terms(**{**{f: getattr(t, f) for f in t.__dataclass_fields__}, "holiday_shift": "next"}))
    assert s.accrual_dates[0] == D(2026, 10, 1) and s.due_dates[0] == D(2026, 10, 8)
    assert generate(t).due_dates[0] == D(2026, 10, 1)


def test_uncovered_year_is_reported_in_the_schedule_notes():
    t = Terms(
        principal=1_000_000, annual_rate=Fraction("0.06"), start=D(2029, 1, 1), term=3, holiday_shift="next"
    )
    s = generate(t)
    assert s.notes and "2029" in s.notes[0]


def test_unknown_product_and_bad_terms_are_explained_in_chinese():
    with pytest.raises(ValidationFailed) as e:
        preset("nope")
    assert "未知的产品" in e.value.message
    with pytest.raises(ValidationFailed) as e:
        Terms(principal=0, annual_rate=Fraction(1), start=D(2026, 1, 1), term=0, shape="zigzag").check()
    assert {"本金必须大于零", "年利率必须在 [0, 1) 之间", "期限必须为正整数"} <= set(e.value.details)


@pytest.mark.parametrize("code", ["group", "seasonal", "subsidy", "annual", "lead"])
def test_terms_are_stored_exactly_with_the_loan(code):
    import datetime as dt
    import json

    from fupin.core.products import preset
    from fupin.core.schedule.terms import terms_from_dict, terms_to_dict

    p = preset(code)
    t = p.terms(
        principal=p.bounds.min_amount * 2,
        start=dt.date(2026, 11, 27),
        term=(p.bounds.allowed_terms or (12,))[0],
    )
    assert terms_from_dict(json.loads(json.dumps(terms_to_dict(t)))) == t
