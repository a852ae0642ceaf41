"""Money posted at the same moment (PostgreSQL, real connections in threads): 50 repayments on
one loan all land with the right balances; 50 copies of one idempotency key record one."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from fupin.ledger.models import JournalEntry
from fupin.loans import disbursement
from fupin.loans.models import Installment, Repayment
from fupin.loans.repayments import repayment_post
from tests.cob.conftest import books
from tests.loans.test_disbursement import approved


def in_thread(fn):
    def run(i):
        try:
            return fn(i)
        finally:
            connection.close()

    return run


@pytest.mark.pgonly
def test_fifty_concurrent_repayments_and_fifty_duplicates(transactional_db, rt, hh, head):
    officer = rt.world.user("loan_officer")
    loan = disbursement.loan_disburse(
        acting_user=officer,
        loan=disbursement.loan_contract(acting_user=officer, application=approved(rt, hh)),
    )
    with ThreadPoolExecutor(max_workers=10) as pool:
        paid = list(
            pool.map(
                in_thread(
                    lambda i: repayment_post(
                        acting_user=officer, loan=loan, amount=1_000 + i, key=f"concurrent-{i:04d}"
                    )
                ),
                range(50),
            )
        )
        assert all(created for _, created in paid)
        same = list(
            pool.map(
                in_thread(
                    lambda i: repayment_post(
                        acting_user=officer, loan=loan, amount=777, key="one-key-for-all"
                    )
                ),
                range(50),
            )
        )
    assert len({r.pk for r, _ in same}) == 1 and sum(created for _, created in same) == 1
    assert Repayment.objects.filter(loan=loan).count() == 51
    total = sum(1_000 + i for i in range(50)) + 777
    rows = Installment.objects.filter(loan=loan)
    loan.refresh_from_db()
    assert sum(i.principal_paid + i.interest_paid for i in rows) + loan.credit_balance == total
    assert JournalEntry.objects.filter(source=f"loan.repay:{loan.pk}").count() == 51
    books(head)
