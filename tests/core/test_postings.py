"""The accounting recipes (fupin.core.postings): each docstring's worked example, to the fen, and
every recipe balanced for any figures that add up (R-REP-6)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from fupin.core import postings as P
from fupin.core.ledger import Posting

fen = st.integers(min_value=0, max_value=10**11)


def lines(postings: list[Posting]) -> list[tuple[str, int, int]]:
    return [(p.account, p.debit, p.credit) for p in postings]


def balanced(postings: list[Posting]) -> bool:
    return sum(p.debit for p in postings) == sum(p.credit for p in postings) and all(
        (p.debit > 0) != (p.credit > 0) for p in postings
    )


def test_disbursement_worked_example():
    got = P.disbursement_postings(
        loan=7, principal=10_000_00, upfront_interest=300_00, fees=50_00, deposit=1_000_00
    )
    assert lines(got) == [
        ("1301", 10_000_00, 0),
        ("1011", 0, 8_650_00),
        ("2401", 0, 300_00),  # deferred: earned over the loan (issue 24 (7))
        ("2241", 0, 50_00),
        ("2011", 0, 1_000_00),
    ]
    assert all(p.loan == 7 for p in got) and balanced(got)


def test_accrual_worked_examples():
    assert lines(P.accrual_postings(interest=123_45, penalty=6_78)) == [
        ("1132", 130_23, 0),
        ("6011", 0, 123_45),
        ("6012", 0, 6_78),
    ]
    assert lines(P.accrual_postings(interest=-20_00, penalty=5_00)) == [
        ("1132", 0, 15_00),
        ("6011", 20_00, 0),
        ("6012", 0, 5_00),
    ]
    assert P.accrual_postings(interest=0, penalty=0) == []
    # issue 24 (7): the upfront interest earned today leaves 2401 for 6011
    assert lines(P.accrual_postings(interest=0, penalty=0, amortised=2_24)) == [
        ("2401", 2_24, 0),
        ("6011", 0, 2_24),
    ]
    got = P.deferred_postings(change=575_91, loan=7)
    assert lines(got) == [("2401", 575_91, 0), ("6011", 0, 575_91)] and all(p.loan == 7 for p in got)
    assert P.deferred_postings(change=0) == []


def test_repayment_worked_example():
    got = P.repayment_postings(
        loan=3,
        amount=980_00,
        receivable=30_00,
        income=5_00,
        principal=960_00,
        overpayment=5_00,
        relief=20_00,
        deposit_back=500_00,
    )
    assert lines(got) == [
        ("1011", 980_00, 0),
        ("1221", 20_00, 0),
        ("1132", 0, 30_00),
        ("6011", 0, 5_00),
        ("1301", 0, 960_00),
        ("2251", 0, 5_00),
        ("2011", 500_00, 0),
        ("1011", 0, 500_00),
    ]
    assert balanced(got)


def test_repayment_from_the_deposit_names_its_source():
    got = P.repayment_postings(loan=3, amount=100_00, source="2011", principal=100_00)
    assert lines(got) == [("2011", 100_00, 0), ("1301", 0, 100_00)] and got[0].memo == "保证金抵扣"


def test_payoff_worked_example_and_a_refund():
    got = P.payoff_postings(
        loan=1, principal=5_000_00, receivable=40_00, income=2_50, cash=4_042_50, deposit=1_000_00, credit=0
    )
    assert lines(got) == [
        ("1011", 4_042_50, 0),
        ("2011", 1_000_00, 0),
        ("1301", 0, 5_000_00),
        ("1132", 0, 40_00),
        ("6011", 0, 2_50),
    ]
    # prepaid interest beyond the day: 6011 reduced, and the bank pays the household back
    back = P.payoff_postings(
        loan=1, principal=1_000_00, receivable=0, income=-30_00, cash=-130_00, deposit=1_100_00, credit=0
    )
    assert lines(back) == [
        ("2011", 1_100_00, 0),
        ("6011", 30_00, 0),
        ("1301", 0, 1_000_00),
        ("1011", 0, 130_00),
    ]
    assert balanced(got) and balanced(back)


def test_write_off_worked_example_and_the_funds_shares():
    assert lines(P.write_off_postings(loan=9, principal=8_000_00, interest=123_40)) == [
        ("6701", 8_123_40, 0),
        ("1301", 0, 8_000_00),
        ("1132", 0, 123_40),
    ]
    shares = [Posting("2901", debit=4_000_00, loan=9), Posting("6701", debit=4_123_40, loan=9)]
    got = P.write_off_postings(loan=9, principal=8_000_00, interest=123_40, borne_by=shares)
    assert got[:2] == shares and balanced(got)
    # a non-accrual loan's interest and penalty were off balance (issue 24 (13))
    assert lines(P.write_off_postings(loan=9, principal=8_000_00, interest=123_40, off_balance=True)) == [
        ("6701", 8_123_40, 0),
        ("1301", 0, 8_000_00),
        ("6011", 0, 123_40),
        ("7011", 0, 123_40),
        ("7012", 123_40, 0),
    ]


def test_non_accrual_worked_examples():
    """Issue 24 (13): a loan turning non-accrual with 85.00 receivable and 4.00 of penalty; a
    payment of 30.00 on such a loan, 4.00 of it penalty, all of it posted before."""
    assert lines(P.accrual_postings(interest=-85_00, penalty=-4_00, off_balance=89_00)) == [
        ("1132", 0, 89_00),
        ("6011", 85_00, 0),
        ("6012", 4_00, 0),
        ("7011", 89_00, 0),
        ("7012", 0, 89_00),
    ]
    got = P.repayment_postings(loan=3, amount=30_00, income=26_00, penalty=4_00, off_balance=30_00)
    assert lines(got) == [
        ("1011", 30_00, 0),
        ("6011", 0, 26_00),
        ("6012", 0, 4_00),
        ("7011", 0, 30_00),
        ("7012", 30_00, 0),
    ]
    assert balanced(got) and all(p.loan == 3 for p in got)


def test_recovery_worked_example_and_the_shares():
    assert lines(P.recovery_postings(loan=5, amount=1_200_00, source="1011", recovered=1_000_00)) == [
        ("1011", 1_200_00, 0),
        ("6013", 0, 1_000_00),
        ("2251", 0, 200_00),
    ]
    shares = [Posting("2901", credit=600_00, loan=5), Posting("6013", credit=400_00, loan=5)]
    got = P.recovery_postings(loan=5, amount=1_000_00, source="1011", recovered=1_000_00, shares=shares)
    assert lines(got) == [("1011", 1_000_00, 0), ("2901", 0, 600_00), ("6013", 0, 400_00)]


def test_events_worked_examples():
    assert lines(P.extension_postings(loan=1, change=12_34)) == [("1132", 12_34, 0), ("6011", 0, 12_34)]
    assert lines(P.extension_postings(loan=1, change=-5_00)) == [("6011", 5_00, 0), ("1132", 0, 5_00)]
    roll = P.rollover_postings(old=1, new=2, new_contract="ZJ1", principal=3_000_00)
    assert [(p.loan, p.debit, p.credit) for p in roll] == [(2, 3_000_00, 0), (1, 0, 3_000_00)]
    assert lines(P.refund_postings(loan=1, amount=50_00)) == [("2251", 50_00, 0), ("1011", 0, 50_00)]


@given(
    receivable=fen,
    income=fen,
    principal=fen,
    overpayment=fen,
    relief=fen,
    deposit=fen,
    source=st.sampled_from(sorted(P.SOURCES)),
)
def test_a_repayment_is_balanced_whenever_its_allocation_adds_up(
    receivable, income, principal, overpayment, relief, deposit, source
):
    amount = receivable + income + principal + overpayment - relief
    if amount <= 0:
        return
    got = P.repayment_postings(
        loan=1,
        amount=amount,
        source=source,
        receivable=receivable,
        income=income,
        principal=principal,
        overpayment=overpayment,
        relief=relief,
        deposit_back=deposit,
    )
    assert balanced(got)


@given(principal=fen, interest=fen, fees=fen, deposit=fen)
def test_a_disbursement_is_balanced(principal, interest, fees, deposit):
    principal += interest + fees + deposit + 1
    assert balanced(
        P.disbursement_postings(
            loan=1, principal=principal, upfront_interest=interest, fees=fees, deposit=deposit
        )
    )


@given(principal=fen, receivable=fen, income=st.integers(-(10**9), 10**9), deposit=fen, credit=fen)
def test_a_payoff_is_balanced_whatever_the_cash(principal, receivable, income, deposit, credit):
    cash = principal + receivable + income - deposit - credit
    got = P.payoff_postings(
        loan=1,
        principal=principal,
        receivable=receivable,
        income=income,
        cash=cash,
        deposit=deposit,
        credit=credit,
    )
    assert sum(p.debit for p in got) == sum(p.credit for p in got)
