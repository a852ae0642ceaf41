"""贷款损失准备 at a month end (issue 24 (12)): each village's provision, in each lender's books
(issue 25), set to what its active
loans' five categories require under its county's rates (:mod:`fupin.core.provisioning`), the
change posted. Run again it finds nothing to change; a loan repaid, cured or written off lowers
the requirement and the next month end reverses the difference."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import F, Sum

from fupin.core import provisioning
from fupin.core.postings import provision_postings
from fupin.ledger.models import Posting
from fupin.ledger.services import Draft, entries_post
from fupin.loans import accrual
from fupin.loans.models import Installment
from fupin.ratings.rules import provision_rates_of
from fupin.ratings.selectors import programme_rules

Unit = tuple[str, int | None]  # a village at one lender


def owed_by_class(on: dt.date) -> dict[Unit, dict[str, int]]:
    """The principal active loans owe after the close of ``on``, by village, lender and class
    (R-REP-3)."""
    klass = accrual.category(on, "loan__servicing__late_since")
    out: dict[Unit, dict[str, int]] = defaultdict(dict)
    for village, lender, c, owed in (
        Installment.objects.filter(loan__servicing__active=True)
        .annotate(c=klass)
        .values("loan__village_code", "loan__institution", "c")
        .annotate(owed=Sum(F("principal") - F("principal_paid")))
        .values_list("loan__village_code", "loan__institution", "c", "owed")
    ):
        out[village, lender][c] = int(owed or 0)
    return out


def held(on: dt.date) -> dict[Unit, int]:
    """Each village's provision at each lender (the credit balance of 1304) after ``on``."""
    return {
        (v, lender): int(c or 0) - int(d or 0)
        for v, lender, c, d in Posting.objects.filter(
            account_id="1304", entry__book="bank", entry__date__lte=on
        )
        .values("entry__division_code", "entry__institution")
        .annotate(c=Sum("credit"), d=Sum("debit"))
        .values_list("entry__division_code", "entry__institution", "c", "d")
    }


def provisions_post(on: dt.date, actor) -> dict:
    """Set every village's provision to its requirement on ``on`` (see the module); what it posted."""
    owed, before = owed_by_class(on), held(on)
    rates: dict[str, dict] = {}
    drafts, required, change = [], 0, 0
    for unit in sorted(set(owed) | set(before), key=lambda u: (u[0], u[1] or 0)):
        village = unit[0]
        county = village[:6] + "000000"
        if county not in rates:
            rates[county] = provision_rates_of(programme_rules(county, on)[1])
        need = provisioning.required(owed.get(unit, {}), rates[county])
        moved = need - before.get(unit, 0)
        required, change = required + need, change + moved
        if moved:
            drafts.append(
                Draft(
                    on,
                    f"计提贷款损失准备 {on:%Y-%m-%d}",
                    village,
                    f"cob.provision:{on:%Y%m%d}",
                    tuple(provision_postings(change=moved)),
                    institution=unit[1],
                )
            )
    entries_post(acting_user=actor, drafts=drafts, audit_division="")
    return {
        "villages": len({v for v, _ in owed}),
        "required": required,
        "change": change,
        "entries": len(drafts),
    }
