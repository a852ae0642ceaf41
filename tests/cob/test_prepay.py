"""Partial prepayment on a loan the nightly batch has been accruing (issue 24, 14): the
instalments re-amortised, one balanced entry that takes back what the batch had accrued on the
prepaid principal, a payoff afterwards on what is left — every figure recomputed here."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest

from fupin.core.errors import Conflict, ValidationFailed
from fupin.loans.models import Installment, Prepayment, Repayment, Servicing
from fupin.loans.repayments import loan_prepay, repayment_post
from fupin.loans.standing import loan_schedule, payoff_figures
from fupin.subsidies.services import periods_of
from tests.clock import on
from tests.cob.conftest import books, close_days, past_loan, today

pytestmark = pytest.mark.clock

DAY = dt.timedelta(days=1)
RATE = Fraction("0.165")  # P-SEASONAL


def half_up(x: Fraction) -> int:
    return int(x + Fraction(1, 2))


def lines(entry) -> set[tuple[str, int, int]]:
    return {(p.account_id, p.debit, p.credit) for p in entry.postings.all()}


def test_a_partial_prepayment_reduces_the_instalments_and_the_books_agree(rt, hh, head):
    """P-SEASONAL, 10 000.00 at 16.5 % for 6 months, interest monthly: the first month's interest
    paid on its day, the batch run every day; today 4 000.00 is prepaid. The household pays the
    interest on it since the period began (PBoC daily rate, ÷ 360); months 2–6 then carry
    6 000 × 16.5 % ÷ 12 = 82.50 instead of 137.50; of the interest, what the batch had accrued on
    the 4 000.00 leaves 1132 and the rest is income."""
    officer = rt.world.user("loan_officer")
    start = today() - 45 * DAY
    loan = past_loan(rt, hh, start, term=6)
    schedule = loan_schedule(loan)
    first = loan.installments.get(seq=1)
    close_days(start, first.due_date - DAY)
    repayment_post(
        acting_user=officer, loan=loan, amount=first.interest, key="prepay-int-1", on=first.due_date
    )
    close_days(first.due_date, today() - DAY)
    sv = Servicing.objects.get(loan=loan)
    assert sv.cur_seq == 2 and sv.cur_interest == 13_750
    s = schedule.accrual_dates[0]  # interest runs from the scheduled date (R-PRD-2) …
    # … and the batch spreads each instalment's over the days between due dates (R-REP-2)
    second = loan.installments.get(seq=2)
    days, period = (today() - DAY - second.period_start).days, (second.due_date - second.period_start).days
    earned = [half_up(Fraction(x * days, period)) for x in (13_750, 8_250)]

    r, created = loan_prepay(
        acting_user=officer, loan=loan, amount=400_000, method="reduce", key="prepay-4000-01", on=today()
    )
    interest = half_up(400_000 * RATE * (today() - s).days / 360)
    accrued = earned[0] - earned[1]
    assert created and interest > 0 and r.amount == 400_000 + interest
    assert r.allocation == [["prepay", 400_000, interest, "reduce"]]
    expected = {("1011", 400_000 + interest, 0), ("1301", 0, 400_000), ("1132", 0, accrued)}
    expected |= {("6011", 0, interest - accrued)} if interest > accrued else {("6011", accrued - interest, 0)}
    assert lines(r.entry) == expected
    rows = list(Installment.objects.filter(loan=loan).order_by("seq"))
    assert [i.interest for i in rows] == [13_750] + [8_250] * 5
    assert [i.principal for i in rows] == [0] * 5 + [600_000]
    assert Servicing.objects.get(loan=loan).cur_interest == 8_250
    p = Prepayment.objects.get(loan=loan)
    assert (p.first, p.periods, p.principal, p.method) == (1, 5, 600_000, "reduce")

    again, created_again = loan_prepay(
        acting_user=officer, loan=loan, amount=400_000, method="reduce", key="prepay-4000-01", on=today()
    )
    assert (created_again, again.pk) == (False, r.pk) and Repayment.objects.filter(loan=loan).count() == 2
    with pytest.raises(Conflict):  # the same key for something else
        loan_prepay(
            acting_user=officer, loan=loan, amount=100_000, method="reduce", key="prepay-4000-01", on=today()
        )

    # a payoff today owes what is left and its interest since the period began
    f = payoff_figures(loan, today())
    assert f["principal"] == 600_000
    assert f["interest"] == half_up(600_000 * RATE * (today() - s).days / 360)
    close_days(today(), today())
    bal = books(head)
    assert bal["1301"] == 600_000 and bal["2011"] == 50_000  # the 5 % deposit stays to maturity

    # for the subsidy, month 2 ran on 6 000.00, and on the 4 000.00 up to today (core.subsidy)
    prepaid_on = today()
    with on(second.due_date):
        close_days(prepaid_on + DAY, second.due_date - DAY)
        repayment_post(acting_user=officer, loan=loan, amount=8_250, key="prepay-int-2", on=second.due_date)
    rows = list(Installment.objects.filter(loan=loan))
    periods = periods_of(loan, rows, list(Repayment.objects.filter(loan=loan)), second.due_date)
    assert [(p.seq, p.principal, p.interest, p.on_time) for p in periods] == [
        (1, 1_000_000, 13_750, True),
        (2, 600_000, 8_250, True),
    ]
    assert (periods[1].prepaid, periods[1].prepaid_interest) == (((400_000, prepaid_on),), interest)


def test_what_a_loan_cannot_prepay_is_refused_and_nothing_is_recorded(rt, hh):
    officer = rt.world.user("loan_officer")
    start = today() - 10 * DAY
    loan = past_loan(rt, hh, start, term=6)
    close_days(start, today() - DAY)
    cases = [
        (dict(amount=100_000, method="shorten"), ValidationFailed, "prepay_method"),  # interest only
        (dict(amount=1_000_000, method="reduce"), ValidationFailed, "prepay_amount"),  # all: a payoff
        (dict(amount=0, method="reduce"), ValidationFailed, "prepay_amount"),
    ]
    for k, (args, error, code) in enumerate(cases):
        with pytest.raises(error) as e:
            loan_prepay(acting_user=officer, loan=loan, key=f"prepay-bad-{k:02d}", on=today(), **args)
        assert e.value.code == code
    Installment.objects.filter(loan=loan, seq=1).update(due_date=today() - DAY)
    with pytest.raises(Conflict) as e:  # something due first
        loan_prepay(acting_user=officer, loan=loan, amount=100_000, method="reduce", key="prepay-late-01")
    assert e.value.code == "payoff_arrears"
    assert not Repayment.objects.exists() and not Prepayment.objects.exists()
