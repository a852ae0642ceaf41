"""Reads of the batch's records, scoped to the reader's jurisdiction."""

from __future__ import annotations

import datetime as dt

from fupin.accounts import access
from fupin.cob.models import CobRun, CollectionItem, VillageMonth
from fupin.prepared import Prepared


def runs(reader, limit: int = 60) -> list[CobRun]:
    access.require(reader, "cob.view")
    return list(CobRun.objects.all()[:limit])


def collection_list(reader, on: dt.date, village: str = "") -> list[CollectionItem]:
    """The collection list of ``on`` in the reader's jurisdiction (one village if given)."""
    prefixes = access.scope_prefixes(reader, "collection.view")
    return _COLLECTION(prefixes, on=on, village=village) if village else _COLLECTION(prefixes, on=on)


def _collection(prefixes: tuple[str, ...] | None, *, on: dt.date, village: str | None = None):
    qs = CollectionItem.objects.filter(access.prefixes_q(prefixes, "village_code"), date=on)
    if village is not None:
        qs = qs.filter(village_code=village)
    return (
        qs.select_related("loan", "loan__household")
        .only(  # what the list and its sheet show
            "date",
            "village_code",
            "loan_id",
            "due",
            "arrears",
            "dpd",
            "loan__contract_no",
            "loan__household__registry_no",
        )
        .order_by("village_code", "-dpd", "loan_id")
    )


_COLLECTION = Prepared(_collection)  # compiled once per jurisdiction: loan officers open it every morning


def village_months(reader, limit: int = 400) -> list[VillageMonth]:
    qs = access.visible(reader, VillageMonth.objects.all(), "collection.view")
    return list(qs.order_by("-month", "village_code")[:limit])
