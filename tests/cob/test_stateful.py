"""Random lives of loans (issue 7): disburse, repay, pay off early, overpay, close business days,
extend, roll over, write off, recover, refund — and after every step the books hold: the trial
balance is zero, every sub-ledger equals its control account (R-REP-6), principal is
conserved, held money equals what the loans say is held, and nothing is negative."""

from __future__ import annotations

import datetime as dt
from unittest import mock

from django.conf import settings as django_settings
from django.db import transaction
from django.db.models import Sum
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from fupin.cob.services import cob_run
from fupin.core.errors import Conflict, ValidationFailed
from fupin.divisions.selectors import lenders_of
from fupin.loans import disbursement, events
from fupin.loans.models import Application, Installment, Loan, LoanEvent, Repayment, Servicing
from fupin.loans.repayments import loan_payoff, repayment_post
from tests.cob.conftest import books
from tests.guarantors import guarantee

PRODUCTS = [
    ("seasonal", 3, 1_000_000),
    ("subsidy", 12, 800_000),
    ("group", 12, 500_000),
    ("annual", 12, 600_000),
]
REFUSED = (Conflict, ValidationFailed)


class Books(RuleBasedStateMachine):
    world = None  # set by the test

    def __init__(self) -> None:
        super().__init__()
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        self.day = dt.date.today() - dt.timedelta(days=400)
        self.clock = mock.patch("django.utils.timezone.localdate", side_effect=lambda: self.day)
        self.clock.start()
        w = self.world
        self.officer, self.director, self.head = (
            w.user("loan_officer"),
            w.user("branch_director"),
            w.user("head_office"),
        )
        self.keys = 0

    def teardown(self) -> None:
        import os

        if os.environ.get("MACHINE_STATS"):
            from fupin.loans.models import Repayment

            print(
                "STATS",
                Loan.objects.values_list("state")
                .annotate(n=Sum("principal"))
                .values_list("state", "n")
                .order_by(),
                Repayment.objects.count(),
                list(LoanEvent.objects.values_list("kind", "state")),
                self.day,
            )
        self.clock.stop()
        transaction.set_rollback(True)
        self.atomic.__exit__(None, None, None)

    def key(self) -> str:
        self.keys += 1
        return f"machine-{self.keys:06d}"

    def loans(self, *states: str) -> list[Loan]:
        return list(Loan.objects.filter(state__in=states).order_by("pk"))

    @initialize(first=st.sampled_from(PRODUCTS), second=st.sampled_from(PRODUCTS))
    def first_close(self, first, second):
        cob_run(self.day - dt.timedelta(days=1))  # the books start closed the day before
        self.disburse(first, 10)
        self.disburse(second, 5)

    @rule(product=st.sampled_from(PRODUCTS), share=st.integers(4, 10))
    def disburse(self, product, share):
        if len(self.loans(Loan.State.ACTIVE)) >= 4:
            return
        code, term, top = product
        hh = self.households[len(self.loans(*Loan.State.values)) % len(self.households)]
        app = Application.objects.create(
            household=hh,
            village_code=hh.village_id,
            institution=lenders_of(hh.village_id)[0],
            product=code,
            product_version="2026.1",
            purpose="livestock",
            project="养牛两头",
            amount=top * share // 10,
            term=term,
            state="approved",
            created_by=self.officer,
        )
        guarantee(self.officer, app)  # P-SEASONAL: "1+1"
        loan = disbursement.loan_contract(acting_user=self.officer, application=app)
        disbursement.loan_disburse(acting_user=self.director, loan=loan)

    @rule(k=st.integers(0, 20), amount=st.integers(1, 300_000))
    def repay(self, k, amount):
        loans = self.loans(
            Loan.State.ACTIVE, Loan.State.WRITTEN_OFF
        )  # a written-off loan's payment is a recovery
        if loans:
            key = self.key()
            try:
                repayment_post(acting_user=self.officer, loan=loans[k % len(loans)], amount=amount, key=key)
            except (
                ValidationFailed
            ) as e:  # more than the loan can absorb plus the allowance: refused, nothing kept
                assert (
                    e.code == "repayment_too_large"
                    and amount > django_settings.FUPIN_OVERPAYMENT_ALLOWANCE * 100
                )
                assert not Repayment.objects.filter(key=key).exists()

    @rule(k=st.integers(0, 20), extra=st.integers(1, 50_000))
    def overpay(self, k, extra):
        loans = self.loans(Loan.State.ACTIVE)
        if loans:
            loan = loans[k % len(loans)]
            owed = Installment.objects.filter(loan=loan).aggregate(
                p=Sum("principal"), pp=Sum("principal_paid"), i=Sum("interest"), ip=Sum("interest_paid")
            )
            total = owed["p"] - owed["pp"] + owed["i"] - owed["ip"]
            repayment_post(acting_user=self.officer, loan=loan, amount=total + extra, key=self.key())

    @rule(k=st.integers(0, 20))
    def prepay(self, k):
        loans = self.loans(Loan.State.ACTIVE)
        if loans:
            try:
                loan_payoff(acting_user=self.officer, loan=loans[k % len(loans)], key=self.key())
            except REFUSED:
                pass  # in arrears: a payoff is refused

    @rule(days=st.integers(1, 45))
    def close(self, days):
        for _ in range(days):
            cob_run(self.day)
            self.day += dt.timedelta(days=1)

    @rule(k=st.integers(0, 20), kind=st.sampled_from(LoanEvent.Kind.values), days=st.integers(10, 90))
    def event(self, k, kind, days):
        loans = self.loans(Loan.State.ACTIVE) + [x for x in self.loans(Loan.State.CLOSED) if x.credit_balance]
        if not loans:
            return
        loan = loans[k % len(loans)]
        try:
            e = events.event_request(
                acting_user=self.officer,
                loan=loan,
                kind=kind,
                reason="随机事项",
                new_maturity=loan.maturity + dt.timedelta(days=days),
            )
        except REFUSED:
            return
        events.event_decide(acting_user=self.director, event=e, approve=True)

    @invariant()
    def the_books_hold(self):
        b = books(self.head)  # trial balance zero, sub-ledgers equal to control accounts
        loans = Loan.objects.exclude(state=Loan.State.CONTRACTED)
        assert b.get("2251", 0) == sum(x.credit_balance for x in loans) and all(
            x.credit_balance >= 0 for x in loans
        )
        assert b.get("2011", 0) == sum(x.deposit_held for x in loans) and all(
            x.deposit_held >= 0 for x in loans
        )
        rows = Installment.objects.filter(loan__in=loans)
        for i in rows:
            assert (
                0 <= i.principal_paid <= i.principal
                and 0 <= i.interest_paid <= i.interest
                and i.penalty_paid >= 0
            )
        assert all(s.interest_due >= 0 and s.cur_paid >= 0 for s in Servicing.objects.all())
        # principal: every fen lent is still owed, repaid, rolled into a new loan or written off
        written = (
            LoanEvent.objects.filter(kind="write_off", state="approved").aggregate(x=Sum("amount"))["x"] or 0
        )
        outstanding_written = sum(
            i.principal - i.principal_paid for i in rows.filter(loan__state="written_off")
        )
        assert outstanding_written == written
        assert b.get("1301", 0) == sum(
            i.principal - i.principal_paid for i in rows.filter(loan__state="active")
        )


def test_random_lives_of_loans_keep_the_books(rt, hh):
    Books.world = rt.world
    Books.households = rt.households
    run_state_machine_as_test(
        Books,
        settings=settings(max_examples=15, stateful_step_count=25, deadline=None, report_multiple_bugs=False),
    )
