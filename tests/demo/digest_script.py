"""Build the demo county in the database DATABASE_URL names (on the pinned day of the test
settings) and print a digest of what it holds, by natural keys — ids may differ between databases."""

from __future__ import annotations

import hashlib
import json
import sys


def digest() -> dict[str, str]:
    from django.db.models import Count, Sum

    from fupin.households.models import Household
    from fupin.ledger.models import Posting
    from fupin.loans.models import Installment, Loan
    from fupin.ratings.models import CreditLine

    def h(rows) -> str:
        return hashlib.sha256(json.dumps(list(rows), default=str, sort_keys=True).encode()).hexdigest()[:16]

    return {
        "households": h(Household.objects.order_by("registry_no").values_list("registry_no", "status")),
        "grades": h(
            CreditLine.objects.order_by("household__registry_no").values_list(
                "household__registry_no", "grade_code", "amount"
            )
        ),
        "loans": h(
            Loan.objects.order_by("household__registry_no", "start", "product", "principal").values_list(
                "household__registry_no", "product", "principal", "start", "state", "apr"
            )
        ),
        "instalments": h(
            Installment.objects.values("loan__product")
            .annotate(n=Count("pk"), p=Sum("principal"), i=Sum("interest"), pp=Sum("principal_paid"))
            .order_by("loan__product")
            .values_list("loan__product", "n", "p", "i", "pp")
        ),
        "books": h(
            Posting.objects.values("account_id")
            .annotate(d=Sum("debit"), c=Sum("credit"))
            .order_by("account_id")
            .values_list("account_id", "d", "c")
        ),
    }


if __name__ == "__main__":
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("demo", households=int(sys.argv[1]), seed=int(sys.argv[2]))
    print(json.dumps(digest()))
