"""Partial prepayment (issue 24, 14): the interest to the day on what is prepaid, and the rest
re-amortised — smaller instalments (减额) or fewer (缩期) — recomputed here independently with
exact fractions, from the annuity formula and the balance."""

import datetime as dt
from fractions import Fraction

import pytest

from fupin.core.errors import ValidationFailed
from fupin.core.products import PRESETS, preset
from fupin.core.schedule import Terms, generate
from fupin.core.schedule.payoff import payoff
from fupin.core.schedule.prepay import Segment, in_force, methods, partial

D = dt.date


def half_up(x: Fraction) -> int:
    return int(x + Fraction(1, 2))


def monthly(shape: str, principal: int = 1_200_000, term: int = 12) -> Terms:
    return Terms(
        principal=principal, annual_rate=Fraction("0.06"), start=D(2026, 1, 1), term=term, shape=shape
    )


def test_the_worked_example_interest_only_reduced():
    """The module's example: 10 000.00 at 6 %, interest monthly for 6 months; on 2026-03-11, 10
    days into period 3, 4 000.00 prepaid with 4 000 × 6 % × 10 ÷ 360 = 6.67; periods 3–6 then
    carry 6 000 × 6 % ÷ 12 = 30.00 of interest each, and 6 000.00 falls due at the end."""
    t = Terms(
        principal=1_000_000, annual_rate=Fraction("0.06"), start=D(2026, 1, 1), term=6, shape="interest_only"
    )
    q = partial(t, None, D(2026, 3, 11), 400_000, "reduce")
    assert (q.principal, q.interest, q.total, q.balance) == (400_000, 667, 400_667, 1_000_000)
    assert q.segment == Segment(first=2, periods=4, principal=600_000)
    s = q.schedule
    assert s.due_dates == generate(t).due_dates[2:]
    assert s.interest == (3_000,) * 4 and s.principal == (0, 0, 0, 600_000)


def test_equal_instalments_reduced_keep_the_dates_and_pay_the_annuity_of_what_is_left():
    """12 000.00 over 12 months at 6 %, 5 000.00 prepaid on 2026-04-16 (15 days into period 4):
    interest 5 000 × 6 % × 15 ÷ 360 = 12.50; the 9 periods left pay the annuity of the balance
    then less 5 000 — P·r ÷ (1 − (1 + r)^−9), r = 0.5 %, rounded once."""
    t = monthly("equal_installment")
    before = generate(t)
    q = partial(t, None, D(2026, 4, 16), 500_000, "reduce")
    left = t.principal - sum(before.principal[:3]) - 500_000
    r = Fraction(6, 100) / 12
    pay = half_up(left * r / (1 - (1 + r) ** -9))
    assert q.interest == 1_250 and q.segment == Segment(3, 9, left)
    s = q.schedule
    assert s.due_dates == before.due_dates[3:] and sum(s.principal) == left
    assert all(p + i == pay for p, i in zip(s.principal[:-1], s.interest[:-1], strict=True))
    assert s.interest[0] == half_up(left * r)  # the whole first period on what is left


def test_equal_instalments_shortened_pay_no_more_and_end_sooner():
    """缩期: the fewest remaining periods whose instalment is not above the old one."""
    t = monthly("equal_installment")
    before = generate(t)
    q = partial(t, None, D(2026, 4, 16), 500_000, "shorten")
    left = q.segment.principal
    r = Fraction(6, 100) / 12
    old = before.principal[3] + before.interest[3]

    def annuity(n: int) -> int:
        return half_up(left * r / (1 - (1 + r) ** -n))

    m = min(n for n in range(1, 10) if annuity(n) <= old)
    assert annuity(m - 1) > old and q.segment.periods == m < 9
    s = q.schedule
    assert s.due_dates == before.due_dates[3 : 3 + m] and s.maturity == before.accrual_dates[2 + m]
    assert sum(s.principal) == left and s.principal[0] + s.interest[0] == annuity(m) <= old


def test_equal_principal_shortened_keeps_the_principal_per_period_at_most_the_same():
    t = monthly("equal_principal")
    q = partial(t, None, D(2026, 2, 1), 300_000, "shorten")  # on a due date: period 2 starts today
    assert q.interest == 0 and q.segment == Segment(1, 8, 1_100_000 - 300_000)
    # 8 000.00 over ⌈8 000 ÷ 1 000⌉ = 8 periods of 1 000.00
    assert q.schedule.principal == (100_000,) * 8
    assert q.schedule.interest[0] == 4_000  # 8 000 × 0.5 %


def test_a_whole_segment_regenerates_the_original_schedule():
    """The segment that starts at the first period with the whole principal is the schedule
    itself — the regeneration adds nothing of its own."""
    for shape in ("equal_installment", "equal_principal", "interest_only"):
        t = monthly(shape)
        a, b = generate(t), in_force(t, Segment(0, 12, t.principal))
        assert (a.principal, a.interest, a.due_dates) == (b.principal, b.interest, b.due_dates)
    subsidy = preset("subsidy").terms(principal=800_000, start=D(2026, 3, 10), term=36)
    a = generate(subsidy)
    b = in_force(subsidy, Segment(0, len(a), 800_000))
    assert (a.principal, a.interest, a.due_dates) == (b.principal, b.interest, b.due_dates)


def test_a_payoff_after_a_prepayment_charges_what_is_left_to_the_day():
    """P-SUBSIDY (act/360, quarterly on the 20th): after 3 000.00 of 8 000.00 is prepaid, a payoff
    20 days later owes the 5 000.00 left and its interest since the period began."""
    t = preset("subsidy").terms(principal=800_000, start=D(2026, 3, 10), term=36)
    before = generate(t)
    on = before.accrual_dates[1] + dt.timedelta(days=30)
    q = partial(t, None, on, 300_000, "reduce")
    s = before.accrual_dates[1]
    assert q.interest == half_up(Fraction(300_000) * t.annual_rate * 30 / 360)
    later = payoff(in_force(t, q.segment), on + dt.timedelta(days=20))
    assert later.principal == 500_000
    assert later.interest == half_up(Fraction(500_000) * t.annual_rate * 50 / 360)
    assert (on + dt.timedelta(days=20) - s).days == 50
    # a second prepayment re-amortises the segment again
    again = partial(t, q.segment, on + dt.timedelta(days=20), 100_000, "reduce")
    assert again.segment == Segment(2, len(before) - 2, 400_000) and again.balance == 500_000


def test_what_cannot_be_prepaid_is_refused_with_the_reason():
    group = preset("group").terms(principal=1_000_000, start=D(2026, 3, 2))
    assert methods(group) == () and preset("group").prepayment == ()
    with pytest.raises(ValidationFailed, match="不能减额"):
        partial(group, None, D(2026, 4, 1), 100_000, "reduce")
    t = monthly("interest_only")
    with pytest.raises(ValidationFailed, match="不能缩期"):
        partial(t, None, D(2026, 4, 1), 100_000, "shorten")
    for amount in (0, 1_200_000, 1_300_000):  # nothing, or all of it (a payoff)
        with pytest.raises(ValidationFailed) as e:
            partial(t, None, D(2026, 4, 16), amount, "reduce")
        assert e.value.code == "prepay_amount"
    with pytest.raises(ValidationFailed) as e:
        partial(t, None, D(2027, 1, 1), 100_000, "reduce")  # at maturity: nothing left to re-amortise
    assert e.value.code == "prepay_date"
    with pytest.raises(ValidationFailed) as e:
        partial(t, None, D(2026, 4, 16), 100_000, "faster")
    assert e.value.code == "prepay_method"


def test_every_product_offers_only_methods_its_shape_allows():
    for p in PRESETS.values():
        term = p.defaults.get("term") or 12
        t = p.terms(principal=1_000_000, start=D(2026, 3, 10), term=term, annual_rate=Fraction("0.03"))
        assert set(p.prepayment) <= set(methods(t)), p.code
