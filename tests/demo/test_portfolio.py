"""The synthetic loan book (issue 24 (10)): every loan discloses the rates of its own schedule."""

from __future__ import annotations

import pytest

from fupin.core.apr import disclose
from fupin.demo import portfolio
from fupin.loans.models import Loan
from fupin.loans.standing import loan_schedule
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
