"""The nightly batch's arithmetic as database expressions (:mod:`fupin.loans.accrual`) equals the
core's functions to the fen, on the database the suite runs on — with PostgreSQL's statements
bound on the server (``FUPIN_DB_PREPARE``), where a constant beyond 2³¹ once wrapped round and
the penalty of every overdue loan came out negative (R-REP-2, R-REP-6)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import BigIntegerField, DateField, IntegerField, Value

from fupin.core import cob as core
from fupin.ledger.models import Account
from fupin.ledger.services import chart_install
from fupin.loans import accrual

pytestmark = pytest.mark.sqlite  # the expressions are written per database

ON = dt.date(2026, 11, 26)
CASES = [  # principal-days counted, unpaid principal, counted up to, penalty rate (10⁻⁸ a year)
    (0, 0, dt.date(2026, 6, 11), 24_750_000),
    (0, 991_250, dt.date(2026, 8, 11), 24_750_000),
    (5_000_000, 1, ON, 12_000_000),
    (3_000_000_000, 5_000_000, dt.date(2025, 1, 1), 99_000_000),  # 50 000 yuan, years late
]


@pytest.mark.parametrize(("days", "unpaid", "since", "rate"), CASES)
def test_the_penalty_expression_is_the_cores_penalty(db, days, unpaid, since, rate):
    chart_install()  # a row to annotate (a test that flushed the database took the migration's)
    row = (
        Account.objects.annotate(
            principal_days=Value(days, output_field=BigIntegerField()),
            principal=Value(unpaid, output_field=BigIntegerField()),
            principal_paid=Value(0, output_field=BigIntegerField()),
            pd_from=Value(since, output_field=DateField()),
        )
        .annotate(
            pd=accrual.principal_days(ON),
            pen=accrual.penalty(ON, Value(rate, output_field=IntegerField())),
        )
        .values("pd", "pen")
        .first()
    )
    pd = core.principal_days_at(days, unpaid, since, ON)
    assert row == {"pd": pd, "pen": core.penalty_of(pd, rate)}
    assert row["pen"] >= 0
