"""Cooperative rules (R-COOP-1, 2): the docstring's worked examples, every refusal at once, a
payment settles the fee first, the 60 % targets."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from fupin.core.coop import LendingRules, fee, loan_problems, rates, split

RULES = LendingRules(max_amount=500_000, max_term=12, fee_rate=Decimal("0.06"))


def test_fee_worked_examples():
    assert fee(500_000, Decimal("0.06"), 6) == 15_000
    assert fee(333_333, Decimal("0.05"), 5) == 6_944  # 69.444… → 69.44
    assert fee(100, Decimal("0.06"), 1) == 1  # 0.5 fen → 1 (half-up)


def test_every_reason_is_given_at_once():
    got = loan_problems(RULES, member=False, amount=600_000, term=13, available=100_000, owing=True)
    assert [p.message[:6] for p in got] == [
        "只向本社社员",
        "该社员尚有未",
        "借款金额应在",
        "借款期限应在",
        "互助资金可用",
    ]
    assert loan_problems(RULES, member=True, amount=500_000, term=12, available=500_000, owing=False) == []


def test_rates_against_the_sixty_percent_targets():
    membership, borrowing = rates(low_income=150, low_income_members=92, members=92, borrowers=50)
    assert (membership.percent(), membership.met) == ("61.33%", True)
    assert (borrowing.percent(), borrowing.met) == ("54.35%", False)
    empty, _ = rates(low_income=0, low_income_members=0, members=0, borrowers=0)
    assert empty.percent() == "—" and not empty.met


@given(st.integers(1, 10**7), st.integers(0, 10**6), st.integers(0, 10**7))
def test_a_payment_settles_the_fee_first_and_never_more_than_owed(amount, fee_due, principal_due):
    f, p = split(amount, fee_due, principal_due)
    assert f == min(amount, fee_due) and 0 <= p <= principal_due and f + p <= amount
    assert p == 0 or f == fee_due  # principal only after the whole fee
