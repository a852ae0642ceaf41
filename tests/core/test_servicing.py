"""Repayment allocation (R-REP-1): the order, oldest first, overpayment kept, nothing lost."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fupin.core.errors import ValidationFailed
from fupin.core.servicing import Owed, allocate, settled_by_payoff

D = dt.date


def test_worked_example():
    owed = [Owed(1, D(2026, 3, 1), 10_000, 1_000, penalty=200), Owed(2, D(2026, 4, 1), 10_000, 1_000)]
    a = allocate(15_000, owed, D(2026, 3, 10))
    assert a.lines == [
        (1, "penalty", 200),
        (1, "overdue_interest", 1_000),
        (1, "overdue_principal", 10_000),
        (2, "current_interest", 1_000),
        (2, "current_principal", 2_800),
    ]
    assert a.overpayment == 0


def test_overpayment_is_kept_and_a_configured_order_is_followed():
    owed = [Owed(1, D(2026, 3, 1), 10_000, 1_000)]
    a = allocate(12_000, owed, D(2026, 2, 1))
    assert a.total("current_principal") == 10_000 and a.overpayment == 1_000
    principal_first = allocate(
        10_000,
        owed,
        D(2026, 3, 2),
        order=["overdue_principal", "overdue_interest", "penalty", "current_interest", "current_principal"],
    )
    assert principal_first.lines == [(1, "overdue_principal", 10_000)]
    with pytest.raises(ValidationFailed):
        allocate(0, owed, D(2026, 3, 1))
    with pytest.raises(ValidationFailed):
        allocate(1, owed, D(2026, 3, 1), order=["penalty"])


@given(
    st.integers(min_value=1, max_value=10**8),
    st.lists(
        st.tuples(st.integers(0, 10**6), st.integers(0, 10**5), st.integers(0, 10**4)),
        min_size=1,
        max_size=12,
    ),
    st.integers(0, 400),
)
def test_no_fen_is_lost_and_nothing_is_overpaid(amount, rows, day):
    start = D(2026, 1, 1)
    owed = [
        Owed(i + 1, start + dt.timedelta(days=30 * i), p, r, penalty=pen)
        for i, (p, r, pen) in enumerate(rows)
    ]
    a = allocate(amount, owed, start + dt.timedelta(days=day))
    assert sum(x for _, _, x in a.lines) + a.overpayment == amount
    for o in owed:
        assert sum(x for s, b, x in a.lines if s == o.seq and b.endswith("principal")) <= o.principal
        assert sum(x for s, b, x in a.lines if s == o.seq and b.endswith("interest")) <= o.interest


def test_days_past_due_buckets_and_categories():
    from fupin.core.servicing import category, days_past_due, par_bucket

    owed = [Owed(1, D(2026, 1, 1), 10_000, 100), Owed(2, D(2026, 2, 1), 10_000, 100)]
    assert days_past_due(owed, D(2026, 1, 1)) == 0
    assert days_past_due(owed, D(2026, 4, 6)) == 95
    paid_first = [Owed(1, D(2026, 1, 1), 10_000, 100, 10_000, 100), owed[1]]
    assert days_past_due(paid_first, D(2026, 4, 6)) == 64
    assert [par_bucket(d) for d in (0, 1, 30, 31, 90, 91, 180, 181, 360, 361)] == [
        "",
        "1–30",
        "1–30",
        "31–60",
        "61–90",
        "91–180",
        "91–180",
        "181–360",
        "181–360",
        ">360",
    ]
    assert [category(d) for d in (0, 1, 90, 91, 270, 271, 360, 361)] == [
        "normal",
        "special",
        "special",
        "substandard",
        "substandard",
        "doubtful",
        "doubtful",
        "loss",
    ]


def test_penalty_worked_example_and_a_payment_stops_it():
    from fractions import Fraction

    from fupin.core.servicing import penalty_accrued

    owed = [Owed(1, D(2026, 1, 1), 1_000_000, 0)]
    # 10 000.00 × 3.5 % × 1.5 × 30 / 360 = 43.75
    assert penalty_accrued(owed, annual_rate=Fraction("0.035"), on=D(2026, 1, 31)) == 4_375
    assert penalty_accrued(owed, annual_rate=Fraction("0.035"), on=D(2026, 1, 1)) == 0
    # half the principal paid on the 11th (unpaid at the close of the 2nd … 10th, half unpaid at
    # the close of the 11th … 31st): 9 days on 10 000 + 21 days on 5 000 = 13.125 + 15.3125
    half = [Owed(1, D(2026, 1, 1), 1_000_000, 0, principal_paid=500_000)]
    assert (
        penalty_accrued(
            half, annual_rate=Fraction("0.035"), on=D(2026, 1, 31), paid_on={1: [(D(2026, 1, 11), 500_000)]}
        )
        == 2_844
    )
    # paid on the due date itself: no penalty at all on what was paid
    assert (
        penalty_accrued(
            half, annual_rate=Fraction("0.035"), on=D(2026, 1, 31), paid_on={1: [(D(2026, 1, 1), 500_000)]}
        )
        == 2_188
    )
    # the uplift is configurable (PBoC: +30 % to +50 %)
    assert (
        penalty_accrued(owed, annual_rate=Fraction("0.035"), on=D(2026, 1, 31), uplift=Fraction(3, 10))
        == 3_792
    )


def test_settled_by_payoff_worked_example():
    """settled_by_payoff docstring: three instalments of 50.00 interest ahead, 62.50 to the day."""
    d = dt.date(2026, 5, 1)
    owed = [
        Owed(1, d, 100_000, 5_000, 100_000, 5_000),  # due on the payoff day: not settled by it
        *(Owed(k, d + dt.timedelta(days=30 * (k - 1)), 100_000, 5_000) for k in (2, 3, 4)),
    ]
    assert settled_by_payoff(owed, d, 6_250) == {2: 5_000, 3: 1_250, 4: 0}
    assert settled_by_payoff(owed, d, 0) == {2: 0, 3: 0, 4: 0}
    assert settled_by_payoff(owed, d, 16_000) == {2: 6_000, 3: 5_000, 4: 5_000}  # beyond: on the first
