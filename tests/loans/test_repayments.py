"""Repayments (R-REP-1): allocation order, idempotency keys, overpayment held, loans closed,
every repayment one balanced entry and the sub-ledger still equal to the control account."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from fupin.core.errors import Conflict, NotPermitted, ValidationFailed
from fupin.ledger import selectors as ledger
from fupin.ledger.models import JournalEntry
from fupin.loans import disbursement
from fupin.loans.models import Installment, Loan, Repayment
from fupin.loans.repayments import repayment_post
from tests.loans.test_disbursement import approved

pytestmark = [
    pytest.mark.sqlite,
    pytest.mark.clock,
]  # a repayment takes the batch's advisory lock on PostgreSQL only

TODAY = dt.date.today()


@pytest.fixture
def loan(rt, hh):
    """8 000.00 yuan of 脱贫人口小额信贷 for 36 months, interest quarterly, disbursed today."""
    officer = rt.world.user("loan_officer")
    app = approved(rt, hh)
    return disbursement.loan_disburse(
        acting_user=officer, loan=disbursement.loan_contract(acting_user=officer, application=app)
    )


def entry_lines(r: Repayment) -> set[tuple[str, int, int]]:
    return {(p.account_id, p.debit, p.credit) for p in r.entry.postings.all()}


def test_paying_the_current_instalment_before_it_is_due(rt, loan):
    first = loan.installments.get(seq=1)
    r, created = repayment_post(
        acting_user=rt.world.user("loan_officer"), loan=loan, amount=first.interest, key="k-current-0001"
    )
    assert created and r.allocation == [[1, "current_interest", first.interest]] and r.overpayment == 0
    assert entry_lines(r) == {("1011", first.interest, 0), ("6011", 0, first.interest)}
    first.refresh_from_db()
    assert first.interest_paid == first.interest


def test_the_same_key_records_once_and_a_different_body_is_refused(rt, loan):
    officer = rt.world.user("loan_officer")
    r1, created1 = repayment_post(acting_user=officer, loan=loan, amount=500, key="same-key-0001")
    r2, created2 = repayment_post(acting_user=officer, loan=loan, amount=500, key="same-key-0001")
    assert (created1, created2) == (True, False) and r1.pk == r2.pk
    assert (
        Repayment.objects.count() == 1
        and JournalEntry.objects.filter(source__startswith="loan.repay").count() == 1
    )
    with pytest.raises(Conflict) as e:
        repayment_post(acting_user=officer, loan=loan, amount=600, key="same-key-0001")
    assert e.value.code == "idempotency_mismatch" and Repayment.objects.count() == 1
    with pytest.raises(ValidationFailed):
        repayment_post(acting_user=officer, loan=loan, amount=600, key="short")
    with pytest.raises(NotPermitted):
        repayment_post(
            acting_user=rt.world.user("village_cadre"), loan=loan, amount=600, key="cadre-key-0001"
        )


def test_overdue_first_then_current_and_the_rest_held_for_the_household(rt, loan):
    first, second = loan.installments.get(seq=1), loan.installments.get(seq=2)
    Installment.objects.filter(pk=first.pk).update(due_date=TODAY - dt.timedelta(days=5))
    amount = first.interest + second.interest + 1_000
    r, _ = repayment_post(
        acting_user=rt.world.user("loan_officer"), loan=loan, amount=amount, key="k-overdue-0001"
    )
    assert r.allocation == [[1, "overdue_interest", first.interest], [2, "current_interest", second.interest]]
    assert r.overpayment == 1_000 and ("2251", 0, 1_000) in entry_lines(r)


def test_a_loan_paid_in_full_is_closed_and_the_books_agree(rt, loan):
    Installment.objects.filter(loan=loan).update(due_date=TODAY - dt.timedelta(days=1))  # all overdue now
    total = sum(i.principal + i.interest for i in loan.installments.all())
    r, _ = repayment_post(
        acting_user=rt.world.user("loan_officer"), loan=loan, amount=total, key="k-payoff-0001"
    )
    loan.refresh_from_db()
    assert loan.state == Loan.State.CLOSED and r.overpayment == 0
    head = rt.world.user("head_office")
    tb = {x["code"]: x["balance"] for x in ledger.trial_balance(head, on=TODAY)["lines"]}
    assert tb["1301"] == 0 and tb["6011"] == sum(i.interest for i in loan.installments.all())
    assert all(s["equal"] for s in ledger.subledgers(head))
    with pytest.raises(Conflict):
        repayment_post(acting_user=rt.world.user("loan_officer"), loan=loan, amount=100, key="k-after-0001")


def test_the_form_submitted_twice_records_once_and_the_api_replays(rt, loan):
    c = rt.world.client("loan_officer")
    page = c.get(f"/loans/{loan.pk}/").content.decode()
    import re

    key = re.search(r'name="key" value="([0-9a-f]{32})"', page).group(1)
    for _ in range(2):
        r = c.post(f"/loans/{loan.pk}/repay/", {"amount": "5.00", "key": key}, follow=True)
    assert "没有重复记账" in r.content.decode() and Repayment.objects.count() == 1
    body = {"amount": "3.00", "idempotency_key": "api-key-00000001"}
    first = c.post(f"/api/v1/loans/{loan.pk}/repayments", body, content_type="application/json")
    again = c.post(f"/api/v1/loans/{loan.pk}/repayments", body, content_type="application/json")
    assert (first.status_code, again.status_code) == (201, 200) and first.json() == again.json()
    other = c.post(
        f"/api/v1/loans/{loan.pk}/repayments", {**body, "amount": "4.00"}, content_type="application/json"
    )
    assert other.status_code == 409 and Repayment.objects.count() == 2


def test_the_loan_page_shows_its_standing(rt, loan):
    c = rt.world.client("loan_officer")
    assert "正常" in c.get(f"/loans/{loan.pk}/").content.decode()
    Installment.objects.filter(loan=loan, seq=1).update(due_date=TODAY - dt.timedelta(days=95))
    page = c.get(f"/loans/{loan.pk}/").content.decode()
    assert "次级" in page and "逾期 95 天" in page and "91–180" in page


def test_a_seasonal_loan_paid_off_early_with_its_deposit_set_against_it(rt, hh):
    """P-SEASONAL, 10 000.00 at 16.5 %, paid off 15 days after disbursement: interest
    10 000 × 0.165 × 15 ÷ 360 = 68.75; the 500.00 deposit is released against it."""
    from fupin.loans.repayments import loan_payoff

    officer = rt.world.user("loan_officer")
    app = approved(rt, hh, amount=1_000_000, product="seasonal", term=6)
    loan = disbursement.loan_disburse(
        acting_user=officer, loan=disbursement.loan_contract(acting_user=officer, application=app)
    )
    on = TODAY + dt.timedelta(days=15)
    r, created = loan_payoff(acting_user=officer, loan=loan, key="payoff-key-0001", on=on)
    again, created_again = loan_payoff(acting_user=officer, loan=loan, key="payoff-key-0001", on=on)
    assert (created, created_again) == (True, False) and again.pk == r.pk
    assert entry_lines(r) == {
        ("1011", 956_875, 0),
        ("2011", 50_000, 0),
        ("1301", 0, 1_000_000),
        ("6011", 0, 6_875),
    }
    loan.refresh_from_db()
    assert loan.state == Loan.State.CLOSED
    head = rt.world.user("head_office")
    tb = {x["code"]: x["balance"] for x in ledger.trial_balance(head, on=on)["lines"]}
    assert tb["1301"] == 0 and tb["2011"] == 0  # nothing lent, no deposit held
    assert all(s["equal"] for s in ledger.subledgers(head))


def test_a_payoff_records_the_interest_really_paid_on_each_instalment(rt, hh):
    """After a payoff the instalments show what was paid on them: the 68.75 of interest to the
    day on the first, nothing on the rest — not the schedule's 825.00 (issue 24: a seasonal
    payoff showed 412.50 for 206.25 paid). Their principal is paid; the loan owes nothing."""
    from fupin.loans.repayments import loan_payoff

    officer = rt.world.user("loan_officer")
    app = approved(rt, hh, amount=1_000_000, product="seasonal", term=6)
    loan = disbursement.loan_disburse(
        acting_user=officer, loan=disbursement.loan_contract(acting_user=officer, application=app)
    )
    scheduled = sum(Installment.objects.filter(loan=loan).values_list("interest", flat=True))
    assert scheduled > 6_875
    loan_payoff(acting_user=officer, loan=loan, key="payoff-real-0001", on=TODAY + dt.timedelta(days=15))
    rows = list(Installment.objects.filter(loan=loan).order_by("seq"))
    assert sum(i.interest_paid for i in rows) == 6_875  # 10 000 × 16.5 % × 15 ÷ 360, as posted to 6011
    assert [i.interest_paid for i in rows] == [6_875] + [0] * (len(rows) - 1)
    assert all(i.interest == i.interest_paid and i.principal == i.principal_paid for i in rows)
    assert sum(i.principal_paid for i in rows) == 1_000_000


def test_no_payoff_while_an_instalment_is_overdue(rt, loan):
    from fupin.loans.repayments import loan_payoff

    Installment.objects.filter(loan=loan, seq=1).update(due_date=TODAY - dt.timedelta(days=2))
    with pytest.raises(Conflict) as e:
        loan_payoff(acting_user=rt.world.user("loan_officer"), loan=loan, key="payoff-late-0001")
    assert e.value.code == "payoff_arrears" and not Repayment.objects.exists()


def test_the_payoff_from_the_loan_page(rt, loan):
    import re

    c = rt.world.client("loan_officer")
    page = c.get(f"/loans/{loan.pk}/").content.decode()
    assert "今天提前还清：应还 8,000.00 元" in page  # nothing accrued on the day of disbursement
    key = re.search(r'name="key" value="(p[0-9a-f]{31})"', page).group(1)
    c.post(f"/loans/{loan.pk}/payoff/", {"key": key})
    c.post(f"/loans/{loan.pk}/payoff/", {"key": key})  # a double submit records once
    loan.refresh_from_db()
    assert loan.state == Loan.State.CLOSED and Repayment.objects.count() == 1


def test_an_amount_that_is_not_plain_digits_or_beyond_the_bound_is_refused_on_page_and_api(rt, loan):
    """R-REP-1: "1,5" is not 15.00, "1e3" not 1 000, 9×10^16 not a payment; a payment beyond what
    the loan can absorb plus the overpayment allowance is a typing error. None of them a 500."""
    c = rt.world.client("loan_officer")
    for n, amount in enumerate(
        [
            "1e100",
            "1E+30",
            "9223372036854775807",
            "90000000000000000",
            "1,5",
            "1_000",
            "+5",
            "-5",
            "1.234",
            "NaN",
        ]
    ):
        r = c.post(
            f"/api/v1/loans/{loan.pk}/repayments",
            {"amount": amount, "idempotency_key": f"bad-amount-{n:04d}"},
            content_type="application/json",
        )
        assert r.status_code in (400, 422) and r.json()["message"], (amount, r.status_code)
        page = c.post(f"/loans/{loan.pk}/repay/", {"amount": amount, "key": f"bad-page-{n:04d}"}, follow=True)
        assert page.status_code == 200 and "金额" in page.content.decode(), amount
    owed = sum(i.principal + i.interest for i in loan.installments.all())
    too_much = f"{(owed + 100_000) // 100 + 1}.00"  # the allowance is 1 000.00 yuan
    r = c.post(
        f"/api/v1/loans/{loan.pk}/repayments",
        {"amount": too_much, "idempotency_key": "too-much-0001"},
        content_type="application/json",
    )
    assert r.status_code == 422 and r.json()["code"] == "repayment_too_large"
    fine_fen = (owed + 100_000) // 100 * 100  # whole yuan, within what it can absorb plus the allowance
    fine = f"{fine_fen // 100}.00"
    r = c.post(
        f"/api/v1/loans/{loan.pk}/repayments",
        {"amount": fine, "idempotency_key": "just-right-01"},
        content_type="application/json",
    )
    body = r.json()
    assert (
        r.status_code == 201 and body["amount"] == fine
    )  # the most it takes (what is not due yet is held as credit)
    assert sum(line[2] for line in body["allocation"]) + int(Decimal(body["overpayment"]) * 100) == fine_fen
    assert Repayment.objects.filter(loan=loan).count() == 1


def test_a_partial_prepayment_from_the_loan_page_and_the_api(rt, loan):
    """Issue 24 (14): the page offers the product's methods (P-SUBSIDY: 减额 only); on the day of
    disbursement no interest has run, so 3 000.00 prepaid is 3 000.00 paid, and 5 000.00 falls due
    at maturity; a double submit records once, and the API replays the same key."""
    import re
    from fractions import Fraction

    from fupin.loans.standing import loan_schedule

    c = rt.world.client("loan_officer")
    page = c.get(f"/loans/{loan.pk}/").content.decode()
    assert 'value="reduce"' in page and 'value="shorten"' not in page
    key = re.search(r'name="key" value="(r[0-9a-f]{31})"', page).group(1)
    for _ in range(2):
        c.post(f"/loans/{loan.pk}/prepay/", {"key": key, "amount": "3000.00", "method": "reduce"})
    r = Repayment.objects.get(loan=loan)
    assert (r.amount, r.allocation) == (300_000, [["prepay", 300_000, 0, "reduce"]])
    assert entry_lines(r) == {("1011", 300_000, 0), ("1301", 0, 300_000)}
    rows = list(Installment.objects.filter(loan=loan).order_by("seq"))
    assert sum(i.principal for i in rows) == rows[-1].principal == 500_000
    days = (loan_schedule(loan).accrual_dates[0] - loan.start).days  # act/360 on what is left
    assert rows[0].interest == int(500_000 * Fraction(loan.nominal_rate) * days / 360 + Fraction(1, 2))
    body = {"amount": "3000.00", "method": "reduce", "idempotency_key": key}
    url = f"/api/v1/loans/{loan.pk}/prepayments"
    assert c.post(url, body, content_type="application/json").status_code == 200
    shorten = {"amount": "100.00", "method": "shorten", "idempotency_key": "api-shorten-01"}
    refused = c.post(url, shorten, content_type="application/json")
    assert refused.status_code == 422 and "只能减额" in refused.json()["message"]
