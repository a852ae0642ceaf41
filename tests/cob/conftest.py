from __future__ import annotations

import datetime as dt
import functools
from unittest import mock

import pytest
from django.utils import timezone

from fupin.cob.services import cob_run
from fupin.ledger import selectors as ledger
from fupin.loans import disbursement
from tests.loans.conftest import hh  # noqa: F401 — rated households of the first village
from tests.loans.test_disbursement import approved
from tests.ratings.conftest import rt  # noqa: F401


def today() -> dt.date:
    return timezone.localdate()


def past_loan(
    rt,  # noqa: F811
    hh,  # noqa: F811
    start: dt.date,
    *,
    amount=1_000_000,
    product="seasonal",
    term=3,
    approver="branch_director",
):
    """A loan contracted and disbursed on ``start`` (the clock set back for the disbursement)."""
    officer = rt.world.user("loan_officer")
    app = approved(rt, hh, amount=amount, product=product, term=term, approver=approver)
    loan = disbursement.loan_contract(acting_user=officer, application=app, start=start)
    with mock.patch("django.utils.timezone.localdate", return_value=start):
        return disbursement.loan_disburse(acting_user=officer, loan=loan)


def after_a_settlement(days: int) -> dt.date:
    """A day ``days`` days after the 21st of a quarter's last month, before today: a loan started
    on that 21st has its first quarterly settlement (the 20th, R-PRD-2) after the window."""
    day = today() - dt.timedelta(days=days)
    while not (day.day == 21 and day.month in (3, 6, 9, 12)):
        day -= dt.timedelta(days=1)
    return day + dt.timedelta(days=days)


def settled_before(days: int):
    """Decorate a test that needs a loan of ``days`` days with no quarterly settlement yet (the
    20th, R-PRD-2): it runs on :func:`after_a_settlement` — the clock travels there — so it holds
    on whatever day the suite runs."""

    def wrap(test):
        @functools.wraps(test)
        def run(*args, **kwargs):
            from tests.clock import on

            with on(after_a_settlement(days)):
                return test(*args, **kwargs)

        return run

    return wrap


def on_time(officer, loans, first: dt.date, last: dt.date) -> None:
    """The households pay every instalment on its due date, ``first`` … ``last``; every day
    before ``last`` is closed (the books as a punctual borrower's would be, whatever today is)."""
    from fupin.loans.models import Installment
    from fupin.loans.repayments import repayment_post
    from tests.clock import on

    day = first
    while day <= last:
        for loan in loans:
            due = sum(
                i.principal - i.principal_paid + i.interest - i.interest_paid
                for i in Installment.objects.filter(loan=loan, due_date=day)
            )
            if due > 0:
                with on(day):
                    repayment_post(
                        acting_user=officer, loan=loan, amount=due, key=f"on-time-{loan.pk}-{day:%Y%m%d}"
                    )
        if day < last:
            cob_run(day)
        day += dt.timedelta(days=1)


def close_days(first: dt.date, last: dt.date, **kw) -> list:
    """Close every business day from ``first`` to ``last``."""
    out = []
    day = first
    while day <= last:
        out.append(cob_run(day, **kw))
        day += dt.timedelta(days=1)
    return out


def books(user) -> dict[str, int]:
    """Account balances now; and the invariants of R-REP-6 asserted on the way."""
    tb = ledger.trial_balance(user, on=dt.date(2100, 1, 1))
    assert tb["balanced"]
    subs = ledger.subledgers(user)
    assert all(s["equal"] for s in subs), subs
    return {x["code"]: x["balance"] for x in tb["lines"]}


@pytest.fixture
def head(rt):  # noqa: F811
    return rt.world.user("head_office")
