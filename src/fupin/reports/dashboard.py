"""The dashboard's data (R-RPT-2, 3, 5, R-SUB-3, R-RSK-1): computed once per close of business and
kept as a :class:`~fupin.reports.models.Snapshot`; the page, the API and ``fupin report
indicators`` read it."""

from __future__ import annotations

from django.utils import timezone

from fupin.accounts import access
from fupin.cob.day import closed_through
from fupin.core import reports as core
from fupin.divisions.models import Division
from fupin.reports.indicators import indicators
from fupin.reports.models import Snapshot
from fupin.reports.rankings import rankings
from fupin.riskfund.models import Fund
from fupin.riskfund.services import fund_position
from fupin.subsidies.selectors import receivable


def dashboard(division: Division, period: core.Period, user, institution: int | None = None) -> dict:
    """The indicators with the progress ranking and the fund beside them, from the snapshot of the
    last close (computed now if there is none yet) — of one lending institution's if given (issue
    25); the subsidy receivable, live."""

    data = dict(snapshot(division, period, institution=institution).data)
    if access.may(user, "subsidy.view"):
        owed = receivable(user, timezone.localdate())
        owed["batches"] = [
            {"batch": r["batch"].pk, "amount": r["amount"], "days": r["days"]} for r in owed["batches"]
        ]
        owed["on"] = owed["on"].isoformat()
        data["receivable"] = owed
    else:
        data["receivable"] = None
    if not access.may(user, "riskfund.view"):
        data["funds"] = []
    return data


def snapshot(
    division: Division, period: core.Period, *, refresh: bool = False, institution: int | None = None
) -> Snapshot:
    """The dashboard's figures as of the last closed business day, computed once per close (for
    every lender, or for one institution)."""
    import time

    closed = closed_through() or timezone.localdate()
    found = Snapshot.objects.filter(
        division_code=division.code, period=period.label, closed=closed, institution=institution
    ).first()
    if found is not None and not refresh:
        return found
    start = time.perf_counter()
    data = indicators(division, period, closed=closed, institution=institution)
    data["progress"] = rankings(division, period, closed=closed, institution=institution)["progress"]
    funds = Fund.objects.filter(county_code__startswith=division.code[:6])
    data["funds"] = [
        (f.name, _plain_position(fund_position(f)))
        for f in (funds if institution is None else funds.filter(institution=institution))
    ]
    seconds = time.perf_counter() - start
    snap, _ = Snapshot.objects.update_or_create(
        division_code=division.code,
        period=period.label,
        closed=closed,
        institution_id=institution,
        defaults={"data": data, "seconds": seconds},
    )
    return snap


def _plain_position(pos: dict) -> dict:
    lev = pos["leverage"]
    return {**pos, "leverage": None if lev is None else float(lev)}
