"""Visits to households (走访, issue 27 (8)): written by a village cadre or a loan officer, often on
a phone with no signal in the village's kit and sent when the signal returns — once per key."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone

from fupin.accounts import access
from fupin.audit.services import audit_record
from fupin.core.errors import ValidationFailed
from fupin.households.models import Household, Visit
from fupin.once import once

FUTURE = dt.timedelta(days=1)  # a phone's clock a day ahead is tolerated; a visit next week is not


def visit_record(
    *, acting_user, household: Household, visited_on: dt.date, kind: str, note: str, key: str
) -> tuple[Visit, bool]:
    """Record one visit; returns (visit, created). The same ``key`` again with the same household,
    day, kind and note returns the first and records nothing; with anything different it is
    refused (409 ``idempotency_mismatch``)."""
    access.require(acting_user, "visit.record", household)
    note = (note or "").strip()
    if kind not in Visit.Kind.values:
        raise ValidationFailed("走访类型不正确", code="visit_invalid", details={"field": "kind"})
    if not note:
        raise ValidationFailed("请填写走访情况", code="visit_invalid", details={"field": "note"})
    if visited_on > timezone.localdate() + FUTURE:
        raise ValidationFailed("走访日期不能晚于今天", code="visit_invalid", details={"field": "visited_on"})

    def post() -> Visit:
        v = Visit.objects.create(
            household=household,
            village_code=household.village_id,
            visited_on=visited_on,
            kind=kind,
            note=note[:300],
            by=acting_user,
            key=key.strip(),
        )
        audit_record(
            actor=acting_user,
            action="visit.record",
            obj=v,
            division_code=v.village_code,
            after={"household": household.pk, "visited_on": str(visited_on), "kind": kind},
        )
        return v

    return once(
        key,
        lambda v: (
            v.household_id == household.pk
            and v.visited_on == visited_on
            and v.kind == kind
            and v.note == note[:300]
            and v.by_id == acting_user.pk
        ),
        post,
        model=Visit,
        what="走访记录",
    )


def visits_of(user, household: Household, limit: int = 20) -> QuerySet:
    """The household's latest visits, as the user may see them."""
    return (
        access.visible(user, Visit.objects.filter(household=household), "visit.view")
        .select_related("by")
        .order_by("-visited_on", "-id")[:limit]
    )
