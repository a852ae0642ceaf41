"""Benchmark rates as dated policy data (issue 24 (8)): the head office enters a newly published
LPR with its date; loans contracted from that day take it, those before keep theirs, the subsidy's
benchmark test uses the loan's own date, and the history is kept."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction
from importlib import import_module

import pytest

from fupin.audit.models import AuditEntry
from fupin.core.errors import NotPermitted, ValidationFailed
from fupin.core.products import LPR
from fupin.loans import disbursement
from fupin.products import benchmarks
from fupin.products.models import BenchmarkRate
from fupin.subsidies.services import loan_facts
from tests.cob.conftest import today
from tests.loans.conftest import hh  # noqa: F401
from tests.loans.test_disbursement import approved
from tests.ratings.conftest import rt  # noqa: F401

DAY = dt.timedelta(days=1)


@pytest.mark.django_db
def test_the_history_as_published():
    # the history is the migration's data: put back first (idempotent), for a test process may have
    # emptied every table after a test outside a transaction (a browser test, the permission matrix)
    from django.apps import apps

    import_module("fupin.products.migrations.0002_benchmark_rates").history(apps, None)
    on = dt.date(2024, 12, 1)
    b = benchmarks.in_force(on)
    assert (b.effective, b.one_year, b.five_year) == (
        dt.date(2024, 10, 21),
        Fraction("0.031"),
        Fraction("0.036"),
    )
    assert benchmarks.in_force(dt.date(2020, 1, 1)) == LPR  # before the history kept: the presets' own
    assert benchmarks.in_force(dt.date(2025, 5, 20)).one_year == Fraction("0.03")


@pytest.mark.clock  # business dates from today: run on other days too
def test_a_new_rate_applies_from_its_date_to_new_contracts_only(rt, hh):  # noqa: F811
    head, officer = rt.world.user("head_office"), rt.world.user("loan_officer")
    with pytest.raises(NotPermitted):
        benchmarks.rate_enter(
            acting_user=officer, effective=today(), one_year=Decimal("2.90"), five_year=Decimal("3.40")
        )
    with pytest.raises(ValidationFailed) as bad:
        benchmarks.rate_enter(
            acting_user=head, effective=today(), one_year=Decimal("29"), five_year=Decimal("3.405")
        )
    assert len(bad.value.details) == 2
    before = disbursement.loan_contract(
        acting_user=officer, application=approved(rt, hh), start=today() - DAY
    )
    page = rt.world.client("head_office")
    answer = page.post(
        "/benchmarks/new/",
        {"effective": f"{today()}", "one_year": "2.90", "five_year": "3.40", "note": "公告"},
    )
    assert answer.status_code == 302 and BenchmarkRate.objects.filter(effective=today()).exists()
    assert AuditEntry.objects.filter(action="benchmark.enter").exists()
    after = disbursement.loan_contract(
        acting_user=officer, application=approved(rt, rt.households[1]), start=today()
    )
    assert before.nominal_rate == Decimal("0.035") and after.nominal_rate == Decimal(
        "0.034"
    )  # 36 months: 5-year
    shown = rt.world.client("loan_officer").get("/benchmarks/").content.decode()
    assert "3.40" in shown and "2.90" in shown and f"{today():%Y-%m-%d}" in shown
    assert rt.world.client("loan_officer").post("/benchmarks/new/", {}).status_code == 403
    # the subsidy's benchmark test reads each loan's own date
    assert loan_facts(before, []).benchmark.five_year == Fraction("0.035")
    assert loan_facts(after, []).benchmark.five_year == Fraction("0.034")
