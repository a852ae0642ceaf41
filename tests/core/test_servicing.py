"""Repayment allocation (R-REP-1): the order, oldest first, overpayment kept, nothing lost."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fupin.core.errors import ValidationFailed
from fupin.core.servicing import Owed, allocate

D = dt.date


def test_worked_example():
    owed = [Owed(1, D(2026, 3, 1), 10_000, 1_000, penalty=200), Owed(2, D(2026, 4, 1), 10_000, 1_000)]
    a = allocate(15_000, owed, D(2026, 3, 10))
    assert a.lines == [(1, "penalty", 200), (1, "overdue_interest", 1_000), (1, "overdue_principal", 10_000),
                       (2, "current_interest", 1_000), (2, "current_principal", 2_800)]
    assert a.overpayment == 0


def test_overpayment_is_kept_and_a_configured_order_is_followed():
    owed = [Owed(1, D(2026, 3, 1), 10_000, 1_000)]
    a = allocate(12_000, owed, D(2026, 2, 1))
    assert a.total("current_principal") == 10_000 and a.overpayment == 1_000
    principal_first = allocate(10_000, owed, D(2026, 3, 2), order=["overdue_principal", "overdue_interest", "penalty",
                                                                    "current_interest", "current_principal"])
    assert principal_first.lines == [(1, "overdue_principal", 10_000)]
    with pytest.raises(ValidationFailed):
        allocate(0, owed, D(2026, 3, 1))
    with pytest.raises(ValidationFailed):
        allocate(1, owed, D(2026, 3, 1), order=["penalty"])


@given(st.integers(min_value=1, max_value=10**8), st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 10**5),
                                                                     st.integers(0, 10**4)), min_size=1, max_size=12),
       st.integers(0, 400))
def test_no_fen_is_lost_and_nothing_is_overpaid(amount, rows, day):
    start = D(2026, 1, 1)
    owed = [Owed(i + 1, start + dt.timedelta(days=30 * i), p, r, penalty=pen) for i, (p, r, pen) in enumerate(rows)]
    a = allocate(amount, owed, start + dt.timedelta(days=day))
    assert sum(x for _, _, x in a.lines) + a.overpayment == amount
    for o in owed:
        assert sum(x for s, b, x in a.lines if s == o.seq and b.endswith("principal")) <= o.principal
        assert sum(x for s, b, x in a.lines if s == o.seq and b.endswith("interest")) <= o.interest
