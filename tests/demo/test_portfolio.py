"""The synthetic loan book (issue 24 (10)): every loan discloses the rates of its own schedule."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from fupin.core.apr import disclose
from fupin.core.calendar import month_ends
from fupin.demo import portfolio
from fupin.ledger.models import JournalEntry
from fupin.ledger.selectors import subledgers
from fupin.loans.models import Loan, Servicing
from fupin.loans.standing import loan_schedule
from fupin.reports.tables import ledger_balance
from tests.cob.conftest import today
from tests.ratings.conftest import rt  # noqa: F401

pytestmark = pytest.mark.clock  # business dates from today: run on other days too


def test_each_loan_carries_the_apr_of_its_own_schedule(rt):  # noqa: F811
    portfolio.generate_book(loans=120, on=today(), seed=4)
    loans = list(Loan.objects.all())
    shared = {}
    for loan in loans:
        d = disclose(loan_schedule(loan))
        assert (loan.nominal_rate, loan.apr, loan.ear) == (d.nominal, d.apr, d.ear), loan.pk
        shared.setdefault((loan.product, loan.principal), set()).add(loan.apr)
    # the same product and amount started on other days discloses other rates (the case the
    # book used to get wrong: one APR per product and amount)
    assert any(len(aprs) > 1 for aprs in shared.values())


def test_a_book_with_history_journals_every_month_end_to_the_loans(rt):  # noqa: F811
    """Issue 24 (10): the demo's loans of past years are journalled month by month — at every
    month-end the ledger's loans (1301) and deposits (2011) are what the loans stood at, the
    entries balance, and at the end income is what was received plus what is receivable."""
    on = today()
    yesterday = on - dt.timedelta(days=1)
    hh = [(h.pk, h.village_id) for h in rt.households]
    ago = lambda days: on - dt.timedelta(days=days)  # noqa: E731
    plan = [
        # settled years ago, paid on every due date
        portfolio.Planned(("annual", 8_000, ago(900)), *hh[0], unpaid_from=on, closed=True),
        portfolio.Planned(("seasonal", 10_000, ago(700)), *hh[1], unpaid_from=on, closed=True),
        # active: on time, behind since 70 days, behind long enough to be non-accrual
        portfolio.Planned(("subsidy", 30_000, ago(500)), *hh[0], unpaid_from=on),
        portfolio.Planned(("annual", 10_000, ago(200)), *hh[1], unpaid_from=ago(70)),
        portfolio.Planned(("subsidy", 20_000, ago(800)), *hh[2], unpaid_from=ago(300)),
        # upfront interest earned over the weeks (P-GROUP), a deposit held (P-SEASONAL)
        portfolio.Planned(("group", 10_000, ago(120)), *hh[2], unpaid_from=on),
        portfolio.Planned(("seasonal", 5_000, ago(40)), *hh[0], unpaid_from=on),
    ]
    portfolio.write_book(plan, on=on, rng=random.Random(1), history=True)
    loans = list(Loan.objects.all())
    first = min(ln.start for ln in loans)
    for m in [*month_ends(first, yesterday), yesterday]:
        entries = JournalEntry.objects.filter(date=m)
        assert all(
            sum(p.debit for p in e.postings.all()) == sum(p.credit for p in e.postings.all()) for e in entries
        )
        outstanding = sum(
            ln.principal - sum(i.principal_paid for i in ln.installments.all() if i.due_date <= m)
            for ln in loans
            if ln.start <= m
        )
        held = sum(ln.deposit for ln in loans if ln.start <= m and (ln.closed_on is None or ln.closed_on > m))
        assert balance("1301", m) == outstanding, m
        assert -balance("2011", m) == held, m
    received = sum(i.interest_paid for ln in loans for i in ln.installments.all())
    receivable = sum(s.interest_due for s in Servicing.objects.all())  # past instalments' unpaid interest
    assert balance("1132", yesterday) + balance("7011", yesterday) >= receivable > 0
    upfront = sum(ln.upfront_interest for ln in loans)
    assert upfront > 0 and -balance("2401", yesterday) < upfront
    income = -balance("6011", yesterday) - balance("6012", yesterday)
    on_books = balance("1132", yesterday)
    assert income == received + on_books + upfront + balance("2401", yesterday)
    assert all(s["equal"] for s in subledgers(rt.world.user("head_office")))
    assert Loan.objects.filter(state="closed", closed_on__lt=yesterday).count() == 2
    assert Servicing.objects.filter(non_accrual=True).count() == 1


def balance(account: str, on: dt.date) -> int:
    return sum(ledger_balance("", account, on).values())
