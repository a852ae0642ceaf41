"""Extension, rollover, write-off with recovery, refund (R-REP-4): two people, the conditions,
the postings to the fen, and the books agreeing after each."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from unittest import mock

import pytest

from fupin.core import cob as core
from fupin.core.errors import Conflict, NotPermitted, ValidationFailed
from fupin.loans.events import authority, event_decide, event_request
from fupin.loans.models import Loan, LoanEvent, Servicing
from fupin.loans.repayments import repayment_post
from fupin.ratings.models import CreditLine
from tests.cob.conftest import books, close_days, past_loan, today

pytestmark = pytest.mark.clock  # business dates from today: run on other days too

DAY = dt.timedelta(days=1)


def lines(entry) -> set[tuple[str, int, int]]:
    return {(p.account_id, p.debit, p.credit) for p in entry.postings.all()}


def test_an_extension_moves_the_final_due_date_and_charges_the_added_days(rt, hh, head):
    officer, director = rt.world.user("loan_officer"), rt.world.user("branch_director")
    start = today() - 20 * DAY
    loan = past_loan(rt, hh, start)  # seasonal: 10 000 yuan for 3 months
    close_days(start, today() - DAY)
    final = loan.installments.order_by("-seq").first()
    new = loan.maturity + 30 * DAY
    with pytest.raises(ValidationFailed):  # not later than the original maturity
        event_request(
            acting_user=officer, loan=loan, kind="extension", reason="受灾", new_maturity=loan.maturity
        )
    e = event_request(
        acting_user=officer, loan=loan, kind="extension", reason="受灾，推迟一个月", new_maturity=new
    )
    with pytest.raises(NotPermitted):  # the requester does not approve
        event_decide(acting_user=officer, event=e, approve=True)
    event_decide(acting_user=director, event=e, approve=True)
    days = (new - final.due_date).days
    added = core.half_up(final.principal * 165_000 * days, 360 * 10**6)  # 16.5 % on the final principal
    before = final.interest
    final.refresh_from_db()
    loan.refresh_from_db()
    e.refresh_from_db()
    assert (final.due_date, loan.maturity) == (new, new)
    assert e.interest == added > 0 and final.interest == before + added
    with pytest.raises(Conflict):  # once
        event_request(
            acting_user=officer,
            loan=loan,
            kind="extension",
            reason="再次申请展期",
            new_maturity=new + 30 * DAY,
        )
    books(head)


def test_changes_to_a_loan_are_decided_within_the_loan_approval_bands(rt, hh, head):
    """Issue 24 (9), R-APP-3: a 45 000 loan's extension is the head office's to decide, as its
    loan was — the branch director is refused with the roles that may, either way; a 10 000
    loan's is the branch director's (a director at least: the loan officer only asks)."""
    officer, director, head_office = (
        rt.world.user(r) for r in ("loan_officer", "branch_director", "head_office")
    )
    # started after the last quarterly settlement (the 20th, P-SUBSIDY): nothing due yet today
    settled = next(d for d in (today() - k * DAY for k in range(1, 120)) if d.day == 20 and d.month % 3 == 0)
    start = max(today() - 20 * DAY, settled + DAY)
    CreditLine.objects.filter(household=hh).update(amount=Decimal(50_000))  # an AAA line
    big = past_loan(rt, hh, start, amount=4_500_000, product="subsidy", term=12, approver="head_office")
    small = past_loan(rt, rt.households[1], start)
    close_days(start, today() - DAY)
    e = event_request(
        acting_user=officer,
        loan=big,
        kind="extension",
        reason="受灾，推迟三个月",
        new_maturity=big.maturity + 90 * DAY,
    )
    assert authority(e) == ("head_office",)
    decide = f"/loans/events/{e.pk}/decide"
    shown = {
        r: rt.world.client(r).get("/loans/events/").content.decode()
        for r in ("branch_director", "head_office")
    }
    assert "待总社审批" in shown["branch_director"] and decide not in shown["branch_director"]
    assert decide in shown["head_office"]
    for approve in (True, False):
        with pytest.raises(NotPermitted, match="本金 45000.00 元，须由总社审批") as refused:
            event_decide(acting_user=director, event=e, approve=approve, note="不同意展期申请")
        assert refused.value.code == "authority"
    assert LoanEvent.objects.get(pk=e.pk).state == "requested"
    event_decide(acting_user=head_office, event=e, approve=True)
    assert Loan.objects.get(pk=big.pk).maturity == big.maturity + 90 * DAY
    e = event_request(
        acting_user=officer,
        loan=small,
        kind="extension",
        reason="受灾，推迟一个月",
        new_maturity=small.maturity + 30 * DAY,
    )
    assert authority(e) == ("branch_director", "head_office")
    assert event_decide(acting_user=director, event=e, approve=True).state == "approved"
    books(head)


def test_write_off_after_ninety_days_then_recoveries_go_to_6013(rt, hh, head):
    officer, director = rt.world.user("loan_officer"), rt.world.user("branch_director")
    start = today() - 220 * DAY
    loan = past_loan(rt, hh, start)
    close_days(start, today() - DAY)
    e = event_request(acting_user=officer, loan=loan, kind="write_off", reason="借款人重病，无力偿还")
    event_decide(acting_user=director, event=e, approve=True)
    e.refresh_from_db()
    loan.refresh_from_db()
    sv = Servicing.objects.get(loan=loan)
    assert loan.state == Loan.State.WRITTEN_OFF and not sv.active and sv.non_accrual
    # non-accrual (issue 24 (13)): its interest and penalty were off balance — they leave 7011, and
    # the bank's loss on them is offset by the income it never booked
    assert lines(e.entry) == {
        ("6701", e.amount + e.interest, 0),
        ("1301", 0, e.amount),
        ("6011", 0, e.interest),
        ("7011", 0, e.interest),
        ("7012", e.interest, 0),
    }
    b = books(head)
    assert b["1301"] == 0 and b["1132"] == 0 and b["7011"] == 0 and b["6701"] == e.amount + e.interest
    r, _ = repayment_post(acting_user=officer, loan=loan, amount=50_000, key="recover-0001")
    assert lines(r.entry) == {("1011", 50_000, 0), ("6013", 0, 50_000)}
    rest = e.amount + e.interest - 50_000
    r2, _ = repayment_post(acting_user=officer, loan=loan, amount=rest + 700, key="recover-0002")
    assert lines(r2.entry) == {("1011", rest + 700, 0), ("6013", 0, rest), ("2251", 0, 700)}  # beyond: held
    loan.refresh_from_db()
    assert loan.credit_balance == 700
    books(head)
    # the credit balance goes back to the household on request
    refund = event_request(acting_user=officer, loan=loan, kind="refund", reason="退还多缴款")
    event_decide(acting_user=director, event=refund, approve=True)
    refund.refresh_from_db()
    assert lines(refund.entry) == {("2251", 700, 0), ("1011", 0, 700)}
    assert books(head).get("2251", 0) == 0


def test_a_rollover_makes_a_new_loan_of_the_principal_without_cash(rt, hh, head):
    officer, director = rt.world.user("loan_officer"), rt.world.user("branch_director")
    start = today() - 100 * DAY
    loan = past_loan(rt, hh, start)
    final = loan.installments.order_by("-seq").first()
    close_days(start, final.due_date - DAY)
    with pytest.raises(Conflict):  # before the final due date
        event_request(acting_user=officer, loan=loan, kind="rollover", reason="到期转据续贷")
    close_days(final.due_date, final.due_date)
    assert Loan.objects.get(pk=loan.pk).deposit_held == 0  # set against what was due at maturity
    principal_left = sum(i.principal - i.principal_paid for i in loan.installments.all())
    unpaid_interest = sum(i.interest - i.interest_paid for i in loan.installments.all())
    with mock.patch(
        "django.utils.timezone.localdate", return_value=final.due_date + DAY
    ):  # the open business day
        if unpaid_interest:
            repayment_post(acting_user=officer, loan=loan, amount=unpaid_interest, key="interest-before-roll")
        e = event_request(acting_user=officer, loan=loan, kind="rollover", reason="季节性资金需要，转据续贷")
        event_decide(acting_user=director, event=e, approve=True)
    e.refresh_from_db()
    old, new = Loan.objects.get(pk=loan.pk), e.new_loan
    assert old.state == Loan.State.CLOSED and new.rollover_of_id == old.pk and new.principal == principal_left
    assert lines(e.entry) == {("1301", principal_left, 0), ("1301", 0, principal_left)}
    assert e.entry.postings.get(debit__gt=0).loan_id == new.pk
    books(head)
    assert LoanEvent.objects.filter(loan=old, kind="rollover", state="approved").count() == 1


def test_an_extended_loan_paid_off_within_the_extension(rt, hh, head):
    """R-REP-1 with R-REP-4: before the original maturity an extension changes nothing; after it,
    the final period runs to the payoff date at the contract rate (16.5 %, 360 days)."""
    from fractions import Fraction

    from fupin.loans.repayments import loan_payoff
    from fupin.loans.standing import loan_schedule

    officer, director = rt.world.user("loan_officer"), rt.world.user("branch_director")
    start = today() - 85 * DAY
    loan = past_loan(rt, hh, start)  # seasonal: 10 000 yuan, interest monthly, principal at 3 months
    rows = list(loan.installments.order_by("seq"))
    closed = start - DAY
    for i in rows[:-1]:  # each month's interest paid on its due day
        close_days(closed + DAY, i.due_date - DAY)
        repayment_post(
            acting_user=officer, loan=loan, amount=i.interest, key=f"interest-month-{i.seq}", on=i.due_date
        )
        closed = i.due_date - DAY
    close_days(closed + DAY, today() - DAY)
    assert loan.maturity > today()
    e = event_request(
        acting_user=officer,
        loan=loan,
        kind="extension",
        reason="受灾，推迟一个月",
        new_maturity=loan.maturity + 30 * DAY,
    )
    event_decide(acting_user=director, event=e, approve=True)
    e.refresh_from_db()
    on, first_open = loan.maturity + 10 * DAY, today()  # ten days into the extension
    with mock.patch("django.utils.timezone.localdate", return_value=on):
        close_days(first_open, on - DAY)
        r, created = loan_payoff(acting_user=officer, loan=loan, key="payoff-ext", on=on)
    schedule = loan_schedule(loan)
    days = (on - schedule.accrual_dates[-2]).days  # the final period, from its start to the payoff
    final = rows[-1]
    expected = int(Fraction(final.principal) * Fraction(165, 1000) * days / 360 + Fraction(1, 2))
    [[_, principal, interest, refund, _]] = r.allocation
    loan.refresh_from_db()
    assert created and loan.state == Loan.State.CLOSED
    assert (principal, interest, refund) == (final.principal, expected, 0) and days > 30
    assert interest < final.interest + e.interest  # less than the whole extended period's interest
    books(head)
