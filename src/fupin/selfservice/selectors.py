"""What a household sees of itself (DOMAIN §14): its credit line, loans with their schedules and
next amount due, repayments and subsidies — read through its login's link, never through a
jurisdiction filter, so nothing of another household can appear. A fixed number of queries."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fupin.core.errors import NotFound
from fupin.households.models import Household
from fupin.loans.models import Installment, Loan, Repayment
from fupin.ratings.models import CreditLine
from fupin.subsidies.models import Line


def household_of(user) -> Household:
    link = getattr(user, "household_login", None) if getattr(user, "is_authenticated", False) else None
    if link is None:
        raise NotFound("此页面只供农户本人使用", code="not_found")
    return link.household


def mine(user, on: dt.date) -> dict[str, Any]:
    household = household_of(user)
    loans = list(
        Loan.objects.filter(household=household)
        .exclude(state=Loan.State.CONTRACTED)
        .select_related("institution", "disbursed_by")
        .order_by("-start")
    )
    rows: dict[int, list[Installment]] = {}
    for i in Installment.objects.filter(loan__in=loans).order_by("loan_id", "seq"):
        rows.setdefault(i.loan_id, []).append(i)
    out = []
    for loan in loans:
        schedule = rows.get(loan.pk, [])
        for i in schedule:
            i.owed = i.principal - i.principal_paid + i.interest - i.interest_paid
            i.late = i.owed > 0 and i.due_date < on
        active = loan.state == Loan.State.ACTIVE
        # what is still to come (a date not yet past); what is past and unpaid is the overdue amount,
        # and a loan written off or settled has no next instalment (issue 27 (6))
        coming = [i for i in schedule if i.owed > 0 and i.due_date >= on] if active else []
        officer = loan.disbursed_by
        out.append(
            {
                "loan": loan,
                "schedule": schedule,
                "next": coming[0] if coming else None,
                "overdue": sum(i.owed for i in schedule if i.late) if active else 0,
                "outstanding": sum(i.principal - i.principal_paid for i in schedule),
                "lender": str(loan.institution) if loan.institution_id else "",
                "officer": (officer.get_full_name() or officer.username) if officer else "",
                "officer_phone": officer.phone if officer else "",
            }
        )
    return {
        "household": household,
        "head": household.members.filter(is_head=True).first(),
        "credit": CreditLine.objects.filter(household=household).first(),
        "loans": out,
        "repayments": list(Repayment.objects.filter(loan__household=household).select_related("loan")[:30]),
        "subsidies": list(
            Line.objects.filter(household=household, amount__gt=0)
            .select_related("loan")
            .order_by("-end")[:30]
        ),
        "on": on,
    }
