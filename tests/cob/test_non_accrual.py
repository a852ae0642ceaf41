"""Non-accrual (非应计, issue 24 (13)): past the programme's 90 days a loan stops accruing on the
books — what was accrued leaves income for the memorandum accounts (7011/7012) — its interest and
penalty go on being counted off balance, a payment is income when it is received, and a loan whose
arrears are paid is cured at the close and accrues again. The books agree with the loans at every
step (the sub-ledgers of 1132 and 7011), and no fen of interest is lost or counted twice."""

from __future__ import annotations

import datetime as dt

import pytest

from fupin.cob.day import closed_through
from fupin.core.errors import Conflict
from fupin.loans.events import event_request
from fupin.loans.models import Installment, Repayment, Servicing
from fupin.loans.repayments import loan_payoff, repayment_post
from fupin.loans.standing import owed_of, receivable_of
from tests.cob.conftest import books, close_days, past_loan, today

DAY = dt.timedelta(days=1)


def held(loan) -> int:
    """What the loan owes in interest and penalty posted up to the last close (on or off balance)."""
    sv = Servicing.objects.get(loan=loan)
    closed = closed_through()
    owed = owed_of(Installment.objects.filter(loan=loan), sv, closed)
    return receivable_of(sv, closed) + sum(o.penalty - o.penalty_paid for o in owed)


def collected() -> int:
    """Interest and penalty received in cash so far, as the repayments' allocations say."""
    return sum(
        fen
        for r in Repayment.objects.all()
        for _, bucket, fen in r.allocation
        if not bucket.endswith("principal")
    )


def lines(entry) -> set[tuple[str, int, int]]:
    return {(p.account_id, p.debit, p.credit) for p in entry.postings.all()}


def test_past_90_days_a_loan_stops_accruing_is_collected_off_balance_and_accrues_again_when_cured(
    rt, hh, head
):
    officer = rt.world.user("loan_officer")
    start = today() - 200 * DAY
    # A: 10 000.00 for 3 months — overdue from maturity (its deposit paid the interest), penalty runs;
    # B: 10 000.00 for 9 months — its monthly interest is overdue from the first month
    a = past_loan(rt, hh, start, term=3)
    b = past_loan(rt, rt.households[1], start, term=9)
    turn = b.installments.get(seq=1).due_date + 91 * DAY  # more than 90 days past due after its close
    close_days(start, turn - DAY)
    before = books(head)
    assert before["1132"] == held(a) + held(b) > 0 and before["6012"] > 0  # A's penalty since maturity
    assert not Servicing.objects.filter(non_accrual=True).exists()

    close_days(turn, turn)
    assert list(Servicing.objects.filter(non_accrual=True).values_list("loan_id", flat=True)) == [b.pk]
    now = books(head)  # the sub-ledgers agree: 1132 with the accruing loans, 7011 with the others
    assert (now["1132"], now["7011"], now["7012"]) == (held(a), held(b), held(b))
    assert held(b) > 0 and now["6011"] < before["6011"]  # B's interest accrued so far left income

    # a payment on B is income when it is received, and leaves the memorandum accounts
    close_days(turn + DAY, turn + DAY)
    paid_on = turn + 2 * DAY
    r, _ = repayment_post(acting_user=officer, loan=b, amount=10_000, key="na-part-0001", on=paid_on)
    assert lines(r.entry) == {
        ("1011", 10_000, 0),
        ("6011", 0, 10_000),
        ("7011", 0, 10_000),
        ("7012", 10_000, 0),
    }
    with pytest.raises(Conflict) as e:  # no payoff while non-accrual
        loan_payoff(acting_user=officer, loan=b, key="na-payoff-01", on=paid_on)
    assert e.value.code == "loan_non_accrual"

    # B's arrears paid: cured at that night's close, its interest on the books again
    cure = paid_on + 20 * DAY
    close_days(paid_on, cure - DAY)
    sv = Servicing.objects.get(loan=b)
    owing = sum(o.unpaid for o in owed_of(b.installments.filter(due_date__lt=cure), sv, closed_through()))
    repayment_post(acting_user=officer, loan=b, amount=owing, key="na-cure-0001", on=cure)
    assert Servicing.objects.get(loan=b).late_since is None and Servicing.objects.get(loan=b).non_accrual
    with pytest.raises(Conflict) as e:  # nor an extension until the close has cured it
        event_request(
            acting_user=officer,
            loan=b,
            kind="extension",
            reason="受灾减产，推迟还款",
            new_maturity=b.maturity + 30 * DAY,
        )
    assert e.value.code == "loan_non_accrual"
    close_days(cure, cure)
    assert not Servicing.objects.filter(non_accrual=True).exists()
    now = books(head)
    assert (now["1132"], now["7011"]) == (held(a) + held(b), 0)

    # A turns 90 days after its maturity: its penalty posted so far moves off balance with it
    turn_a = Servicing.objects.get(loan=a).late_since + 91 * DAY
    assert turn_a < today() - DAY
    close_days(cure + DAY, turn_a)
    assert Servicing.objects.get(loan=a).non_accrual
    now = books(head)
    assert (now["1132"], now["7011"]) == (held(b), held(a))
    r, _ = repayment_post(acting_user=officer, loan=a, amount=50_000, key="na-pen-00001", on=turn_a + DAY)
    penalty = sum(f for _, bucket, f in r.allocation if bucket == "penalty")
    interest = sum(f for _, bucket, f in r.allocation if bucket.endswith("interest"))
    assert penalty > 0 and {("6012", 0, penalty), ("7011", 0, penalty + interest)} <= lines(r.entry)
    close_days(turn_a + DAY, today() - DAY)
    now = books(head)
    assert (now["1132"], now["7011"]) == (held(b), held(a))
    # not a fen lost or counted twice: income is what was received and what is receivable on the books
    assert now["6011"] + now["6012"] == collected() + now["1132"]


def test_the_programme_sets_the_days(rt, hh):
    """A county may set 30–360 days (the rules' ``non_accrual_days``); the batch uses them — as it
    and the disbursement use the county's penalty uplift (both read the preset before: the rules
    were looked up by a six-digit code)."""
    from decimal import Decimal

    from fupin.core.cob import penalty_rate
    from fupin.core.errors import ValidationFailed
    from fupin.ratings import rules
    from fupin.ratings.services import ruleset_create

    for bad in (10, 400, True, "90", None):
        with pytest.raises(ValidationFailed) as e:
            rules.check({**rules.PRESET, "non_accrual_days": bad})
        assert "non_accrual_days" in str(e.value.details)
    with pytest.raises(ValidationFailed) as e:
        rules.check({**rules.PRESET, "non_accrual_order": ["penalty", "overdue_interest"]})
    assert "non_accrual_order" in str(e.value.details)
    # this county takes what is due now first from a non-accrual loan
    order = ["current_interest", "overdue_interest", "penalty", "overdue_principal", "current_principal"]
    start = today() - 75 * DAY
    ruleset_create(
        acting_user=rt.world.user("poverty_office"),
        county_code=hh.village_id[:6] + "000000",
        definition={
            **rules.PRESET,
            "non_accrual_days": 30,
            "penalty_uplift": "0.3",
            "non_accrual_order": order,
        },
        effective=start - DAY,
    )
    loan = past_loan(rt, hh, start, term=6)
    assert Servicing.objects.get(loan=loan).penalty_rate == penalty_rate(loan.nominal_rate, Decimal("0.3"))
    turn = loan.installments.get(seq=1).due_date + 31 * DAY
    close_days(start, turn - DAY)
    assert not Servicing.objects.get(loan=loan).non_accrual
    close_days(turn, turn)
    assert Servicing.objects.get(loan=loan).non_accrual
    current = loan.installments.filter(due_date__gte=turn + DAY).order_by("seq").first()
    overdue = loan.installments.filter(due_date__lte=turn).order_by("seq").first()
    officer = rt.world.user("loan_officer")
    r, _ = repayment_post(
        acting_user=officer, loan=loan, amount=current.interest + 100, key="na-order-01", on=turn + DAY
    )
    assert r.allocation == [
        [current.seq, "current_interest", current.interest],
        [overdue.seq, "overdue_interest", 100],
    ]
