"""Credit-information reads: the household credit report (R-CRD-2) — registry facts, every item
still shown (adverse records hidden five years after they ended), the bank's record, the rating
history — the query log, and the credit file exported to a county database."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet

from fupin import compiled
from fupin.accounts import access
from fupin.core import creditinfo as core
from fupin.creditinfo.models import Consent, CreditItem, EntityRating, Query
from fupin.feeds import selectors as feed_selectors
from fupin.households.models import Household
from fupin.households.pii import vault
from fupin.loans.models import Loan
from fupin.ratings.models import Rating
from fupin.riskfund.models import Blacklist

FILE_FORMAT = "fupin-credit-file/1"  # the exchange file between county databases


def report(household: Household, on: dt.date) -> dict[str, Any]:
    """Everything the printable report shows, in a bounded number of queries."""

    head = household.members.filter(is_head=True).first()
    items = list(CreditItem.objects.filter(household=household))
    shown = [i for i in items if core.shown(adverse=i.adverse, ended=i.adverse_end, on=on)]
    by_category = [
        (label, [i for i in shown if i.category == code]) for code, label in core.CATEGORIES.items()
    ]
    loans = list(
        Loan.objects.filter(household=household)
        .exclude(state=Loan.State.CONTRACTED)
        .select_related("servicing")
        .order_by("-start")
    )
    ratings = list(
        Rating.objects.filter(household=household, state=Rating.State.EFFECTIVE)
        .select_related("round")
        .order_by("-round__year", "-id")
    )
    return {
        "household": household,
        "head": head,
        "on": on,
        "categories": by_category,
        "hidden": len(items) - len(shown),
        "loans": loans,
        "bank_loans": feed_selectors.household_loans(household.pk),  # banks with their own systems
        "late_loans": sum(1 for ln in loans if getattr(getattr(ln, "servicing", None), "ever_late", False)),
        "ratings": ratings,
        "entity": EntityRating.objects.filter(household=household).first(),
        "blacklisted": Blacklist.objects.filter(household=household, lifted_on__isnull=True).exists(),
        "consents": list(Consent.objects.filter(household=household)[:20]),
    }


def queries(user) -> QuerySet[Query]:
    return access.visible(user, Query.objects.select_related("household", "user"), "credit.log")


def entity_ratings(user) -> QuerySet[EntityRating]:
    return access.visible(user, EntityRating.objects.select_related("household", "coop"), "credit.view")


def credit_file(households: list[Household]) -> dict[str, Any]:
    """The exchange file for a county database (:data:`FILE_FORMAT`):
    the ID number of each household's head (the key both sides share) and every item held,
    adverse ones included with their end date (the receiver applies the five-year rule too)."""
    out = []
    items: dict[int, list[CreditItem]] = {}
    for i in CreditItem.objects.filter(household__in=households).order_by("id"):
        items.setdefault(i.household_id, []).append(i)
    heads = {p.household_id: p for h in households for p in h.members.all() if p.is_head}
    for h in households:
        head = heads.get(h.pk)
        if head is None:
            continue
        out.append(
            {
                "id_number": vault().decrypt(head.id_cipher),
                "name": head.name,
                "village_code": h.village_id,
                "registry_no": h.registry_no,
                "items": [
                    {
                        "category": i.category,
                        "name": i.name,
                        "value": i.value,
                        "source": i.source,
                        "on": i.on.isoformat(),
                        "adverse": i.adverse,
                        "adverse_end": i.adverse_end.isoformat() if i.adverse_end else None,
                    }
                    for i in items.get(h.pk, [])
                ],
            }
        )
    return {"format": FILE_FORMAT, "households": out}


def household_consents(hh) -> list[Consent]:
    """A household's last 20 consents to credit-information queries (R-CRD-1)."""
    return compiled.rows(Consent, where={"household": hh.pk}, limit=20)
