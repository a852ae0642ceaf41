"""Pages of the nightly batch: its runs, next day's collection lists (printable, Excel), the
villages' month-end recovery and suspension (R-RPT-4)."""

from __future__ import annotations

import datetime as dt

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_POST

from fupin.accounts import access
from fupin.accounts.decorators import requires
from fupin.cob import selectors, services
from fupin.cob.day import closed_through
from fupin.cob.exports import collection_xlsx
from fupin.divisions.selectors import names as division_names
from fupin.divisions.selectors import picker
from fupin.households.selectors import heads_of
from fupin.loans.selectors import received_on
from fupin.web.responses import act, attachment, date_param


@requires("cob.view")
def cob_runs(request):
    runs = selectors.runs(request.user)
    return render(
        request,
        "cob/runs.html",
        {
            "runs": runs,
            "closed": closed_through(),
            "today": timezone.localdate(),
            "may_run": access.may(request.user, "cob.run"),
        },
    )


@require_POST
@requires("cob.run")
def cob_run(request):
    """Close every business day not yet closed up to yesterday (a large book: ``fupin cob``)."""
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    return act(
        request,
        lambda: services.cob_until(yesterday),
        lambda done: f"已完成 {len(done)} 个营业日的日终" if done else "已日终至昨天，无需运行",
        "cob_runs",
    )


@requires("collection.view")
def collection_list(request):
    on = date_param(request.GET.get("date"), timezone.localdate())
    village = request.GET.get("village", "")[:12]
    items = selectors.collection_list(request.user, on, village)
    heads = heads_of(i.loan.household.pk for i in items)
    received = received_on(on)
    for i in items:  # the person, not only the household's number (issue 27 (1)); what came in today
        i.head_name, i.head_phone = heads.get(i.loan.household.pk, ("", ""))
        i.received = received.get(i.loan_id, 0)
    codes = {i.village_code for i in items}
    names = division_names(codes)
    officers = selectors.officers_by_village(codes)
    rows = [
        {"item": i, "village": names.get(i.village_code, ""), "officers": officers.get(i.village_code, "")}
        for i in items
    ]
    if request.GET.get("format") == "xlsx":
        return attachment(collection_xlsx(on, rows), f"收款清单-{on:%Y%m%d}.xlsx")
    villages = []
    for r in rows:
        if not villages or villages[-1]["code"] != r["item"].village_code:
            villages.append(
                {
                    "code": r["item"].village_code,
                    "name": r["village"],
                    "officers": r["officers"],
                    "rows": [],
                    "due": 0,
                    "arrears": 0,
                    "received": 0,
                }
            )
        v = villages[-1]
        v["rows"].append(r["item"])
        v["due"] += r["item"].due
        v["arrears"] += r["item"].arrears
        v["received"] += r["item"].received
    return render(
        request,
        "cob/collections.html",
        {
            "on": on,
            "village": village,
            "villages": villages,
            "count": len(rows),
            "picker": picker(request.user, "collection.view", levels=(5,)),
        },
    )


@requires("collection.view")
def village_recovery(request):
    months = selectors.village_months(request.user)
    names = division_names({m.village_code for m in months})
    latest: dict[str, object] = {}
    for m in months:
        latest.setdefault(m.village_code, m)
    return render(
        request,
        "cob/villages.html",
        {
            "months": [(m, names.get(m.village_code, "")) for m in months],
            "suspended": [(m, names.get(m.village_code, "")) for m in latest.values() if m.suspended],
        },
    )
