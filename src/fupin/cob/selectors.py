"""Reads of the batch's records, scoped to the reader's jurisdiction."""

from __future__ import annotations

import datetime as dt

from django.db.models import Max

from fupin.accounts import access
from fupin.cob.models import CobRun, CollectionItem, VillageMonth


def closed_through() -> dt.date | None:
    """The last business date the nightly batch has closed (None before the first run)."""
    return CobRun.objects.filter(state=CobRun.State.DONE).aggregate(d=Max("date"))["d"]


def runs(reader, limit: int = 60) -> list[CobRun]:
    access.require(reader, "cob.view")
    return list(CobRun.objects.all()[:limit])


def collection_list(reader, on: dt.date, village: str = "") -> list[CollectionItem]:
    """The collection list of ``on`` in the reader's jurisdiction (one village if given)."""
    qs = access.visible(reader, CollectionItem.objects.filter(date=on), "collection.view")
    if village:
        qs = qs.filter(village_code=village)
    return list(qs.select_related("loan", "loan__household").order_by("village_code", "-dpd", "loan_id"))


def village_suspended(village_code: str) -> VillageMonth | None:
    """The month-end that suspends new loans in the village (R-RPT-4), or None."""
    last = VillageMonth.objects.filter(village_code=village_code).order_by("-month").first()
    return last if last is not None and last.suspended else None


def village_months(reader, limit: int = 400) -> list[VillageMonth]:
    qs = access.visible(reader, VillageMonth.objects.all(), "collection.view")
    return list(qs.order_by("-month", "village_code")[:limit])
