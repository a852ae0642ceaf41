"""Cooperative reads (R-COOP-2): per cooperative its capital, members, loans and repayment, and
the membership and borrowing rates against 篇6's 60 % targets — a fixed number of grouped
queries for any number of cooperatives."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Count, Q, Sum

from fupin.accounts import access
from fupin.coops.models import BOOK, Capital, Cooperative, CoopLoan, Member
from fupin.core import coop as core
from fupin.core.reports import percent
from fupin.households.models import Household
from fupin.ledger.models import Posting

LOW_INCOME = ("poor", "low_income", "monitored")  # R-COOP-2's low-income households


def coops(user) -> list[Cooperative]:
    return list(access.visible(user, Cooperative, "coop.view"))


def coop_get(user, pk: int) -> Cooperative:
    return access.get_visible(user, Cooperative, "coop.view", pk=pk)  # type: ignore[return-value]


def report(rows: list[Cooperative], on: dt.date) -> list[dict]:
    """One line per cooperative: capital by source, members, loans, repayment and the two rates."""
    ids = [c.pk for c in rows]
    villages = [c.village_code for c in rows]
    capital: dict[int, dict[str, int]] = defaultdict(dict)
    for r in Capital.objects.filter(coop_id__in=ids).values("coop_id", "kind").annotate(s=Sum("amount")):
        capital[r["coop_id"]][r["kind"]] = r["s"]
    low = dict(
        Household.objects.filter(village_id__in=villages, status__in=LOW_INCOME)
        .values("village_id")
        .annotate(n=Count("id"))
        .values_list("village_id", "n")
    )
    members = {
        r["coop_id"]: r
        for r in Member.objects.filter(coop_id__in=ids, left_on__isnull=True)
        .values("coop_id")
        .annotate(n=Count("id"), low=Count("id", filter=Q(household__status__in=LOW_INCOME)))
    }
    loans = {
        r["coop_id"]: r
        for r in CoopLoan.objects.filter(coop_id__in=ids)
        .values("coop_id")
        .annotate(
            n=Count("id"),
            lent=Sum("amount"),
            repaid=Sum("principal_paid"),
            fees=Sum("fee_paid"),
            borrowers=Count("member_id", distinct=True, filter=Q(member__left_on__isnull=True)),
            due_amount=Sum("amount", filter=Q(due__lte=on)),
            due_repaid=Sum("principal_paid", filter=Q(due__lte=on)),
            overdue=Count("id", filter=Q(due__lt=on, state=CoopLoan.State.ACTIVE)),
        )
    }
    cash = dict(
        Posting.objects.filter(entry__book=BOOK, entry__division_code__in=villages, account_id="1011")
        .values("entry__division_code")
        .annotate(b=Sum("debit") - Sum("credit"))
        .values_list("entry__division_code", "b")
    )
    out = []
    for c in rows:
        m, ln = members.get(c.pk, {}), loans.get(c.pk, {})
        membership, borrowing = core.rates(
            low_income=low.get(c.village_code, 0),
            low_income_members=m.get("low", 0),
            members=m.get("n", 0),
            borrowers=ln.get("borrowers", 0),
        )
        lent, repaid = ln.get("lent") or 0, ln.get("repaid") or 0
        out.append(
            {
                "coop": c,
                "government": capital[c.pk].get("government", 0),
                "member_capital": capital[c.pk].get("member", 0),
                "members": m.get("n", 0),
                "low_income": low.get(c.village_code, 0),
                "low_income_members": m.get("low", 0),
                "loans": ln.get("n", 0),
                "lent": lent,
                "outstanding": lent - repaid,
                "fees": ln.get("fees") or 0,
                "overdue": ln.get("overdue", 0),
                "cash": cash.get(c.village_code, 0),
                "repayment_rate": percent(ln.get("due_repaid") or 0, ln.get("due_amount") or 0),
                "membership": membership,
                "borrowing": borrowing,
            }
        )
    return out


def books(coop: Cooperative) -> list[dict]:
    """The cooperative's trial balance (its own book)."""
    rows = (
        Posting.objects.filter(entry__book=BOOK, entry__division_code=coop.village_code)
        .values("account_id", "account__name", "account__kind")
        .annotate(d=Sum("debit"), c=Sum("credit"))
        .order_by("account_id")
    )
    return [
        {
            "code": r["account_id"],
            "name": r["account__name"],
            "debit": r["d"],
            "credit": r["c"],
            "balance": r["d"] - r["c"] if r["account__kind"] in ("asset", "expense") else r["c"] - r["d"],
        }
        for r in rows
    ]
