from __future__ import annotations

import datetime as dt
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


def past_loan(rt, hh, start: dt.date, *, amount=1_000_000, product="seasonal", term=3):  # noqa: F811
    """A loan contracted and disbursed on ``start`` (the clock set back for the disbursement)."""
    officer = rt.world.user("loan_officer")
    app = approved(rt, hh, amount=amount, product=product, term=term)
    loan = disbursement.loan_contract(acting_user=officer, application=app, start=start)
    with mock.patch("django.utils.timezone.localdate", return_value=start):
        return disbursement.loan_disburse(acting_user=officer, loan=loan)


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
