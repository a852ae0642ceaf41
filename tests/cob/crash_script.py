"""Run by tests/cob/test_crash.py in processes of their own (``python -m tests.cob.crash_script``):
``setup`` builds a small county with a loan book standing before DAY; ``finish`` closes every
day up to DAY + 2 and prints a fingerprint of everything the batch touches."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sys

import django

django.setup()

from django.utils import timezone  # noqa: E402

DAY = timezone.localdate() - dt.timedelta(days=3)


def setup() -> None:
    from django.core.management import call_command

    from fupin.demo import county, portfolio

    call_command("migrate", verbosity=0)
    county.build(households=600, seed=3, loan_book=False)
    portfolio.generate_book(loans=400, on=DAY, seed=5, overdue_share=0.3)


def fingerprint() -> str:
    from fupin.cob.models import CobRun, CollectionItem, VillageMonth
    from fupin.ledger.models import JournalEntry
    from fupin.loans.models import Installment, Loan, Repayment, Servicing
    from fupin.ratings.models import CreditLine, GradeChange

    entries = sorted(
        json.dumps(
            [
                str(e.date),
                e.memo,
                e.division_code,
                e.source,
                sorted([p.account_id, p.debit, p.credit, p.loan_id or 0] for p in e.postings.all()),
            ]
        )
        for e in JournalEntry.objects.prefetch_related("postings")
    )
    parts = {
        "entries": entries,
        "runs": [[str(r.date), r.state] for r in CobRun.objects.order_by("date")],
        "loans": list(
            Loan.objects.order_by("pk").values_list("pk", "state", "credit_balance", "deposit_held")
        ),
        "servicing": [
            [str(x) for x in row]
            for row in Servicing.objects.order_by("pk").values_list(
                "pk", "active", "cur_seq", "cur_due", "cur_paid", "interest_due", "late_since", "ever_late"
            )
        ],
        "installments": [
            [str(x) for x in row]
            for row in Installment.objects.order_by("pk").values_list(
                "pk", "principal_paid", "interest_paid", "penalty_paid", "principal_days", "pd_from"
            )
        ],
        "repayments": sorted(json.dumps([r.key, r.amount, r.allocation]) for r in Repayment.objects.all()),
        "collection": sorted(
            json.dumps([str(c.date), c.loan_id, c.due, c.arrears, c.dpd])
            for c in CollectionItem.objects.all()
        ),
        "months": sorted(
            json.dumps([v.village_code, str(v.month), v.due, v.repaid, v.suspended])
            for v in VillageMonth.objects.all()
        ),
        "grades": sorted(
            json.dumps([g.household_id, g.event, str(g.on), g.after_grade]) for g in GradeChange.objects.all()
        ),
        "lines": list(CreditLine.objects.order_by("pk").values_list("pk", "grade_code")),
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def finish() -> None:
    from fupin.cob.services import cob_until

    cob_until(DAY + dt.timedelta(days=2))
    print(fingerprint())


if __name__ == "__main__":
    {"setup": setup, "finish": finish}[sys.argv[1]]()
