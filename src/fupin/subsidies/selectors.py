"""Reads of subsidies, scoped to the reader's jurisdiction: batches, the register (附表8), the
receivable from government aged by days since claim (R-SUB-3), the public announcement list."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Q

from fupin import compiled
from fupin.accounts import access
from fupin.divisions.models import Division
from fupin.divisions.selectors import names as division_names
from fupin.households.models import Person
from fupin.subsidies.models import Batch, Line, Policy

# R-SUB-3: days since the claim
AGING = (("0-30", 30), ("31-90", 90), ("91-180", 180), ("181-365", 365), ("365+", None))
OPEN = (Batch.State.PREPARED, Batch.State.REVIEWED, Batch.State.CONFIRMED)


def policies() -> list[Policy]:
    return list(Policy.objects.all())


def batches(reader, limit: int = 200) -> list[Batch]:
    return list(access.visible(reader, Batch.objects.select_related("policy"), "subsidy.view")[:limit])


def batch_get(reader, pk: int) -> Batch:
    return access.get_visible(reader, Batch.objects.select_related("policy"), "subsidy.view", pk=pk)


def register(
    reader, *, policy: int | None = None, batch: int | None = None, limit: int | None = 2000
) -> list[Line]:
    """The subsidy register (附表8): every line, earned or not, with the reason (``limit`` None:
    all of them — one claim's lines, which its reviewer must all see)."""
    qs = access.visible(reader, Line.objects.select_related("policy", "loan", "batch"), "subsidy.view")
    if policy:
        qs = qs.filter(policy_id=policy)
    if batch:
        qs = qs.filter(batch_id=batch)
    return list(qs.order_by("-on", "village_code", "contract_no", "seq")[:limit])


def bucket(days: int) -> str:
    for label, upto in AGING:
        if upto is None or days <= upto:
            return label
    return AGING[-1][0]


def receivable(reader, on: dt.date) -> dict:
    """The subsidy receivable from government (1221) in the reader's jurisdiction, aged: batches
    claimed and not yet paid by days since the claim; S-HALF deductions not yet claimed by days
    since the deduction (R-SUB-3)."""
    buckets = {label: 0 for label, _ in AGING}
    rows = []
    for b in access.visible(
        reader, Batch.objects.filter(state__in=OPEN).select_related("policy"), "subsidy.view"
    ):
        owed = b.approved if b.state != Batch.State.PREPARED else b.claimed
        age = (on - b.prepared_on).days
        buckets[bucket(age)] += owed
        rows.append({"batch": b, "amount": owed, "days": age})
    unclaimed = access.visible(
        reader, Line.objects.filter(batch__isnull=True, policy__kind="half", amount__gt=0), "subsidy.view"
    ).values_list("on", "amount")
    pending = 0
    for when, fen in unclaimed:
        buckets[bucket((on - when).days)] += fen
        pending += fen
    return {
        "on": on,
        "buckets": buckets,
        "total": sum(buckets.values()),
        "batches": rows,
        "unclaimed": pending,
    }


def announcement(batch: Batch, division: str = "") -> list[dict]:
    """Recipients and amounts of a batch (lines not struck), by township and village, for the
    public announcement at county, township or village level (``division`` a code prefix)."""
    lines = Line.objects.filter(batch=batch, struck="", amount__gt=0)
    if division:
        lines = lines.filter(village_code__startswith=division.rstrip("0") or division)
    lines = list(lines.order_by("village_code", "household_id", "seq"))
    heads = dict(
        Person.objects.filter(
            household_id__in={ln.household_id for ln in lines}, is_head=True, left_on__isnull=True
        ).values_list("household_id", "name")
    )
    codes = {ln.village_code for ln in lines} | {ln.village_code[:9] + "000" for ln in lines}
    names = division_names(codes)
    per: dict[tuple[str, int], dict] = {}
    for ln in lines:
        key = (ln.village_code, ln.household_id)
        row = per.setdefault(
            key,
            {
                "township": names.get(ln.village_code[:9] + "000", ""),
                "village": names.get(ln.village_code, ""),
                "village_code": ln.village_code,
                "name": heads.get(ln.household_id, ""),
                "loans": set(),
                "principal": 0,
                "amount": 0,
            },
        )
        if ln.contract_no not in row["loans"]:
            row["loans"].add(ln.contract_no)
            row["principal"] += ln.lent
        row["amount"] += ln.amount
    return list(per.values())


def division_choices(reader) -> list[Division]:
    """Counties and townships the reader may prepare a batch for."""
    qs = Division.objects.filter(Q(level=3) | Q(level=4)).order_by("code")
    return [d for d in qs if access.may(reader, "subsidy.prepare", code=d.code)]


def totals(rows: list[dict]) -> dict:
    out: dict[str, int] = defaultdict(int)
    for r in rows:
        out["households"] += 1
        out["amount"] += r["amount"]
        out["principal"] += r["principal"]
    return dict(out)


def household_lines(hh) -> list[Line]:
    """A household's last 50 subsidy lines with their loans (the archive's subsidy section)."""
    return compiled.rows(Line, where={"household": hh.pk}, order=("-end",), limit=50)
