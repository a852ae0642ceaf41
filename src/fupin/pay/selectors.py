"""The monthly pay sheet of a branch (R-PAY-1 … 4), read from the month's loans and repayments.

What each officer did is turned into :class:`fupin.core.officer_pay.LoanMonth` values, one per
(officer, loan): the loan's manager is the officer who disbursed it; normal interest is the
*current* interest of repayments (and a payoff's interest, and interest taken up front at
disbursement) — overdue interest and penalty are recovered arrears and go to whoever collected
them as the collection reward (R-PAY-3), as do recoveries after a write-off — but not what the
nightly batch sets off from a deposit or credit balance (nobody collected it); a rollover (the new
loan or the loan it closed) and an extended loan earn nothing (R-PAY-1). Overdue amounts at
month-end are the instalments due by then less what had been paid by then (what is paid now less
what was paid after; for the month still running, as the books stand at yesterday's close). A
bounded number of queries whatever the branch's size.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Max, Q, Sum
from django.utils import timezone

from fupin.accounts import access
from fupin.accounts.models import BATCH_USERNAME, User
from fupin.core import officer_pay as core
from fupin.core.errors import NotFound, NotPermitted
from fupin.core.reports import Period
from fupin.divisions.models import Branch
from fupin.loans.models import Installment, Loan, LoanEvent, Repayment
from fupin.pay.models import PayRules

PRINCIPAL = ("overdue_principal", "current_principal")
INTEREST = ("overdue_interest", "current_interest")
ARREARS = ("penalty", "overdue_interest", "overdue_principal")


@dataclass
class OfficerSheet:
    officer: User
    lines: list[core.Line]
    total: int


@dataclass
class Sheet:
    branch: Branch
    period: Period
    rules: core.Rules
    rules_row: PayRules | None
    officers: list[OfficerSheet]
    excluded: list[tuple[int, str, str]]  # loan, contract, why
    branch_lines: list[core.Line] = field(default_factory=list)
    officers_total: int = 0
    total: int = 0
    whole: bool = True  # False: an officer's own part only


def rules_of(user) -> int | None:
    """The institution whose pay rules a user reads and sets: a bank's staff their own; None for
    the rules of every lender without its own (issue 25)."""
    single, lender = access.scope_lender(user, "pay.view")
    return lender if single else None


def rules_on(day: dt.date, institution: int | None = None) -> tuple[core.Rules, PayRules | None]:
    """The rules in force on ``day`` for ``institution``'s officers: its own version in force, else
    the version for every lender, else the defaults of R-PAY-1 … 3 (issue 25)."""
    rows = PayRules.objects.filter(valid_from__lte=day)
    row = (rows.filter(institution=institution).first() if institution else None) or rows.filter(
        institution=None
    ).first()
    return (row.to_domain() if row else core.Rules()), row


def branches(user) -> list[Branch]:
    """The branches whose sheet the user may read (at least the user's own part of it)."""
    return [b for b in Branch.objects.all() if _covers(user, "pay.view", b)]


def branch_get(user, code: str) -> Branch:
    if not any(g.role in access.roles_for("pay.view") for g in access.grants(user)):
        raise NotPermitted("您没有权限查看绩效工资", code="forbidden", details={"action": "pay.view"})
    branch = Branch.objects.filter(code=code).first()
    if branch is None or not _covers(user, "pay.view", branch):
        raise NotFound("网点不存在或不在您的辖区内", code="not_found")
    return branch


def _covers(user, action: str, branch: Branch) -> bool:
    prefixes = access.branch_prefixes(branch)
    return bool(prefixes) and all(
        access.may(user, action, code=p, institution=branch.institution_id) for p in prefixes
    )


def _scope(prefixes: tuple[str, ...], institution: int | None, lender: str) -> Q:
    q = Q(pk__in=[])
    for p in prefixes:
        q |= Q(village_code__startswith=p)
    return q if institution is None else q & Q(**{lender: institution})


def month_facts(
    prefixes: tuple[str, ...], period: Period, rules: core.Rules, institution: int | None = None
) -> tuple[dict[tuple[int, int], core.LoanMonth], list[tuple[int, str, str]]]:
    """(officer id, loan id) → the loan's month for that officer; and the excluded loans — of the
    loans in ``prefixes`` (of one lending institution's, if given: issue 25)."""
    start, end = period.start, period.end
    scope = _scope(prefixes, institution, "institution")
    loans = {
        r["id"]: r
        for r in Loan.objects.filter(scope, start__lte=end, disbursed_by__isnull=False)
        .exclude(state=Loan.State.CONTRACTED)
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gte=start))
        .values(
            "id",
            "contract_no",
            "product",
            "principal",
            "disbursed_by_id",
            "rollover_of_id",
            "state",
            "closed_on",
            "start",
            "upfront_interest",
        )
    }
    why: dict[int, str] = {}
    for loan_id, kind in LoanEvent.objects.filter(
        loan_id__in=list(loans),
        state=LoanEvent.State.APPROVED,
        kind__in=[LoanEvent.Kind.EXTENSION, LoanEvent.Kind.ROLLOVER],
        decided_on__lte=end,
    ).values_list("loan_id", "kind"):
        why[loan_id] = "展期贷款" if kind == LoanEvent.Kind.EXTENSION else "已转据（借新还旧）"
    for loan in loans.values():
        if loan["rollover_of_id"]:
            why[loan["id"]] = "转据贷款（借新还旧）"
    facts: dict[tuple[int, int], dict] = defaultdict(dict)
    info: dict[
        int, tuple[str, str, int]
    ] = {}  # loan → contract, kind, principal (also for loans collected on only)

    def kind(product: str) -> str:
        return "cycle" if product == "group" else "short"

    for loan in loans.values():
        info[loan["id"]] = (loan["contract_no"], kind(loan["product"]), loan["principal"])
        if start <= loan["start"] <= end and loan["upfront_interest"] and loan["id"] not in why:
            f = facts[(loan["disbursed_by_id"], loan["id"])]
            f["settled_interest"] = f.get("settled_interest", 0) + loan["upfront_interest"]
    paid = _scope(prefixes, institution, "loan__institution")
    for r in Repayment.objects.filter(paid, received_on__gte=start, received_on__lte=end).values(
        "loan_id",
        "allocation",
        "created_by_id",
        "created_by__username",
        "loan__contract_no",
        "loan__product",
        "loan__principal",
    ):
        lid = r["loan_id"]
        info.setdefault(lid, (r["loan__contract_no"], kind(r["loan__product"]), r["loan__principal"]))
        normal, arrears = _split(r["allocation"])
        if (
            arrears and r["created_by__username"] != BATCH_USERNAME
        ):  # the batch setting a deposit off collects nothing
            f = facts[(r["created_by_id"], lid)]
            f["collected_arrears"] = f.get("collected_arrears", 0) + arrears
        if normal and lid in loans and lid not in why:
            f = facts[(loans[lid]["disbursed_by_id"], lid)]
            f["settled_interest"] = f.get("settled_interest", 0) + normal
    repaid = [
        lid
        for lid, loan in loans.items()
        if loan["state"] == Loan.State.CLOSED
        and loan["closed_on"]
        and start <= loan["closed_on"] <= end
        and lid not in why
    ]
    life: dict[int, int] = {lid: loans[lid]["upfront_interest"] for lid in repaid}
    for lid, allocation in Repayment.objects.filter(loan_id__in=repaid).values_list("loan_id", "allocation"):
        life[lid] += _split(allocation)[0]
    for lid in repaid:
        f = facts[(loans[lid]["disbursed_by_id"], lid)]
        f["repaid_in_full"], f["life_interest"] = True, life[lid]
    cutoff = min(end, timezone.localdate() - dt.timedelta(days=1))  # a month not yet over: as the books stand
    for lid, (principal, interest) in _overdue_at(loans, why, cutoff, rules).items():
        f = facts[(loans[lid]["disbursed_by_id"], lid)]
        f["overdue_principal"], f["overdue_interest"] = principal, interest
    months = {
        key: core.LoanMonth(key[1], info[key[1]][0], info[key[1]][1], info[key[1]][2], **f)  # type: ignore[arg-type]
        for key, f in facts.items()
    }
    excluded = sorted((lid, loans[lid]["contract_no"], w) for lid, w in why.items())
    return months, excluded


def _split(allocation: list) -> tuple[int, int]:
    """(normal interest, arrears collected) of one repayment's allocation."""
    normal = arrears = 0
    for line in allocation or []:
        if line[0] in ("payoff", "prepay"):
            normal += line[2]
        elif line[0] == "recovery":
            arrears += line[1]
        elif line[1] == "current_interest":
            normal += line[2]
        elif line[1] in ARREARS:
            arrears += line[2]
    return normal, arrears


def _overdue_at(
    loans: dict[int, dict], why: dict[int, str], end: dt.date, rules: core.Rules
) -> dict[int, tuple[int, int]]:
    """Overdue principal and interest at ``end`` of the open cycle loans that a deduction band
    could reach (R-PAY-2)."""
    if not rules.bands:
        return {}
    floor = min(b.low for b in rules.bands)
    ids = [
        lid
        for lid, loan in loans.items()
        if loan["product"] == "group"
        and loan["principal"] >= floor
        and lid not in why
        and loan["state"] != Loan.State.WRITTEN_OFF
        and (loan["closed_on"] is None or loan["closed_on"] > end)
    ]
    if not ids:
        return {}
    due = {
        r["loan_id"]: r
        for r in Installment.objects.filter(loan_id__in=ids, due_date__lte=end)
        .values("loan_id")
        .annotate(
            p=Sum("principal"),
            pp=Sum("principal_paid"),
            i=Sum("interest"),
            ip=Sum("interest_paid"),
            last=Max("seq"),
        )
    }
    after: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for lid, allocation in Repayment.objects.filter(loan_id__in=list(due), received_on__gt=end).values_list(
        "loan_id", "allocation"
    ):
        for line in allocation or []:
            if line[0] == "payoff":
                after[lid][0] += line[1]
                after[lid][1] += line[2]
            elif isinstance(line[0], int) and line[0] <= due[lid]["last"]:
                if line[1] in PRINCIPAL:
                    after[lid][0] += line[2]
                elif line[1] in INTEREST:
                    after[lid][1] += line[2]
    out = {}
    for lid, r in due.items():
        p = min(r["p"], max(0, r["p"] - r["pp"] + after[lid][0]))
        i = min(r["i"], max(0, r["i"] - r["ip"] + after[lid][1]))
        if p or i:
            out[lid] = (p, i)
    return out


def sheet(user, branch: Branch, period: Period) -> Sheet:
    """The branch's sheet for the month: every officer's lines and total, the director's and the
    accountant's shares; an officer who may not read the branch's sheet sees only their own part."""
    rules, row = rules_on(period.end, branch.institution_id)
    months, excluded = month_facts(access.branch_prefixes(branch), period, rules, branch.institution_id)
    whole = _covers(user, "pay.branch", branch)
    per: dict[int, list[core.LoanMonth]] = defaultdict(list)
    for (officer, _), m in sorted(months.items(), key=lambda kv: (kv[0][0], kv[1].contract)):
        if whole or officer == user.pk:
            per[officer].append(m)
    users = {u.pk: u for u in User.objects.filter(pk__in=list(per))}
    officers = []
    for officer_id, ms in per.items():
        lines, total = core.sheet(rules, ms)
        if lines:
            officers.append(OfficerSheet(users[officer_id], lines, total))
    officers.sort(key=lambda o: o.officer.username)
    officers_total = sum(o.total for o in officers)
    extra = core.branch_lines(rules, officers_total) if whole else []
    return Sheet(
        branch,
        period,
        rules,
        row,
        officers,
        excluded if whole else [],
        extra,
        officers_total,
        officers_total + sum(ln.amount for ln in extra),
        whole,
    )
