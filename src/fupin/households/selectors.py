"""Reads of the registry, always through the reader's jurisdiction."""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from django.db.models import Count, Prefetch, Q, QuerySet

from fupin import compiled
from fupin.accounts import access
from fupin.core.idcard import normalise
from fupin.households.models import Household, HouseholdEvent, ImportBatch, Person
from fupin.households.pii import id_index, phone_index, vault

HISTORY_SHOWN = 200


def _looks_like_id(q: str) -> bool:
    v = normalise(q)
    return len(v) in (15, 18) and v[:-1].isdigit() and (v[-1].isdigit() or v[-1] == "X")


def households_visible(reader, *, q: str = "", village: str = "", status: str = "") -> QuerySet[Household]:
    """Households in scope, searchable by member name, full ID number, full phone or 户编号."""
    access.require(reader, "household.view")
    qs = access.visible(reader, Household, "household.view")
    q = q.strip()
    if q:
        digits = normalise(q)
        if _looks_like_id(q):
            member = Person.objects.filter(id_index=id_index(q))
        elif digits.isdigit() and 7 <= len(digits) <= 12:
            member = Person.objects.filter(phone_index=phone_index(q))
        else:
            member = Person.objects.filter(name__contains=q, left_on__isnull=True)
        qs = qs.filter(Q(pk__in=member.values("household_id")) | Q(registry_no=q))
    if village:
        qs = qs.filter(village_id=village)
    if status:
        qs = qs.filter(status=status)
    heads = Person.objects.filter(is_head=True, left_on__isnull=True)
    return (
        qs.select_related("village")
        .prefetch_related(Prefetch("members", queryset=heads, to_attr="heads"))
        .order_by("village_id", "registry_no")
    )


def household_archive(reader, pk: int) -> dict:
    """One household with its members and history, in three queries (the archive is read on
    every visit to a household, through the pages and the API)."""
    hh = access.get_visible(
        reader, Household, "household.view", pk=pk, related=("village", "village__parent")
    )
    # one query for present and former members, written once (fupin.compiled)
    everyone = compiled.rows(Person, where={"household": hh.pk}, order=("-is_head", "birth_date"))
    for p in everyone:
        p.household = hh
    members = [p for p in everyone if p.left_on is None]
    former = sorted((p for p in everyone if p.left_on is not None), key=lambda p: p.left_on, reverse=True)
    events = compiled.rows(
        HouseholdEvent,
        where={"household": hh.pk},
        related=("actor", "batch"),
        order=("-at", "-id"),
        limit=HISTORY_SHOWN + 1,
    )
    return {
        "household": hh,
        "members": members,
        "former": former,
        "events": events[:HISTORY_SHOWN],
        "more_events": len(events) > HISTORY_SHOWN,
    }


def status_history(events: list[HouseholdEvent]) -> list[HouseholdEvent]:
    """Status changes, the first being the status the household was registered with."""
    return [e for e in events if e.kind in (HouseholdEvent.Kind.STATUS, HouseholdEvent.Kind.CREATED)]


def batches_visible(reader) -> QuerySet[ImportBatch]:
    access.require(reader, "registry.import")
    mine = Q(created_by=reader)
    return ImportBatch.objects.filter(
        mine | access.scope_q(reader, "registry.import", "division_code")
    ).order_by("-created_at")


def registry_counts(reader) -> dict:
    """Households by registry status and current members, within the reader's jurisdiction."""

    households = access.visible(reader, Household, "household.view")
    by_status = dict(households.values_list("status").annotate(n=Count("id")).order_by())
    labels = dict(Household._meta.get_field("status").choices)
    persons = access.visible(reader, Person.objects.filter(left_on__isnull=True), "household.view").count()
    return {
        "total": sum(by_status.values()),
        "persons": persons,
        "by_status": [(labels[k], by_status[k]) for k in labels if by_status.get(k)],
    }


def heads_of(household_ids) -> dict[int, tuple[str, str]]:
    """household id -> (the current head's name, masked phone), in one query (lists of loans name
    the people they are about, issue 27 (1))."""
    return {
        hid: (name, phone)
        for hid, name, phone in Person.objects.filter(
            household_id__in=list(household_ids), is_head=True, left_on__isnull=True
        ).values_list("household_id", "name", "phone_masked")
    }


def name_heads(households) -> list:
    """Give each household its head's name and masked phone (``head_name``, ``head_phone``), in one
    query, for the pages that show people rather than 11-digit numbers (issue 27 (1))."""
    households = [h for h in households if h is not None]
    heads = heads_of({h.pk for h in households})
    for h in households:
        h.head_name, h.head_phone = heads.get(h.pk, ("", ""))
    return households


class Match(NamedTuple):
    """An ID number looked up in the registry: its blind index, and the current member holding it
    (name, household, village), or None, None, "" when no current member does."""

    index: str
    name: str | None
    household: int | None
    village: str


def registry_matches(numbers: Iterable[str], chunk: int = 5_000) -> dict[str, Match]:
    """Each ID number (valid, normalised) against the registry's current members — the borrowers of
    a file a bank sends (a loan book, a month's 借据), a few thousand at a query."""
    v = vault()
    index = {n: v.index(n) for n in numbers}
    keys = sorted(set(index.values()))
    found: dict[str, tuple[str, int, str]] = {}
    for i in range(0, len(keys), chunk):
        rows = Person.objects.filter(id_index__in=keys[i : i + chunk], left_on__isnull=True).values_list(
            "id_index", "name", "household_id", "village_code"
        )
        found.update((k, (name, hh, village)) for k, name, hh, village in rows)
    return {n: Match(k, *found.get(k, (None, None, ""))) for n, k in index.items()}
