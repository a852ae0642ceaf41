"""Progress notices (R-RPT-5, 篇6 天天有督查、周周有声音、月月有通报): the townships (or villages) of a
division and the branches serving it, ranked by progress against this year's quota and by the
repayment rate of what fell due in the last day, week and month up to the last closed day; the
village suspension state (R-RPT-4) beside each row."""

from __future__ import annotations

import datetime as dt

from django.db.models import F, Sum

from fupin.cob.day import closed_through
from fupin.cob.models import VillageMonth
from fupin.core import reports as core
from fupin.divisions.models import Branch, Division
from fupin.loans.models import Installment, Loan
from fupin.loans.selectors import township_targets
from fupin.reports.tables import _by, children

SPANS = (("day", "日", 1), ("week", "周", 7), ("month", "月", 30))


def rankings(
    division: Division, period: core.Period, *, closed: dt.date | None = None, institution: int | None = None
) -> dict:
    """The areas under ``division`` and the branches serving them ranked by lending progress and
    repayment — of one lending institution's loans if given; a branch by its own institution's
    loans only (issue 25)."""
    closed = min(closed or closed_through() or period.end, period.end)
    p = division.prefix
    # (code, name, prefixes, lender: None for every lender's loans)
    units = [(k.code, k.name, (k.prefix,), institution) for k in children(division)]
    branches = Branch.objects.filter(coverage__code__startswith=p).distinct().order_by("code")
    units += [
        (
            f"branch:{b.code}",
            b.name,
            tuple(sorted(set(b.coverage.values_list("prefix", flat=True)))),
            b.institution_id,
        )
        for b in (branches if institution is None else branches.filter(institution=institution))
    ]
    ytd = {
        (v, lender): a
        for v, lender, a in Loan.objects.filter(
            _by(institution, "institution"),
            village_code__startswith=p,
            start__range=(period.year_start, period.end),
        )
        .exclude(state=Loan.State.CONTRACTED)
        .values("village_code", "institution")
        .annotate(a=Sum("principal"))
        .values_list("village_code", "institution", "a")
    }
    # a lender with no quota of its own is measured against the townships' quotas for all lenders
    every = township_targets(period.end.year)
    quotas = {
        lender: (township_targets(period.end.year, institution=lender) if lender else {}) or every
        for *_, lender in units
    }
    rates: dict[str, dict[tuple[str, int | None], tuple[int, int]]] = {}
    for key, _, days in SPANS:
        due = Installment.objects.filter(
            _by(institution, "loan__institution"),
            loan__village_code__startswith=p,
            due_date__range=(closed - dt.timedelta(days=days - 1), closed),
        )
        rates[key] = {
            (r["loan__village_code"], r["loan__institution"]): (r["paid"] or 0, r["due"] or 0)
            for r in due.values("loan__village_code", "loan__institution").annotate(
                due=Sum(F("principal") + F("interest")), paid=Sum(F("principal_paid") + F("interest_paid"))
            )
        }
    latest: dict[str, VillageMonth] = {}
    for m in VillageMonth.objects.filter(village_code__startswith=p).order_by("village_code", "-month"):
        latest.setdefault(m.village_code, m)

    def within(prefixes: tuple[str, ...], village: str) -> bool:
        return any(village.startswith(x) for x in prefixes)

    def mine(prefixes: tuple[str, ...], key: tuple[str, int | None], lender: int | None) -> bool:
        return within(prefixes, key[0]) and (lender is None or key[1] == lender)

    rows = []
    for code, name, prefixes, lender in units:
        lent = sum(v or 0 for k, v in ytd.items() if mine(prefixes, k, lender))
        target = sum(v or 0 for k, v in quotas[lender].items() if within(prefixes, k))
        row = {
            "code": code,
            "name": name,
            "branch": code.startswith("branch:"),
            "lent": lent,
            "target": target or None,
            "progress": core.percent(lent, target) if target else None,
            "suspended": sorted(v for v, m in latest.items() if within(prefixes, v) and m.suspended),
        }
        for key, _, _ in SPANS:
            paid = sum(v[0] for k, v in rates[key].items() if mine(prefixes, k, lender))
            due = sum(v[1] for k, v in rates[key].items() if mine(prefixes, k, lender))
            row[key] = core.percent(paid, due)
        rows.append(row)

    def ranked(key: str, rows: list[dict]) -> list[dict]:
        order = sorted(rows, key=lambda r: (r[key] is None, -float(r[key] or 0), r["code"]))
        return [{**r, "rank": n} for n, r in enumerate(order, 1)]

    areas = [r for r in rows if not r["branch"]]
    branches = [r for r in rows if r["branch"]]
    return {
        "closed": closed,
        "spans": SPANS,
        "progress": ranked("progress", areas),
        "repayment": {key: ranked(key, areas) for key, _, _ in SPANS},
        "branches": ranked("month", branches),
    }
