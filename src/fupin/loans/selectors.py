"""Origination reads, scoped to the reader's jurisdiction."""

from __future__ import annotations

from django.db.models import Count, F, Q, QuerySet, Sum

from fupin import compiled
from fupin.accounts import access
from fupin.cob.day import closed_through
from fupin.core import reports as reports_core
from fupin.core.origination import CHAIN
from fupin.core.products import PRESETS
from fupin.divisions.models import Institution
from fupin.households.models import REGISTERED
from fupin.loans import accrual
from fupin.loans.models import (
    Application,
    Guarantor,
    Installment,
    Loan,
    LoanEvent,
    Notice,
    Quota,
    Repayment,
    Servicing,
)

BANK = ("loan_officer", "branch_director", "head_office")


def applications_visible(reader, *, state: str = "", village: str = "") -> QuerySet[Application]:
    access.require(reader, "application.view")
    qs = access.visible(reader, Application, "application.view").select_related(
        "household", "household__village", "institution", "loan"
    )
    if state:
        qs = qs.filter(state=state)
    if village:
        qs = qs.filter(village_code=village)
    return qs


def awaiting(reader) -> QuerySet[Application]:
    """Applications waiting for a step that one of the reader's roles takes."""
    roles = set(access.role_codes(reader))
    states = [
        s for s, (_, _, role) in CHAIN.items() if role in roles or (role == "bank" and roles & set(BANK))
    ]
    if "village_cadre" in roles or "loan_officer" in roles:
        states.append("submitted")
    return applications_visible(reader).filter(state__in=states)


def application_get(reader, pk: int) -> Application:
    return access.get_visible(
        reader,
        Application.objects.select_related(
            "household", "household__village", "institution", "notice", "created_by", "village_by", "bank_by"
        ),
        "application.view",
        pk=pk,
    )


def notice_get(reader, pk: int) -> Notice:
    return access.get_visible(
        reader, Notice.objects.select_related("village", "village__parent"), "application.view", pk=pk
    )


LOAN_PAGE = (
    "household",
    "household__village",
    "institution",
    "application",
    "disbursement",
    "contracted_by",
    "disbursed_by",
)


def loan_get(reader, pk: int, *, bare: bool = False, fields: tuple[str, ...] = ()):
    """A loan in the reader's jurisdiction; ``bare``: the loan row alone (posting money needs
    nothing else); ``fields``: only these columns of it (a read that shows a few)."""
    related = () if bare or fields else LOAN_PAGE
    return access.get_visible(reader, Loan, "application.view", pk=pk, related=related, fields=fields)


def repayment_get(reader, pk: int) -> Repayment:
    """A repayment in the reader's jurisdiction (a bank's staff: their own lender's), with its loan,
    household and who took it (its receipt)."""
    return access.get_visible(
        reader,
        Repayment.objects.select_related(
            "loan", "loan__household", "loan__institution", "created_by", "guarantor"
        ),
        "application.view",
        pk=pk,
    )


def loan_parts(loan) -> dict[str, list]:
    """What a loan's page shows of it, a query each: the schedule (kept on the loan as
    ``installments_read``, so the standing and the payoff quote read it without a query:
    :func:`fupin.loans.standing.installments_of`), the last 100 repayments, its events, fund claims
    and subsidy lines (the risk fund's and the subsidies' records of the loan)."""
    loan.installments_read = compiled.rows(Installment, where={"loan": loan.pk})
    parts = {
        "installments": loan.installments_read,
        **{
            name: compiled.rows(model, where={"loan": loan.pk}, limit=limit)  # written once (issue 23)
            for name, model, limit in (
                ("repayments", Repayment, 100),
                ("events", LoanEvent, None),
                ("fund_claims", loan.fund_claims.model, None),
                ("subsidy_lines", loan.subsidy_lines.model, None),
            )
        },
    }
    for rows in parts.values():
        for r in rows:
            r.loan = loan
    return parts


def household_applications(hh) -> tuple[list[Application], list[int]]:
    """A household's last 20 applications, each with ``made``: its loan (the id and the contract
    number) if one was made, and the ids of all the household's loans."""
    loans = compiled.rows(Loan, where={"household": hh.pk}, fields=("application", "contract_no"), order=())
    applications = compiled.rows(Application, where={"household": hh.pk}, order=("-id",), limit=20)
    made = {loan.application_id: loan for loan in loans}
    for a in applications:
        a.made = made.get(a.pk)
    return applications, [loan.pk for loan in loans]


def guarantors_of(loan) -> list:
    """The guarantors of the loan's application (the caller has read the loan in scope)."""
    return compiled.rows(Guarantor, where={"application": loan.application_id})


def loan_events(reader, pk: int) -> list:
    """A loan's events (extensions, refinancing, write-off, refunds), the loan being in the
    reader's jurisdiction."""
    return compiled.rows(
        LoanEvent,
        where={"loan": loan_get(reader, pk, fields=("village_code",)).pk},
        related=("requested_by", "decided_by"),
    )


def regulator_flag(loan) -> bool:
    """Whether the loan counts as 扶贫小额信贷 in the regulator's sense (R-RPT-1a): a registered
    (or lifted) household, at most 50 000 yuan, at most 3 years, on credit or joint liability."""
    status = loan.household.status
    return reports_core.regulator_flag(
        registered_poor=status in REGISTERED or status == "lifted",
        amount=loan.principal,
        term_months=loan.application.term,
        product=loan.product,
    )


def loan_subledger(reader, institution: int | None = None) -> tuple[dict[str, int], int]:
    """The loans' sub-ledger as the books stand (R-REP-6), within the reader's jurisdiction: the
    principal the active loans' instalments still owe (against 1301 贷款本金) and the interest and
    penalty accrued up to the last closed business day and not yet paid (against 1132 应收利息;
    of non-accrual loans against 7011, off balance); the interest taken upfront not yet earned
    (against 2401, a credit); and how many loans — of one institution if given. Registered with
    the ledger's trial balance (:mod:`fupin.ledger.selectors`)."""
    closed = closed_through()
    loans = access.visible(reader, Servicing.objects.filter(active=True), "ledger.view")
    if institution is not None:
        loans = loans.filter(institution=institution)
    rows = Installment.objects.filter(loan_id__in=loans.values("loan_id"))
    principal = rows.aggregate(x=Sum(F("principal") - F("principal_paid")))["x"] or 0
    receivable = {False: 0, True: 0}  # interest and penalty: accruing loans (1132), non-accrual (7011)
    if closed:
        for off, x in loans.values_list("non_accrual").annotate(x=Sum(accrual.receivable(closed))):
            receivable[off] += x or 0
        penalty = (
            rows.filter(due_date__lt=closed)
            .filter(Q(principal_paid__lt=F("principal")) | Q(principal_days__gt=0))
            .values_list("loan__servicing__non_accrual")
            .annotate(x=Sum(accrual.penalty(closed, F("loan__servicing__penalty_rate")) - F("penalty_paid")))
        )
        for off, x in penalty:
            receivable[off] += x or 0
    deferred = (
        loans.filter(deferred__gt=0).aggregate(x=Sum(F("deferred") - accrual.amortised(closed)))["x"] or 0
    )
    return {
        "1301": principal,
        "1132": receivable[False],
        "2401": -deferred,
        "7011": receivable[True],
    }, loans.count()


def township_targets(year: int, prefix: str = "", institution: int | None = None) -> dict[str, int]:
    """Each township's quota amount for ``year`` (fen; townships under ``prefix``): the quota for
    every lender where the county set one, else the sum of the quotas given to each lender there
    (issue 25); of one institution, its own quotas. Townships with no ceiling count 0."""
    common: dict[str, int] = {}
    each: dict[str, int] = {}
    given = Quota.objects.filter(township__code__startswith=prefix, year=year)
    if institution is not None:
        given = given.filter(institution=institution)
    for town, lender, amount in given.values_list("township_id", "institution_id", "amount"):
        into = common if lender is None else each
        into[town] = into.get(town, 0) + (amount or 0)
    return {**each, **common}


def lenders_overview(reader) -> list[dict]:
    """The lending institutions with the loans each holds in the reader's jurisdiction (issue 25):
    its offices, the active loans, the principal they still owe, those in arrears and the share of
    the jurisdiction's outstanding principal. A bank's staff see their own institution only."""
    single, own = access.scope_lender(reader, "application.view")
    institutions = Institution.objects.prefetch_related("branches__coverage").order_by("pk")
    if single and own is not None:
        institutions = institutions.filter(pk=own)
    active = access.visible(reader, Loan, "application.view").filter(state=Loan.State.ACTIVE)
    counts = {
        r["institution"]: r
        for r in active.values("institution").annotate(
            n=Count("pk"), late=Count("pk", filter=Q(servicing__late_since__isnull=False))
        )
    }
    owed = dict(
        Installment.objects.filter(loan__in=active)
        .values("loan__institution")
        .annotate(o=Sum(F("principal") - F("principal_paid")))
        .values_list("loan__institution", "o")
    )
    total = sum(v or 0 for v in owed.values())
    out = []
    for i in institutions:
        offices = sorted(i.branches.all(), key=lambda b: (b.parent_id is not None, b.code))
        c = counts.get(i.pk, {})
        out.append(
            {
                "institution": i,
                "offices": [(b, [d.name for d in b.coverage.all()]) for b in offices],
                "products": [PRESETS[c].name if c in PRESETS else c for c in i.products],
                "loans": c.get("n", 0),
                "late": c.get("late", 0),
                "owed": owed.get(i.pk) or 0,
                "share": reports_core.percent(owed.get(i.pk) or 0, total),
            }
        )
    return out


def received_on(day) -> dict[int, int]:
    """Each loan's repayments received on ``day``, in fen: the collection list shows them beside
    what was due, so a payment taken in the morning shows on the list at once (issue 27 (5))."""
    return dict(
        Repayment.objects.filter(received_on=day)
        .values("loan_id")
        .annotate(s=Sum("amount"))
        .values_list("loan_id", "s")
    )
