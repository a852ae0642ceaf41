"""Loans as an integrator reads them (issue 26 (2)): the list with its filters, and a loan's
schedule and standing. Days past due in the list are the nightly batch's (the oldest unpaid due date
it recorded, :attr:`Servicing.late_since`), so that a county of a hundred thousand loans can be
filtered by them in the database; a loan's own standing is worked out from its instalments
(:func:`fupin.loans.standing.arrears`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import F, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from fupin.accounts import access
from fupin.core import servicing as servicing_core
from fupin.core.errors import ValidationFailed
from fupin.divisions.models import Division
from fupin.loans.models import Installment, Loan
from fupin.loans.standing import arrears, installments_of

VIEW = "application.view"
# 五级分类 as days-past-due ranges (R-REP-3, :func:`fupin.core.servicing.category`): (lowest, highest)
CLASS_DAYS: dict[str, tuple[int, int | None]] = {
    "normal": (0, 0),
    "special": (1, 90),
    "substandard": (91, 270),
    "doubtful": (271, 360),
    "loss": (361, None),
}


@dataclass(frozen=True)
class LoanFilter:
    division: str = ""  # a division's code: the loans of its villages
    institution: str = ""  # a lender's code
    product: str = ""
    state: str = ""
    classification: str = ""
    dpd_min: int | None = None
    dpd_max: int | None = None
    officer: str = ""  # the username of who disbursed it
    disbursed_from: dt.date | None = None
    disbursed_to: dt.date | None = None
    q: str = ""  # a contract number, or the household's number, exactly


def loans_listed(reader, f: LoanFilter, on: dt.date) -> QuerySet[Loan]:
    """The loans in the reader's jurisdiction (a bank's staff: their own bank's) that pass ``f``,
    each with ``outstanding`` (unpaid principal, fen) and ``late_since``."""
    access.require(reader, VIEW)
    qs = access.visible(reader, Loan.objects.all(), VIEW)
    if f.division:
        division = Division.objects.filter(code=f.division).first()
        if division is None:
            raise ValidationFailed(f"区划代码“{f.division}”不存在", code="division")
        qs = qs.filter(village_code__startswith=division.prefix)
    exact = {
        "institution__code": f.institution,
        "product": f.product,
        "state": f.state,
        "disbursed_by__username": f.officer,
    }
    qs = qs.filter(**{k: v for k, v in exact.items() if v})
    if f.disbursed_from:
        qs = qs.filter(start__gte=f.disbursed_from)
    if f.disbursed_to:
        qs = qs.filter(start__lte=f.disbursed_to)
    if f.q:
        qs = qs.filter(Q(contract_no=f.q) | Q(household__registry_no=f.q))
    low, high = f.dpd_min, f.dpd_max
    if f.classification:
        lo, hi = CLASS_DAYS[f.classification]
        low = lo if low is None else max(low, lo)
        high = hi if high is None else (high if hi is None else min(high, hi))
    qs = qs.filter(_days(low, high, on))
    unpaid = (
        Installment.objects.filter(loan=OuterRef("pk"))
        .values("loan")
        .annotate(u=Sum(F("principal") - F("principal_paid")))
        .values("u")
    )
    return qs.annotate(
        outstanding=Coalesce(Subquery(unpaid), 0), late_since=F("servicing__late_since")
    ).select_related("institution", "disbursed_by")


def _days(low: int | None, high: int | None, on: dt.date) -> Q:
    """Loans ``low`` to ``high`` days past due on ``on`` (by the batch's oldest unpaid due date)."""
    q = Q()
    if low:
        q &= Q(servicing__late_since__lte=on - dt.timedelta(days=low))
    if high is not None:
        q &= Q(servicing__late_since__isnull=True) | Q(
            servicing__late_since__gte=on - dt.timedelta(days=high)
        )
    return q


def days_past_due(late_since: dt.date | None, on: dt.date) -> int:
    return max(0, (on - late_since).days) if late_since else 0


def classification(dpd: int) -> str:
    return servicing_core.category(dpd)


def schedule(loan: Loan, on: dt.date) -> dict:
    """A loan's instalments (due, paid, outstanding) and its standing on ``on``: unpaid principal,
    arrears, days past due, PAR bucket, 五级分类 and the penalty posted and unpaid."""
    rows = installments_of(loan)
    standing = arrears(loan, on)
    due = [i for i in rows if i.due_date < on]
    return {
        "loan_id": loan.pk,
        "contract_no": loan.contract_no,
        "on": on,
        "outstanding": sum(i.principal - i.principal_paid for i in rows),
        "arrears_principal": sum(i.principal - i.principal_paid for i in due),
        "arrears_interest": sum(i.interest - i.interest_paid for i in due),
        "days_past_due": standing["dpd"],
        "par_bucket": standing["bucket"],
        "classification": classification(standing["dpd"]),
        "penalty": standing["penalty"],
        "instalments": [
            {
                "seq": i.seq,
                "due_date": i.due_date,
                "principal": i.principal,
                "interest": i.interest,
                "principal_paid": i.principal_paid,
                "interest_paid": i.interest_paid,
                "penalty_paid": i.penalty_paid,
                "outstanding": i.principal - i.principal_paid + i.interest - i.interest_paid,
            }
            for i in rows
        ],
    }
