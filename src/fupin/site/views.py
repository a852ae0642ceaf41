"""Pages of the UI shell: the home page per role and the health check."""

from __future__ import annotations

from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone

from fupin.accounts import access
from fupin.accounts.decorators import requires
from fupin.accounts.roles import ROLES
from fupin.divisions import selectors as divisions
from fupin.households.selectors import registry_counts
from fupin.selfservice.views import me
from fupin.site.worklist import MOST, batch_get, worklist, worklist_xlsx
from fupin.subsidies.selectors import receivable
from fupin.subsidies.views import aging_bars
from fupin.todo import todo
from fupin.web.responses import attachment


def healthz(request):
    return JsonResponse({"status": "ok"})


@requires("home.view")
def home(request):
    user = request.user
    if access.may(user, "selfservice.view") and hasattr(
        user, "household_login"
    ):  # its home is its own page (§14)
        return me(request)
    assignments = list(user.roles.select_related("division", "branch"))
    cards = []
    for ra in assignments:
        cards.append(
            {
                "role": ROLES[ra.role].label,
                "division": ra.division.name,
                "division_code": ra.division_id,
                "branch": ra.branch.name if ra.branch else "",
            }
        )
    context = {
        "cards": cards,
        "superuser": user.is_superuser,
        "counts": divisions.division_counts(user) if access.may(user, "division.view") else {},
        "registry": registry_counts(user) if access.may(user, "household.view") else None,
    }
    context["todo"] = todo(user, timezone.localdate())  # issue 27 (3)
    context["may_report"] = access.may(user, "report.view")
    if access.may(user, "subsidy.view"):  # R-SUB-3: the receivable from government on the dashboard
        context["receivable"] = receivable(user, timezone.localdate())
        context["bars"] = aging_bars(context["receivable"])
    return render(request, "web/home.html", context)


@requires("household.view")
def registry_worklist(request, pk: int):
    """The registry-change worklist of an import (issue 28 (3)), on screen or as Excel."""
    batch = batch_get(request.user, pk)
    excel = request.GET.get("format") == "xlsx"
    villages = worklist(request.user, batch, limit=None if excel else MOST)
    if excel:
        return attachment(worklist_xlsx(batch, villages), f"名单变更工作清单-{batch.pk}.xlsx")
    return render(
        request,
        "households/worklist.html",
        {"batch": batch, "villages": villages, "count": sum(len(v["rows"]) for v in villages)},
    )
