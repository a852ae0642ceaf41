"""Origination reads, scoped to the reader's jurisdiction."""

from __future__ import annotations

from django.db.models import QuerySet

from fupin.accounts import access
from fupin.core.origination import CHAIN
from fupin.loans.models import Application, Notice
from fupin.prepared import children, remember

BANK = ("loan_officer", "branch_director", "head_office")


def applications_visible(reader, *, state: str = "", village: str = "") -> QuerySet[Application]:
    access.require(reader, "application.view")
    qs = access.visible(reader, Application, "application.view").select_related("household", "household__village")
    if state:
        qs = qs.filter(state=state)
    if village:
        qs = qs.filter(village_code=village)
    return qs


def awaiting(reader) -> QuerySet[Application]:
    """Applications waiting for a step that one of the reader's roles takes."""
    roles = set(access.role_codes(reader))
    states = [s for s, (_, _, role) in CHAIN.items() if role in roles or (role == "bank" and roles & set(BANK))]
    if "village_cadre" in roles or "loan_officer" in roles:
        states.append("submitted")
    return applications_visible(reader).filter(state__in=states)


def application_get(reader, pk: int) -> Application:
    return access.get_visible(reader, Application.objects.select_related(
        "household", "household__village", "notice", "created_by", "village_by", "bank_by"), "application.view", pk=pk)


def notice_get(reader, pk: int) -> Notice:
    return access.get_visible(reader, Notice.objects.select_related("village", "village__parent"), "application.view",
                              pk=pk)


def _loans(*related: str):
    from fupin.loans.models import Loan

    return lambda: Loan.objects.select_related(*related)


_LOAN = access.VisibleOne(_loans("household", "household__village", "application", "disbursement", "contracted_by",
                                 "disbursed_by"), "application.view")
_LOAN_BARE = access.VisibleOne(_loans(), "application.view")


def loan_get(reader, pk: int, *, bare: bool = False):
    """A loan in the reader's jurisdiction; ``bare``: the loan row alone (posting money needs
    nothing else)."""
    return (_LOAN_BARE if bare else _LOAN).get(reader, pk=pk)


_PARTS = {"installments": children("loans.Installment", "loan_id"),
          "repayments": children("loans.Repayment", "loan_id", limit=100), "events": children("loans.LoanEvent", "loan_id"),
          "fund_claims": children("riskfund.Claim", "loan_id"), "subsidy_lines": children("subsidies.Line", "loan_id")}


def loan_parts(loan) -> dict[str, list]:
    """What a loan's page shows of it: the schedule (kept on the loan as ``loan.installments``
    for the standing and the payoff quote), the last 100 repayments, its events, fund claims and
    subsidy lines — each query compiled once (the page is the one loan officers open most)."""
    parts = {name: p(id=loan.pk) for name, p in _PARTS.items()}
    for rows in parts.values():
        for r in rows:
            r.loan = loan
    remember(loan, "installments", parts["installments"])
    return parts


def loan_events(reader, pk: int) -> list:
    """A loan's events (extensions, refinancing, write-off, refunds), the loan being in the
    reader's jurisdiction."""
    return _PARTS["events"](id=loan_get(reader, pk, bare=True).pk)
