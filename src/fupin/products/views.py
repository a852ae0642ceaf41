"""The holiday arrangement page (R-PRD-2): a year as the schedules see it; the system
administrator enters the days of a year the calendar package does not know yet."""

from __future__ import annotations

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_POST

from fupin.accounts import access
from fupin.accounts.decorators import requires
from fupin.products import calendar
from fupin.web.responses import act, date_param, int_param


@requires("calendar.view")
def calendar_year(request):
    today = timezone.localdate()
    shown = int_param(request.GET.get("year"), today.year, low=2004, high=9999)
    ctx = calendar.year(request.user, shown)
    ctx["may_manage"] = access.may(request.user, "calendar.manage")
    ctx["years"] = range(today.year - 1, today.year + 3)
    return render(request, "products/calendar.html", ctx)


@require_POST
@requires("calendar.manage")
def calendar_enter(request):
    on = date_param(request.POST.get("date"), strict=True)
    answer = act(
        request,
        lambda: calendar.day_enter(
            acting_user=request.user,
            date=on,
            working=request.POST.get("working") == "1",
            name=request.POST.get("name", ""),
        ),
        lambda day: f"已登记 {day}；此后签订的贷款按此安排顺延还款日",
        "calendar_year",
    )
    if on is not None:
        answer["Location"] += f"?year={on.year}"  # back to the year entered
    return answer


@require_POST
@requires("calendar.manage")
def calendar_remove(request, pk: int):
    return act(
        request, lambda: calendar.day_remove(acting_user=request.user, pk=pk), "已删除", "calendar_year"
    )
