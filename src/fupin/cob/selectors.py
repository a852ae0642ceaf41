"""Reads of the batch's records, scoped to the reader's jurisdiction."""

from __future__ import annotations

import datetime as dt

from fupin import compiled
from fupin.accounts import access
from fupin.accounts.models import RoleAssignment
from fupin.cob.models import CobRun, CollectionItem, VillageMonth


def runs(reader, limit: int = 60) -> list[CobRun]:
    access.require(reader, "cob.view")
    return list(CobRun.objects.all()[:limit])


def collection_list(reader, on: dt.date, village: str = "") -> list[CollectionItem]:
    """The collection list of ``on`` in the reader's jurisdiction (one village if given); a bank's
    staff see their own institution's loans on it (issue 25)."""
    where = {"date": on, "village_code": village} if village else {"date": on}
    single, lender = access.scope_lender(reader, "collection.view")
    if not single:  # roles of several institutions, or a bank's and the county's: the queryset says it
        rows = access.visible(reader, CollectionItem.objects.filter(**where), "collection.view")
        return list(rows.select_related("loan", "loan__household").order_by("village_code", "-dpd", "loan"))
    rows = compiled.rows(
        CollectionItem,
        where=where,
        within=("village_code", access.scope_prefixes(reader, "collection.view")),
        related=("loan", "loan__household"),
        fields=(  # what the list and its sheet show
            "date",
            "village_code",
            "loan",
            "due",
            "arrears",
            "dpd",
            "loan__contract_no",
            "loan__institution",
            "loan__household__registry_no",
        ),
        order=("village_code", "-dpd", "loan"),
    )
    return rows if lender is None else [r for r in rows if r.loan.institution_id == lender]


def officers_by_village(villages: set[str]) -> dict[str, str]:
    """The loan officers whose jurisdiction covers each village (the list's 信贷员 column)."""
    held = compiled.rows(RoleAssignment, where={"role": "loan_officer"}, related=("user",), order=())
    staff = list({r.user_id: r.user for r in held if r.user.is_active}.values())
    return {
        v: "、".join(
            u.get_full_name() or u.username for u in staff if access.may(u, "repayment.post", code=v)
        )
        for v in villages
    }


def village_months(reader, limit: int = 400) -> list[VillageMonth]:
    qs = access.visible(reader, VillageMonth.objects.all(), "collection.view")
    return list(qs.order_by("-month", "village_code")[:limit])
