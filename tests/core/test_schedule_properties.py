"""Properties of every schedule shape over thousands of random loans (R-PRD-1, R-PRD-3)."""

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import numpy_financial as npf
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from fupin.core.apr import disclose
from fupin.core.errors import ValidationFailed
from fupin.core.schedule import Terms, generate

SHAPES = ["equal_installment", "equal_principal", "interest_only", "bullet", "flat", "fixed_percent"]
many = settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])

rates = st.integers(0, 2400).map(lambda bp: Fraction(bp, 10000))
dates = st.dates(dt.date(2015, 1, 1), dt.date(2030, 12, 31))


@st.composite
def terms(draw):
    shape = draw(st.sampled_from(SHAPES))
    if shape == "bullet":
        frequency = "maturity"
    else:
        frequency = draw(st.sampled_from(["weekly", "biweekly", "monthly", "quarterly"]))
    unit = draw(st.sampled_from(["month", "week", "day"]))
    term = draw(
        st.integers(1, 60)
        if unit == "month"
        else st.integers(1, 156)
        if unit == "week"
        else st.integers(1, 1000)
    )
    settlement_day = None
    if frequency in ("monthly", "quarterly") and draw(st.booleans()):
        settlement_day = draw(st.integers(1, 31))
    fixed = None
    if shape == "fixed_percent":
        fixed = Fraction(draw(st.integers(1, 100)), 100)
    return Terms(
        principal=draw(st.integers(1, 50_000_000)),
        annual_rate=draw(rates),
        start=draw(dates),
        term=term,
        term_unit=unit,
        shape=shape,
        frequency=frequency,
        interest_basis=draw(st.sampled_from(["period", "act360", "act365"])),
        rounding=draw(st.sampled_from(["half_up", "half_even"])),
        installment_multiple=draw(st.sampled_from([0, 0, 100, 1000])),
        principal_grace=0 if shape == "fixed_percent" else draw(st.integers(0, 3)),
        settlement_day=settlement_day,
        holiday_shift=draw(st.sampled_from(["none", "next"])),
        first_due_days=draw(st.none() | st.integers(1, 40)),
        upfront_interest_share=draw(st.sampled_from([Fraction(0), Fraction(1, 2), Fraction(1)])),
        fixed_percent=fixed,
        upfront_fee_rate=draw(st.sampled_from([Fraction(0), Fraction(1, 100)])),
        deposit_rate=draw(st.sampled_from([Fraction(0), Fraction(5, 100)])),
    )


def schedule_or_reject(t):
    try:
        return generate(t)
    except ValidationFailed:
        assume(False)


@many
@given(terms())
def test_principal_conserved_balances_sane_dates_increasing(t):
    s = schedule_or_reject(t)
    assert sum(s.principal) == t.principal
    assert all(p >= 0 for p in s.principal)
    assert all(i >= 0 for i in s.interest)
    assert all(b >= 0 for b in s.balance)
    assert s.balance[-1] == 0
    assert list(s.balance) == sorted(s.balance, reverse=True)
    assert all(a < b for a, b in zip(s.accrual_dates, s.accrual_dates[1:], strict=False))
    assert s.accrual_dates[0] > t.start and s.accrual_dates[-1] <= s.maturity
    if t.holiday_shift == "none":
        assert s.due_dates == s.accrual_dates
    else:
        assert all(d >= a for d, a in zip(s.due_dates, s.accrual_dates, strict=True))
    assert 0 <= s.upfront_interest <= s.total_interest


@settings(max_examples=1000, deadline=None)
@given(
    st.integers(100_000, 50_000_000),  # 1 000 – 500 000 yuan
    st.integers(1, 1800).map(lambda bp: Fraction(bp, 10000)),
    st.integers(1, 36),
    dates.filter(lambda d: d.day <= 28),
)
def test_equal_installment_interest_matches_numpy_financial_ipmt(principal, rate, n, start):
    """Each period's interest is within one fen of numpy-financial's ipmt (monthly annuity,
    up to 36 months and 18 %: ipmt uses the unrounded payment, so our balance drifts from its
    by the fen-rounding of the payment, which stays under half a fen of interest here)."""
    s = generate(Terms(principal=principal, annual_rate=rate, start=start, term=n))
    r = float(rate) / 12
    for k in range(n):
        reference = -npf.ipmt(r, k + 1, n, principal / 100) * 100  # in fen
        assert abs(s.interest[k] - reference) <= 1.0, (k, s.interest[k], reference)


@settings(max_examples=1000, deadline=None)
@given(
    st.integers(100_000, 50_000_000),
    st.integers(1, 2400).map(lambda bp: Fraction(bp, 10000)),
    st.integers(1, 60),
    dates.filter(lambda d: d.day <= 28),
)
def test_equal_installment_interest_is_balance_times_rate_rounded_once(principal, rate, n, start):
    """Recomputed independently with exact fractions: interest_k = ⌊balance_{k-1} × rate ÷ 12 + ½⌋
    (half-up; a Decimal at finite precision would misjudge exact ties such as x.5 fen)."""
    import math

    s = generate(Terms(principal=principal, annual_rate=rate, start=start, term=n))
    balances = [principal, *s.balance[:-1]]
    for k in range(n):
        expected = math.floor(Fraction(balances[k]) * rate / 12 + Fraction(1, 2))
        assert s.interest[k] == expected, k


def apr_rounding_bound(s, ppy: int) -> float:
    """How far fen rounding can move the IRR of a schedule from its nominal rate: each
    period's interest is rounded by at most half a fen, i.e. by 0.5 / balance of a period's
    rate; the IRR moves by at most the balance-weighted mean of that, times ppy."""
    balances = [s.terms.principal, *s.balance[:-1]]
    return ppy * 0.5 * len(s) / sum(balances)


@settings(max_examples=600, deadline=None)
@given(
    st.integers(100_000, 50_000_000),
    st.integers(1, 3600).map(lambda bp: Fraction(bp, 10000)),
    st.integers(3, 60),
    st.sampled_from(["monthly", "quarterly", "weekly"]),
    dates.filter(lambda d: d.day <= 28),
)
def test_apr_of_a_plain_annuity_equals_its_nominal_rate(principal, rate, n, frequency, start):
    """APR = nominal within 1e-6, plus the bound fen rounding itself puts on any schedule
    (below 1e-6 for every loan whose mean balance is above ~60 000 yuan monthly)."""
    unit = "week" if frequency == "weekly" else "month"
    term = n * 3 if frequency == "quarterly" else n
    s = generate(
        Terms(
            principal=principal, annual_rate=rate, start=start, term=term, term_unit=unit, frequency=frequency
        )
    )
    d = disclose(s)
    ppy = {"monthly": 12, "quarterly": 4, "weekly": 52}[frequency]
    assert abs(float(d.apr) - float(rate)) <= 1e-6 + apr_rounding_bound(s, ppy)
    assert float(d.ear) >= float(d.apr) - 1e-6


@settings(max_examples=300, deadline=None)
@given(
    st.integers(10_000_000, 50_000_000),  # 100 000 – 500 000 yuan
    st.integers(100, 3600).map(lambda bp: Fraction(bp, 10000)),
    st.integers(6, 60),
    dates.filter(lambda d: d.day <= 28),
)
def test_apr_of_a_large_monthly_annuity_is_within_one_millionth(principal, rate, n, start):
    s = generate(Terms(principal=principal, annual_rate=rate, start=start, term=n))
    nominal = Decimal(rate.numerator) / Decimal(rate.denominator)
    assert abs(disclose(s).apr - nominal) <= Decimal("0.000001")


@given(st.floats(0.001, 0.5), st.integers(1, 120))
def test_irr_of_exact_annuity_flows_is_the_periodic_rate(r, n):
    from fupin.core.apr import irr

    pay = r / (1 - (1 + r) ** -n)
    flows = [(0.0, 1.0)] + [(float(k), -pay) for k in range(1, n + 1)]
    assert abs(irr(flows, 0.01) - r) < 1e-9


@settings(max_examples=300, deadline=None)
@given(terms())
def test_half_even_and_half_up_differ_by_at_most_one_fen_per_rounding(t):
    up = schedule_or_reject(Terms(**{**_fields(t), "rounding": "half_up", "installment_multiple": 0}))
    even = schedule_or_reject(Terms(**{**_fields(t), "rounding": "half_even", "installment_multiple": 0}))
    assert sum(up.principal) == sum(even.principal) == t.principal
    assert abs(up.total_interest - even.total_interest) <= 2 * len(up) + 2


def _fields(t):
    return {f: getattr(t, f) for f in t.__dataclass_fields__}
